// axe-core on every view, light and dark, at the tray size and a desktop size (issue 15). Needs the
// devDependency @axe-core/playwright; without it the spec is skipped (it says so) rather than failing.
import { expect, test, type Page } from '@playwright/test'
import { lastRouteBadge, newConversation, sendInNewConversation } from './helpers'

type AxeBuilderCtor = new (o: { page: Page }) => {
  withTags(tags: string[]): { analyze(): Promise<{ violations: AxeViolation[] }> }
}
interface AxeViolation {
  id: string
  impact?: string | null
  help: string
  nodes: { target: unknown[] }[]
}

async function loadAxe(): Promise<AxeBuilderCtor | null> {
  try {
    const name = '@axe-core/playwright'
    const mod = (await import(name)) as { default?: AxeBuilderCtor; AxeBuilder?: AxeBuilderCtor }
    return mod.default ?? mod.AxeBuilder ?? null
  } catch {
    return null
  }
}

async function violations(page: Page, AxeBuilder: AxeBuilderCtor): Promise<string[]> {
  const { violations: found } = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze()
  return found.map(
    (v) =>
      `${v.id} (${v.impact ?? '?'}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  )
}

for (const colorScheme of ['light', 'dark'] as const) {
  for (const size of [
    { width: 420, height: 700 },
    { width: 1024, height: 700 },
    { width: 1440, height: 900 },
  ]) {
    test(`axe: no violations, ${colorScheme}, ${size.width}×${size.height}`, async ({ page }) => {
      const AxeBuilder = await loadAxe()
      test.skip(AxeBuilder === null, 'add the devDependency @axe-core/playwright to run axe-core')
      if (!AxeBuilder) return
      await page.emulateMedia({ colorScheme })
      await page.setViewportSize(size)
      const report: Record<string, string[]> = {}

      await page.goto('/ui/#/dashboard')
      await expect(page.getByRole('heading', { name: 'Servers and models' })).toBeVisible()
      await expect(page.getByRole('region', { name: /^Server / }).first()).toBeVisible()
      report['dashboard'] = await violations(page, AxeBuilder)

      await page.goto('/ui/#/chat')
      await newConversation(page)
      report['chat (empty)'] = await violations(page, AxeBuilder)
      await page.getByRole('button', { name: 'System prompt' }).click()
      await expect(page.getByRole('dialog', { name: 'System prompt' })).toBeVisible()
      report['chat (system prompt dialog)'] = await violations(page, AxeBuilder)
      await page.keyboard.press('Escape')

      await sendInNewConversation(
        page,
        'Write a Python function: ```python\ndef f(x):\n  return x + 1\n```',
      )
      await expect(page.getByRole('button', { name: 'Regenerate', exact: true })).toBeVisible({
        timeout: 45_000,
      })
      await lastRouteBadge(page).click()
      await page
        .getByText(/^Scores of all \d+ candidates$/)
        .last()
        .click()
      report['chat (answer, decision open)'] = await violations(page, AxeBuilder)

      await page.goto('/ui/#/routing')
      await expect(page.getByRole('heading', { name: 'Routing log' })).toBeVisible()
      report['routing log'] = await violations(page, AxeBuilder)

      await page.goto('/ui/#/settings')
      await expect(page.getByRole('heading', { level: 2 }).first()).toBeVisible()
      await page.getByRole('button', { name: 'Test connection to server remote' }).click()
      await expect(
        page.getByRole('status', { name: 'Connection test of server remote' }),
      ).toHaveText(/^Reachable/)
      report['settings'] = await violations(page, AxeBuilder)

      const failing = Object.fromEntries(Object.entries(report).filter(([, v]) => v.length > 0))
      expect(failing).toEqual({})
    })
  }
}

// Issue 15: "Regenerate with a more powerful model" is offered only when it can help: disabled, saying
// why, when no bigger model is on a reachable server or no server is reachable at all.
import AxeBuilder from '@axe-core/playwright'
import { expect, test, type Page } from '@playwright/test'
import { SIZES, openNewChat, sendMessage, waitForAnswers } from './chat-helpers'
import { LOCAL_URL, REMOTE_URL } from './helpers'

test.use({ viewport: SIZES.popover })

/** A frozen simulator accepts connections and never answers; unlike a stopped one it can be healed. */
async function setFault(url: string, kind: 'frozen' | 'none'): Promise<void> {
  const res = await fetch(`${url}/_sim/fault`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind }),
  })
  if (!res.ok) throw new Error(`POST ${url}/_sim/fault answered ${res.status}`)
}

/** Probes every server now (Dashboard → Rediscover) and comes back to the last conversation. */
async function rediscover(page: Page, expected: RegExp): Promise<void> {
  await page.goto('/ui/#/dashboard')
  await page.getByRole('button', { name: 'Rediscover' }).click()
  await expect(page.getByRole('region', { name: expected })).toContainText('Offline', {
    timeout: 30_000,
  })
  await page.goto('/ui/#/chat')
}

test.afterEach(async ({ page }) => {
  await setFault(REMOTE_URL, 'none')
  await setFault(LOCAL_URL, 'none')
  // The other specs expect the whole fleet online again.
  await page.goto('/ui/#/dashboard')
  await page.getByRole('button', { name: 'Rediscover' }).click()
  for (const name of [/^Server remote$/, /^Server localhost$/])
    await expect(page.getByRole('region', { name })).toContainText('Online', { timeout: 30_000 })
})

test('offered while a bigger model is reachable; disabled with the reason when not', async ({
  page,
}) => {
  await openNewChat(page)
  await sendMessage(page, 'Hi! Small answer first')
  await waitForAnswers(page, 1)
  const answer = page.getByRole('article', { name: 'Answer' })
  const bigger = answer.getByRole('button', { name: 'Regenerate with a more powerful model' })
  await expect(bigger).toBeEnabled()

  // The GPU box stops answering: only the laptop's fast models are left.
  await setFault(REMOTE_URL, 'frozen')
  await rediscover(page, /^Server remote$/)
  await expect(bigger).toBeDisabled()
  await expect(bigger).toHaveAccessibleDescription('No balanced model on a reachable server.')

  // And the laptop too: nothing is reachable.
  await setFault(LOCAL_URL, 'frozen')
  await rediscover(page, /^Server localhost$/)
  await expect(bigger).toHaveAccessibleDescription('No server is reachable right now.')
  await expect(bigger).toBeDisabled()
  // The reason beside the disabled button reads well enough (axe-core, light and dark).
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme })
    const { violations } = await new AxeBuilder({ page })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
      .analyze()
    expect(
      violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    ).toEqual([])
  }
})

// axe-core on what the answer versions, Stop and edit added to the chat (issue 15): the "‹ 2/2 ›"
// switcher, the disabled bigger-model button, a message being edited and the Undo edit toast, in
// light and dark at the tray size.
import AxeBuilder from '@axe-core/playwright'
import { expect, test, type Page } from '@playwright/test'
import { SIZES, openNewChat, sendMessage, waitForAnswers } from './chat-helpers'

test.use({ viewport: SIZES.popover })

async function violations(page: Page): Promise<string[]> {
  const { violations: found } = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze()
  return found.map(
    (v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  )
}

test('versions switcher, edit box and Undo edit toast: 0 axe violations, light and dark', async ({
  page,
}) => {
  await openNewChat(page)
  await sendMessage(page, 'Hi! Check my versions')
  await waitForAnswers(page, 1)
  const answer = page.getByRole('article', { name: 'Answer' })
  await answer.getByRole('button', { name: 'Regenerate', exact: true }).click()
  await waitForAnswers(page, 1)
  await expect(answer.getByRole('group', { name: /^Answer versions/ })).toContainText('2/2')
  await answer.getByRole('button', { name: 'Previous version' }).click()
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme })
    expect(await violations(page)).toEqual([])
  }
  const mine = page.getByRole('article', { name: 'Your message' })
  await mine.getByRole('button', { name: 'Edit message' }).click()
  await page.getByRole('textbox', { name: 'Edit your message' }).fill('Hi! Edited for axe')
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme })
    expect(await violations(page)).toEqual([])
  }
  await page.getByRole('button', { name: 'Save & send' }).click()
  await waitForAnswers(page, 1)
  await expect(page.getByRole('button', { name: 'Undo edit' })).toBeVisible()
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme })
    expect(await violations(page)).toEqual([])
  }
})

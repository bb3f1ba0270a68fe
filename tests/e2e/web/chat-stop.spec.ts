// Issue 15: an answer the person stops keeps its route badge and reads "Stopped", after a reload too.
import { expect, test } from '@playwright/test'
import { SIZES, openNewChat, sendMessage, setLocalTrickle } from './chat-helpers'

test.use({ viewport: SIZES.popover })
test.afterEach(async () => setLocalTrickle(null))

test('a stopped answer keeps its route badge and says "Stopped", also after a reload', async ({
  page,
}) => {
  await setLocalTrickle(300)
  await openNewChat(page)
  await sendMessage(page, 'Hi! Tell me a long story please')
  const answer = page.getByRole('article', { name: 'Answer' })
  await expect(answer).toContainText('[gemma3:1b')
  await page.getByRole('button', { name: 'Stop' }).click()
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible()
  await expect(answer.getByRole('note')).toHaveText('Stopped')
  await expect(answer.locator('.route-badge')).toHaveText(/^gemma3:1b @ localhost/)

  await page.reload()
  await expect(page.getByRole('status', { name: 'Core: connected' })).toBeAttached()
  await expect(answer.getByRole('note')).toHaveText('Stopped')
  await expect(answer).not.toContainText('cut short')
  await expect(answer.locator('.route-badge')).toHaveText(/^gemma3:1b @ localhost/)
  // The decision behind it is one click away, as on any answer.
  await answer.locator('.route-badge').click()
  await expect(answer).toContainText('Sent to gemma3:1b on localhost')
})

// Issue 15: edit-and-resend — Edit opens your message in place; Save & send replaces it and the later
// turns, then sends (Undo edit brings them back); Esc cancels.
import { expect, test } from '@playwright/test'
import { SIZES, openNewChat, sendMessage, waitForAnswers } from './chat-helpers'

test.use({ viewport: SIZES.popover })

test('edit a sent message, send it again, undo; Esc cancels an edit', async ({ page }) => {
  await openNewChat(page)
  await sendMessage(page, 'Hi! First version')
  await waitForAnswers(page, 1)
  await sendMessage(page, 'Hi! A second question')
  await waitForAnswers(page, 2)
  const mine = page.getByRole('article', { name: 'Your message' })
  const answers = page.getByRole('article', { name: 'Answer' })

  // Esc cancels: nothing changes.
  await mine.first().getByRole('button', { name: 'Edit message' }).click()
  const box = page.getByRole('textbox', { name: 'Edit your message' })
  await expect(box).toBeFocused()
  await box.fill('Hi! Never sent')
  await box.press('Escape')
  await expect(box).toHaveCount(0)
  await expect(mine.first()).toContainText('Hi! First version')
  await expect(answers).toHaveCount(2)

  // Save & send replaces the message and everything after it, and answers the new text.
  await mine.first().getByRole('button', { name: 'Edit message' }).click()
  await box.fill('Hi! Edited version')
  await page.getByRole('button', { name: 'Save & send' }).click()
  await waitForAnswers(page, 1)
  await expect(mine).toHaveCount(1)
  await expect(mine).toContainText('Hi! Edited version')
  await expect(answers).toHaveCount(1)
  await expect(page.getByText('Message edited and sent again.')).toBeVisible()

  // After a reload the edit is what is stored.
  await page.reload()
  await expect(page.getByRole('status', { name: 'Core: connected' })).toBeAttached()
  await expect(mine).toHaveCount(1)
  await expect(mine).toContainText('Hi! Edited version')

  // Undo (from a fresh edit) brings the replaced turns back.
  await mine.first().getByRole('button', { name: 'Edit message' }).click()
  await box.fill('Hi! Short-lived')
  await box.press('Enter')
  await waitForAnswers(page, 1)
  await page.getByRole('button', { name: 'Undo edit' }).click()
  await expect(mine).toHaveCount(1)
  await expect(mine).toContainText('Hi! Edited version')
  await expect(answers).toHaveCount(1)
  await page.reload()
  await expect(mine).toContainText('Hi! Edited version')
  await expect(page.getByText('Hi! Short-lived')).toHaveCount(0)
})

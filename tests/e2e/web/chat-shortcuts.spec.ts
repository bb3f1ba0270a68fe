// Issue 15: the chat's keyboard shortcuts, listed in a help overlay (?).
import { expect, test } from '@playwright/test'
import { SIZES, addressId, openNewChat, sendMessage, waitForAnswers } from './chat-helpers'

test.use({ viewport: SIZES.laptop })

test('? lists the shortcuts; / focuses the message box; Alt+N starts a new conversation; Ctrl+K searches', async ({
  page,
}) => {
  await openNewChat(page)
  await sendMessage(page, 'Hi! Shortcuts please')
  await waitForAnswers(page, 1)
  await expect(page).toHaveURL(/#\/chat\/[0-9a-f-]{36}$/)
  expect(addressId(page)).not.toBeNull()
  const box = page.getByRole('textbox', { name: 'Message' })

  await page.locator('body').click({ position: { x: 600, y: 400 } })
  await page.keyboard.press('?')
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' })
  await expect(help).toBeVisible()
  for (const keys of ['Esc', 'Alt+N', '/', 'Ctrl+K', '?'])
    await expect(help.getByRole('rowheader', { name: keys, exact: true })).toBeVisible()
  await expect(help.getByRole('button', { name: 'Close' })).toBeFocused()
  await page.keyboard.press('Escape')
  await expect(help).toHaveCount(0)

  // Typing ? in the message box types it.
  await box.focus()
  await page.keyboard.type('?')
  await expect(box).toHaveValue('?')
  await expect(help).toHaveCount(0)
  await box.fill('')

  await page.locator('body').click({ position: { x: 600, y: 400 } })
  await page.keyboard.press('/')
  await expect(box).toBeFocused()

  await page.keyboard.press('Control+k')
  await expect(page.getByRole('searchbox', { name: 'Search conversations' })).toBeFocused()

  await page.keyboard.press('Alt+n')
  await expect(page).toHaveURL(/#\/chat\/new$/)
  await expect(box).toBeFocused()
  await expect(page.getByRole('heading', { name: 'Ask anything' })).toBeVisible()
})

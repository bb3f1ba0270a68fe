// Issue 15: an answer's Copy button puts its text on the clipboard; its speed is shown under it.
import { expect, test } from '@playwright/test'
import { SIZES, openNewChat, sendMessage, waitForAnswers } from './chat-helpers'

test.use({ viewport: SIZES.popover })

test('Copy answer copies the answer’s text and says "Copied"', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'])
  await openNewChat(page)
  await sendMessage(page, 'Hi! Copy this answer')
  await waitForAnswers(page, 1)
  const answer = page.getByRole('article', { name: 'Answer' })
  await answer.getByRole('button', { name: 'Copy answer' }).click()
  await expect(answer.getByRole('button', { name: 'Copied' })).toBeVisible()
  const copied = (await page.evaluate('navigator.clipboard.readText()')) as string
  expect(copied).toMatch(/^\[gemma3:1b@localhost\] /)
  await expect(answer.locator('.markdown')).toHaveText(copied)
  await expect(answer.getByRole('button', { name: 'Copy answer' })).toBeVisible({ timeout: 5000 })
})

test('under each answer: tokens/s and time to first token from the server’s counts', async ({
  page,
}) => {
  await openNewChat(page)
  await sendMessage(page, 'Hi! How fast was that?')
  await waitForAnswers(page, 1)
  await expect(page.getByRole('article', { name: 'Answer' }).getByLabel('Speed')).toHaveText(
    /^\d+(\.\d)? tokens\/s · first token \d+(\.\d)? (ms|s) · \d+ tokens$/,
  )
})

test('Copy on your own message copies what you wrote', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'])
  await openNewChat(page)
  await sendMessage(page, 'Hi! Copy my own words')
  await waitForAnswers(page, 1)
  const mine = page.getByRole('article', { name: 'Your message' })
  await mine.getByRole('button', { name: 'Copy message' }).click()
  await expect(mine.getByRole('button', { name: 'Copied' })).toBeVisible()
  expect(await page.evaluate('navigator.clipboard.readText()')).toBe('Hi! Copy my own words')
})

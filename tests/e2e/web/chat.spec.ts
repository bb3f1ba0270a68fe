import { expect, test } from '@playwright/test'
import { lastRouteBadge, sendInNewConversation } from './helpers'

test.describe.configure({ mode: 'serial' })

test('"Hi!" is answered by gemma3:1b @ localhost and the badge says so', async ({ page }, info) => {
  await sendInNewConversation(page, 'Hi!')
  await expect(lastRouteBadge(page)).toHaveText(/^gemma3:1b @ localhost · trivial · /, {
    timeout: 30_000,
  })
  await expect(page.getByRole('article', { name: 'Answer' }).last()).toContainText(
    '[gemma3:1b@localhost]',
  )
  await page.screenshot({ path: info.outputPath('chat-hi.png'), fullPage: true })
})

test('a coding prompt goes to qwen2.5-coder:14b @ remote', async ({ page }, info) => {
  await sendInNewConversation(
    page,
    'Write an auth system with JWT, refresh tokens and rate limiting in TypeScript',
  )
  await expect(lastRouteBadge(page)).toHaveText(/^qwen2\.5-coder:14b @ remote · /, {
    timeout: 45_000,
  })
  await page.screenshot({ path: info.outputPath('chat-code.png'), fullPage: true })
})

test('a reload keeps the conversation', async ({ page }) => {
  await sendInNewConversation(page, 'Hi! Remember me after a reload.')
  await expect(lastRouteBadge(page)).toBeVisible({ timeout: 30_000 })
  await page.reload()
  const conv = page.getByRole('button', { name: /^Hi! Remember me after a reload\./ })
  await expect(conv).toBeVisible()
  await conv.click()
  await expect(page.getByRole('article', { name: 'Your message' })).toContainText(
    'Hi! Remember me after a reload.',
  )
  await expect(lastRouteBadge(page)).toBeVisible()
})

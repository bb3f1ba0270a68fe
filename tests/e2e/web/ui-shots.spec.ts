// Screenshots of the views for docs/ui.md at the tray size and two desktop sizes. Only with
// AILLM_UI_SHOTS=1 (they are written into docs/screenshots/, not test-results/).
import { expect, test } from '@playwright/test'
import { lastRouteBadge, sendInNewConversation } from './helpers'

const SIZES = [
  { width: 420, height: 700 },
  { width: 1024, height: 700 },
  { width: 1440, height: 900 },
]

test('screenshots of the views for docs/ui.md', async ({ page }) => {
  test.skip(
    process.env['AILLM_UI_SHOTS'] !== '1',
    'set AILLM_UI_SHOTS=1 to refresh docs/screenshots',
  )
  test.setTimeout(180_000)
  await sendInNewConversation(
    page,
    'Write an auth system with JWT, refresh tokens and rate limiting',
  )
  await expect(page.getByRole('button', { name: 'Regenerate', exact: true })).toBeVisible({
    timeout: 60_000,
  })
  for (const size of SIZES) {
    const tag = `${size.width}x${size.height}`
    await page.setViewportSize(size)
    await page.goto('/ui/#/dashboard')
    await expect(page.getByRole('region', { name: /^Server / }).first()).toBeVisible()
    await page.screenshot({ path: `docs/screenshots/dashboard-${tag}.png` })
    await page.goto('/ui/#/chat')
    await page.getByRole('button', { name: 'Regenerate', exact: true }).waitFor()
    await lastRouteBadge(page).click()
    await page
      .getByText(/^Scores of all \d+ candidates$/)
      .last()
      .click()
    await page.screenshot({ path: `docs/screenshots/chat-decision-${tag}.png`, fullPage: true })
    await page.goto('/ui/#/routing')
    await expect(page.getByRole('heading', { name: 'Routing log' })).toBeVisible()
    await page.screenshot({ path: `docs/screenshots/routing-log-${tag}.png` })
  }
})

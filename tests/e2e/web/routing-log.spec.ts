import { expect, test } from '@playwright/test'
import { lastRouteBadge, sendInNewConversation } from './helpers'

test('the routing log lists the decisions, newest first, with candidates', async ({
  page,
}, info) => {
  await sendInNewConversation(page, 'Hi! This goes to the routing log.')
  await expect(lastRouteBadge(page)).toBeVisible({ timeout: 30_000 })
  await page.getByRole('link', { name: 'Routing log' }).click()
  await expect(page.getByRole('heading', { name: 'Routing log' })).toBeVisible()
  const rows = page.locator('table.log tbody tr')
  await expect(rows.first()).toContainText('Hi! This goes to the routing log.')
  await expect(rows.first()).toContainText(' @ ')
  expect(await rows.count()).toBeGreaterThanOrEqual(1)
  await page
    .getByRole('button', { name: /Show candidates of “Hi! This goes to the routing log/ })
    .click()
  // The decision in words first; the scores one click further.
  await expect(page.locator('.explain-headline').first()).toContainText('Sent to ')
  await page
    .getByText(/^Scores of all \d+ candidates$/)
    .first()
    .click()
  await expect(page.getByRole('table', { name: /Candidates/ })).toBeVisible()
  await page.getByRole('combobox', { name: 'Complexity' }).selectOption('complex')
  await expect(
    page.locator('table.log tbody tr', { hasText: 'This goes to the routing log' }),
  ).toHaveCount(0)
  await page.screenshot({ path: info.outputPath('routing-log.png'), fullPage: true })
})

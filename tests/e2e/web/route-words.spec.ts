// Issue 15, fleet side: the route in plain words, the picker/header override line, and a failover cut
// mid-answer (a healable fault, so the other specs still see the whole fleet): the seam in words, the
// toast, the badge naming both models, the log's outcome column and the Fallbacks-only filter.
import { expect, test } from '@playwright/test'
import { lastRouteBadge, REMOTE_SIM, sendInNewConversation, tryHealRemote } from './helpers'

const CODE_TASK = 'Write an auth system with JWT, refresh tokens and rate limiting'

test('the route badge opens the decision in plain words, the scores one click further', async ({
  page,
}) => {
  await page.setViewportSize({ width: 420, height: 700 })
  await sendInNewConversation(page, CODE_TASK)
  const badge = lastRouteBadge(page)
  await expect(badge).toHaveText(/^qwen2\.5-coder:14b @ remote · complex · code$/, {
    timeout: 45_000,
  })
  // Once the answer is stored (a streaming answer's badge is replaced by the stored one's).
  await expect(page.getByRole('button', { name: 'Regenerate', exact: true })).toBeVisible({
    timeout: 45_000,
  })
  await badge.click()
  const details = page.locator('.route-details').last()
  await expect(details.locator('.explain-headline')).toHaveText(
    'Sent to qwen2.5-coder:14b on remote: a demanding coding task, and remote is the main server.',
  )
  await expect(details).toContainText('qwen2.5-coder:14b is a specialist for this kind of task.')
  const table = details.getByRole('table', { name: /Candidates/ })
  await expect(table).toBeHidden()
  await details.getByText(/^Scores of all \d+ candidates$/).click()
  await expect(table).toBeVisible()
  await expect(table.getByRole('columnheader')).toHaveText([
    'Model @ server',
    'Score',
    'What counted',
  ])
  // Readable at 420 px: the table wraps instead of running off to the side.
  const box = await table.boundingBox()
  expect(box?.width ?? 9999).toBeLessThanOrEqual(420)
  const region = details.getByRole('region', { name: /Candidates/ })
  await expect(region).toHaveAttribute('tabindex', '0')
})

test('the chat picker says it overrides the header mode', async ({ page }) => {
  await page.goto('/ui/#/chat')
  await expect(page.getByRole('status', { name: 'Core: connected' })).toBeVisible()
  const header = page.getByRole('combobox', { name: 'Routing mode' })
  const picker = page.getByRole('combobox', { name: 'Model' })
  try {
    await header.selectOption({ label: 'Only localhost' })
    await expect(page.getByRole('option', { name: 'Auto: Only localhost' })).toBeAttached()
    await expect(page.getByRole('note').filter({ hasText: 'Follows the header' })).toHaveText(
      'Follows the header’s routing mode: Only localhost.',
    )
    await picker.selectOption({ label: 'gemma3:12b @ remote' })
    await expect(page.locator('#model-picker-note')).toHaveText(
      'Overrides “Only localhost” (the header’s routing mode) for messages sent here.',
    )
  } finally {
    await picker.selectOption({ index: 0 })
    await header.selectOption({ label: 'Automatic (route by task)' })
  }
})

test('an answer cut mid-stream: seam in words, toast, badge, log outcome and Fallbacks only', async ({
  page,
}, info) => {
  const res = await fetch(REMOTE_SIM, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'drop-after', chunks: 3 }),
  })
  expect(res.ok).toBe(true)
  try {
    await sendInNewConversation(page, `${CODE_TASK} (cut mid-answer)`)
    const answer = page.getByRole('article', { name: 'Answer' }).last()
    const seam = answer.getByRole('separator')
    await expect(seam).toHaveText(/^remote stopped answering — continued on localhost \(.+\)$/, {
      timeout: 45_000,
    })
    await expect(answer).not.toContainText('stream-dropped')
    const toast = page.getByRole('status', { name: 'Routing notices' })
    await expect(toast).toContainText(
      /Failover: remote stopped answering — continued on localhost \(.+\)\./,
    )
    await expect(lastRouteBadge(page)).toHaveText(
      /@ localhost · complex · code · started on qwen2\.5-coder:14b @ remote$/,
    )
    await page.screenshot({ path: info.outputPath('failover-toast.png') })

    await toast.getByRole('link', { name: 'Routing log' }).click()
    const row = page.locator('table.log tbody tr', { hasText: '(cut mid-answer)' }).first()
    await expect(row.locator('td.outcome')).toHaveText(/^failed over → .+ @ localhost$/)
    const routed = page.locator('table.log tbody tr', { hasText: 'routed' })
    await page.getByRole('checkbox', { name: 'Fallbacks only' }).check()
    await expect(row).toBeVisible()
    await expect(routed.locator('td.outcome', { hasText: /^routed$/ })).toHaveCount(0)
    await page.screenshot({ path: info.outputPath('routing-log-failover.png'), fullPage: true })
  } finally {
    await tryHealRemote()
  }
})

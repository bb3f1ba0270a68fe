import { expect, test } from '@playwright/test'
import {
  LOCAL_URL,
  lastRouteBadge,
  REMOTE_REGION,
  sendInNewConversation,
  setRemoteFault,
  tryHealRemote,
} from './helpers'

// Runs in the last project (playwright.config.ts): it stops a server the other specs need.
test('stopping the remote server shows the fallback warning on the next complex prompt', async ({
  page,
}, info) => {
  await setRemoteFault('stopped')
  try {
    await sendInNewConversation(
      page,
      'Write an auth system with JWT, refresh tokens and rate limiting',
    )
    const answer = page.getByRole('article', { name: 'Answer' }).last()
    await expect(answer.getByRole('alert')).toContainText('A simplified model is being used', {
      timeout: 45_000,
    })
    await expect(lastRouteBadge(page)).toHaveText(/@ localhost · complex · /)
    await page.screenshot({ path: info.outputPath('chat-fallback.png'), fullPage: true })
  } finally {
    await tryHealRemote()
  }
})

// The remote stays stopped from here on (see above): every view must say it the same way.
test('a stopped remote reads Offline everywhere: card, matrix, picker; the header when none is left', async ({
  page,
}, info) => {
  await setRemoteFault('stopped').catch(() => undefined)
  await page.goto('/ui/#/dashboard')
  await page.getByRole('button', { name: 'Rediscover' }).click()
  const card = page.getByRole('region', { name: REMOTE_REGION })
  await expect(card).toContainText('Offline', { timeout: 30_000 })
  await expect(card).toHaveClass(/status-offline/)
  await expect(card).not.toContainText('breaker')
  await expect(card.locator('.latency')).toHaveClass(/stale/)
  const matrix = page.getByRole('table', { name: 'Models × servers' })
  await expect(matrix.getByRole('row', { name: /^Status/ })).toContainText(/Offline.*Online/)
  await expect(matrix.getByRole('row', { name: /qwen2\.5-coder:14b/ })).toContainText('unavailable')
  await expect(matrix.getByRole('row', { name: /gemma3:1b/ })).not.toContainText('unavailable')
  await page.screenshot({ path: info.outputPath('dashboard-offline.png'), fullPage: true })

  await page.getByRole('link', { name: 'Chat' }).click()
  await expect(
    page.getByRole('option', { name: 'qwen2.5-coder:14b @ remote (unavailable: server offline)' }),
  ).toBeDisabled()
  await expect(page.getByRole('option', { name: 'gemma3:1b @ localhost' })).toBeEnabled()
  await expect(page.getByRole('status', { name: /^Core: connected$/ })).toHaveText('connected')

  // Now the laptop too: the header says so instead of a green "connected".
  await fetch(`${LOCAL_URL}/_sim/fault`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'stopped' }),
  })
  await page.getByRole('link', { name: 'Dashboard' }).click()
  await page.getByRole('button', { name: 'Rediscover' }).click()
  await expect(page.getByRole('status', { name: /No server reachable/ })).toHaveText(
    'No server reachable',
    { timeout: 30_000 },
  )
  await page.screenshot({ path: info.outputPath('no-server.png'), fullPage: true })
})

import { expect, test } from '@playwright/test'
import { lastRouteBadge, sendInNewConversation, setRemoteFault, tryHealRemote } from './helpers'

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

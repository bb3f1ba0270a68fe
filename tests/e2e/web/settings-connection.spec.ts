// Issue 15: "Test connection" per server in Settings, against the simulated fleet.
import { createServer } from 'node:net'
import { expect, test } from '@playwright/test'
import { REMOTE_URL } from './helpers'

/** A 127.0.0.1 port nothing listens on: one the OS handed out and that was closed again. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

test('Test connection says reachable with the version, models and latency, or why not', async ({
  page,
}, info) => {
  await page.goto('/ui/#/settings')
  const remote = new URL(REMOTE_URL)
  await page.getByRole('button', { name: 'Test connection to server remote' }).click()
  await expect(page.getByRole('status', { name: 'Connection test of server remote' })).toHaveText(
    new RegExp(
      `^Reachable at ${remote.hostname}:${remote.port}: Ollama \\d+\\.\\d+\\.\\d+, \\d+ models, \\d+ ms$`,
    ),
  )
  // An address typed but not saved is what gets tested.
  const port = await closedPort()
  const url = page.getByRole('textbox', { name: 'URL of server 2' })
  await url.fill(`http://127.0.0.1:${port}`)
  await page.getByRole('button', { name: /^Test connection to server (2|localhost)$/ }).click()
  await expect(
    page.getByRole('status', { name: /^Connection test of server (2|localhost)$/ }),
  ).toHaveText(`Could not reach 127.0.0.1:${port}: connection refused`)
  // A typo names what is wrong.
  await url.fill('127.0.0.1:11434')
  await page.getByRole('button', { name: /^Test connection to server (2|localhost)$/ }).click()
  await expect(
    page.getByRole('status', { name: /^Connection test of server (2|localhost)$/ }),
  ).toHaveText(/"127\.0\.0\.1:11434" needs http:\/\/ or https:\/\/ in front/)
  await page.screenshot({ path: info.outputPath('settings-test-connection.png'), fullPage: true })
})

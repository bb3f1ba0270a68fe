// Browser tests of the renderer against `serve` on the simulator's seed fleet (issue 7).
import { existsSync } from 'node:fs'
import { defineConfig } from '@playwright/test'

/** Debian's Chromium where it exists (Playwright cannot download its browsers here), else Playwright's own. */
const executablePath = existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined

export default defineConfig({
  testDir: 'tests/e2e/web',
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results',
  globalSetup: './tests/e2e/web/global-setup.ts',
  // One demo fleet, one core: the specs share it and one of them stops a server, so run them in order.
  workers: 1,
  fullyParallel: false,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  // The failover spec stops the simulated GPU box for good (a stopped simulator cannot be healed over
  // HTTP), so it runs after everything else.
  projects: [
    { name: 'views', testIgnore: '**/failover.spec.ts' },
    { name: 'failover', testMatch: '**/failover.spec.ts', dependencies: ['views'] },
  ],
  use: {
    baseURL:
      process.env['AILLM_E2E_URL'] ?? `http://127.0.0.1:${process.env['AILLM_E2E_PORT'] ?? 8000}`,
    browserName: 'chromium',
    screenshot: 'on',
    trace: 'retain-on-failure',
    launchOptions: {
      ...(executablePath ? { executablePath } : {}),
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
      ],
    },
  },
})

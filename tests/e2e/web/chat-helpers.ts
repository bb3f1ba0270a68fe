// Steps the chat specs of issue 15 share: sizes, a slow answer, the layout checks.
import { expect, type Page } from '@playwright/test'
import { LOCAL_URL } from './helpers'

/** The three sizes the chat is designed for: the tray popover, a small and a large desktop window. */
export const SIZES = {
  popover: { width: 420, height: 700 },
  laptop: { width: 1024, height: 700 },
  desktop: { width: 1440, height: 900 },
} as const

/** Makes the simulated laptop ("localhost", where greetings go) stream one chunk every `ms`, or heals it. */
export async function setLocalTrickle(ms: number | null): Promise<void> {
  const res = await fetch(`${LOCAL_URL}/_sim/fault`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ms === null ? { kind: 'none' } : { kind: 'trickle', msPerChunk: ms }),
  })
  if (!res.ok) throw new Error(`POST ${LOCAL_URL}/_sim/fault answered ${res.status}`)
}

/** Opens the chat at a new conversation and waits for the core. */
export async function openNewChat(page: Page): Promise<void> {
  await page.goto('/ui/#/chat/new')
  await expect(page.getByRole('status', { name: 'Core: connected' })).toBeAttached()
}

/** Types a message and presses Enter. */
export async function sendMessage(page: Page, text: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Message' })
  await box.fill(text)
  await box.press('Enter')
}

/** Waits until the open conversation has `n` finished answers (each shows its route badge). */
export async function waitForAnswers(page: Page, n: number, timeout = 30_000): Promise<void> {
  await expect(page.locator('article[aria-label="Answer"] .route-badge')).toHaveCount(n, {
    timeout,
  })
  await expect(page.locator('article[aria-busy="true"]')).toHaveCount(0, { timeout })
  await expect(page.getByRole('article', { name: 'Queued message' })).toHaveCount(0, { timeout })
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible({ timeout })
}

/** Nothing is wider than the window: the page never scrolls sideways. */
export async function expectNoSidewaysScroll(page: Page): Promise<void> {
  // A string: this project's tsconfig has no DOM types for the test side.
  const [scrollWidth, innerWidth] = (await page.evaluate(
    '[document.documentElement.scrollWidth, window.innerWidth]',
  )) as [number, number]
  expect(scrollWidth).toBeLessThanOrEqual(innerWidth)
}

/** The conversation id in the address (`#/chat/<id>`), or null at `#/chat/new`. */
export function addressId(page: Page): string | null {
  const m = /#\/chat\/([^/?]+)$/.exec(page.url())
  return m && m[1] !== 'new' ? decodeURIComponent(m[1] ?? '') : null
}

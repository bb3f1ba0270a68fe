// Shared steps of the browser tests.
import { expect, type Page } from '@playwright/test'

/** Where the seed fleet's "remote" listens (global-setup sets it when the fleet runs on free ports). */
export const REMOTE_URL = process.env['AILLM_E2E_REMOTE_URL'] ?? 'http://127.0.0.1:11500'
/** Where the seed fleet's "localhost" listens. */
export const LOCAL_URL = process.env['AILLM_E2E_LOCAL_URL'] ?? 'http://127.0.0.1:11501'
/** The simulator's control endpoint of the "remote" server of the seed fleet. */
export const REMOTE_SIM = `${REMOTE_URL}/_sim/fault`

// The seed fleet's GPU box is the simulator's "remote"; the demo config names it "remote" too.
/** The GPU box's name as a column header. */
export const REMOTE_NAME = /^remote$/
/** The GPU box's card on the map. */
export const REMOTE_REGION = /^Server remote$/
/** The mode switch's "Only <GPU box>" option. */
export const REMOTE_OPTION = /Only remote/

/** Sets a fault on the simulated remote server ({kind:'none'} heals it). */
export async function setRemoteFault(kind: 'stopped' | 'none'): Promise<void> {
  const res = await fetch(REMOTE_SIM, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind }),
  })
  if (!res.ok) throw new Error(`POST ${REMOTE_SIM} answered ${res.status}`)
}

/**
 * Tries to heal the remote server. A `stopped` simulator closes its listener, control endpoint included,
 * so this usually cannot reach it: that is why the failover spec runs in the last project.
 */
export async function tryHealRemote(): Promise<void> {
  await setRemoteFault('none').catch(() => undefined)
}

/**
 * Starts a new conversation the way a person would at this size: "New conversation" in the list beside
 * the chat, or "New chat" in the chat's own row at tray size (the list is in a closed drawer there).
 */
export async function newConversation(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^New (conversation|chat)$/ }).click()
  await expect(page).toHaveURL(/#\/chat\/new$/)
}

/** Opens the chat, starts a new conversation and sends one message. */
export async function sendInNewConversation(page: Page, text: string): Promise<void> {
  await page.goto('/ui/#/chat')
  await expect(page.getByRole('status', { name: 'Core: connected' })).toBeVisible()
  await newConversation(page)
  const box = page.getByRole('textbox', { name: 'Message' })
  await box.fill(text)
  await box.press('Enter')
}

/** The route badge of the last answer, once the answer is done. */
export function lastRouteBadge(page: Page) {
  return page.getByRole('article', { name: 'Answer' }).last().locator('.route-badge')
}

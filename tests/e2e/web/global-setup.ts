// Starts the demo (simulated seed fleet + serve on 127.0.0.1:8000) for the browser tests, and stops it after.
// AILLM_E2E_PORT=N runs serve on N and the fleet on free ports, so two runs can go side by side.
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'

const PORT = Number(process.env['AILLM_E2E_PORT'] ?? 8000)
const BASE = process.env['AILLM_E2E_URL'] ?? `http://127.0.0.1:${PORT}`
const READY_URL = `${BASE}/api/models/servers`

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) })
    return res.ok
  } catch {
    return false
  }
}

// Routing right after start can see a server still probing; the specs expect the whole fleet online.
async function fleetOnline(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) })
    if (!res.ok) return false
    const body = (await res.json()) as { available?: number; total?: number }
    return typeof body.total === 'number' && body.total > 0 && body.available === body.total
  } catch {
    return false
  }
}

async function waitReady(timeoutMs: number, child: ChildProcess | null): Promise<void> {
  const end = Date.now() + timeoutMs
  while (Date.now() < end) {
    if (child && child.exitCode !== null)
      throw new Error(
        `npm run demo exited with code ${child.exitCode} before ${READY_URL} answered`,
      )
    if (await fleetOnline(READY_URL)) return
    await new Promise((r) => setTimeout(r, 500))
  }
  throw new Error(
    `The demo did not report every server online at ${READY_URL} within ${timeoutMs / 1000} s`,
  )
}

/** Playwright global setup: returns the teardown. */
export default async function globalSetup(): Promise<() => Promise<void>> {
  if (process.env['AILLM_E2E_URL']) {
    // Pointed at a demo someone started by hand: use it as it is.
    await waitReady(10_000, null)
    return async () => undefined
  }
  if (await answers(READY_URL))
    throw new Error(
      `Something already answers ${READY_URL}. Stop it (another demo?) or set AILLM_E2E_URL to use it.`,
    )
  try {
    const { startDemo } = (await import('../../../electron/serve/demo')) as {
      startDemo: (o?: {
        port?: number
        freeFleetPorts?: boolean
      }) => Promise<{ close(): Promise<void>; fleet: { get(name: string): { url: string } } }>
    }
    const demo = await startDemo({ port: PORT, freeFleetPorts: PORT !== 8000 })
    // Playwright hands the workers this process's environment: the specs find the fleet through it.
    process.env['AILLM_E2E_REMOTE_URL'] = demo.fleet.get('remote').url
    process.env['AILLM_E2E_LOCAL_URL'] = demo.fleet.get('localhost').url
    await waitReady(60_000, null)
    return () => demo.close()
  } catch (err) {
    console.warn(`startDemo() not usable here (${(err as Error).message}); spawning npm run demo`)
  }
  const child = spawn('npm', ['run', 'demo'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  })
  await waitReady(120_000, child)
  return async () => {
    if (child.pid && child.exitCode === null) process.kill(-child.pid, 'SIGTERM')
  }
}

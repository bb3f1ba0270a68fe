/**
 * Issue 13 point 4 over real HTTP: `api.token` rotated by editing config.yaml while `serve` runs is in
 * force at once — the old token is refused, the new one accepted, on the API and on the WebSocket —
 * and `config:get` shows exactly the token the guard checks. An `api.port` edit is flagged as needing
 * a restart (the API keeps its port), and an emptied file keeps the token in force.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import type { ConfigView } from '../../../shared/types'
import { startServeFixture, type ServeFixture } from '../../helpers/serve-fixture'

let fx: ServeFixture
beforeAll(async () => {
  fx = await startServeFixture({ tail: 'api:\n  token: old-token-1\n' })
})
afterAll(async () => {
  await fx?.close()
})

/** Status of GET /api/tags with this Bearer token. */
async function tagsWith(token: string): Promise<number> {
  const res = await fetch(`${fx.serve.url}/api/tags`, {
    headers: { Authorization: `Bearer ${token}` },
  })
  await res.arrayBuffer()
  return res.status
}

/** The HTTP status a WebSocket handshake with this ?token= gets: 101 when it opens. */
function wsStatus(token: string): Promise<number> {
  const ws = new WebSocket(`${fx.serve.url.replace('http', 'ws')}/ws?token=${token}`)
  return new Promise<number>((resolve) => {
    ws.on('upgrade', () => resolve(101))
    ws.on('open', () => ws.close())
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
    ws.on('error', () => resolve(-1))
  })
}

/** Rewrites config.yaml and waits for the core to reload it. */
async function editConfig(change: (text: string) => string): Promise<ConfigView> {
  const text = await readFile(fx.configPath, 'utf8')
  const reloaded = new Promise<ConfigView>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('config not reloaded within 5 s')), 5000)
    const stop = fx.serve.core.on('config:changed', (view) => {
      clearTimeout(timer)
      stop()
      resolve(view)
    })
  })
  await writeFile(fx.configPath, change(text))
  return reloaded
}

describe('rotating api.token by editing config.yaml while serve runs', () => {
  it('the old token is refused and the new one accepted at once, over HTTP and the WebSocket', async () => {
    expect(await tagsWith('old-token-1')).toBe(200)
    expect(await wsStatus('old-token-1')).toBe(101)

    const view = await editConfig((t) => t.replace('old-token-1', 'new-token-2'))
    expect(view.issues).toEqual([])
    expect(view.config.api.token).toBe('new-token-2')

    expect(await tagsWith('old-token-1')).toBe(401)
    expect(await tagsWith('new-token-2')).toBe(200)
    expect(await wsStatus('old-token-1')).toBe(401)
    expect(await wsStatus('new-token-2')).toBe(101)
    // What config:get shows is what the guard checks.
    expect((await fx.serve.core.handlers['config:get']()).config.api.token).toBe('new-token-2')
  })

  it('an api.port edit is flagged restart-needed and the API keeps answering where it is', async () => {
    const view = await editConfig((t) => t.replace('api:\n', 'api:\n  port: 8123\n'))
    expect(view.restartNeeded).toEqual([{ key: 'api.port', running: 8000, configured: 8123 }])
    expect(fx.logger.records.map((r) => r.message)).toContain(
      `api.port changed to 8123 in ${fx.configPath}: the local API keeps 8000 until AILLM is restarted`,
    )
    expect(await tagsWith('new-token-2')).toBe(200)
  })

  it('an emptied config.yaml keeps the token in force (not the defaults, which have none)', async () => {
    const view = await editConfig(() => '')
    expect(view.issues.map((i) => i.message)).toEqual([expect.stringMatching(/^the file is empty/)])
    expect(view.config.api.token).toBe('new-token-2')
    const res = await fetch(`${fx.serve.url}/api/tags`)
    expect(res.status).toBe(401)
    expect(await tagsWith('new-token-2')).toBe(200)
  })
})

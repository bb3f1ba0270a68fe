/**
 * The executor's fetch keeps connections alive, and retries once, on a fresh connection, when a reused
 * socket turns out to have been closed by the server before answering.
 */
import http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createTimedFetch } from '../../../../electron/core/chat/timed-fetch'

let server: http.Server | null = null

afterEach(async () => {
  server?.closeAllConnections()
  await new Promise((r) => server?.close(r))
  server = null
})

/** A server that answers `ok`, and resets the n-th request arriving on an already used socket. */
async function start(resetReused: boolean) {
  const perSocket = new Map<Socket, number>()
  const seen = { requests: 0, sockets: new Set<Socket>() }
  server = http.createServer((req, res) => {
    seen.requests++
    seen.sockets.add(req.socket)
    const n = (perSocket.get(req.socket) ?? 0) + 1
    perSocket.set(req.socket, n)
    req.resume()
    req.on('end', () => {
      if (resetReused && n > 1) {
        req.socket.destroy() // as if the server had closed the idle connection
        return
      }
      res.end('ok')
    })
  })
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}/api/chat`, seen }
}

describe('createTimedFetch', () => {
  it('reuses the connection between requests', async () => {
    const { url, seen } = await start(false)
    const f = createTimedFetch()
    for (let i = 0; i < 3; i++) {
      const res = await f(url, { method: 'POST', body: '{}' })
      expect(await res.text()).toBe('ok')
    }
    expect(seen.requests).toBe(3)
    expect(seen.sockets.size).toBe(1)
  })

  it('retries once on a fresh connection when a reused socket was closed before answering', async () => {
    const { url, seen } = await start(true)
    const f = createTimedFetch()
    expect(await (await f(url, { method: 'POST', body: '{}' })).text()).toBe('ok')
    const second = await f(url, { method: 'POST', body: '{}' })
    expect(second.status).toBe(200)
    expect(await second.text()).toBe('ok')
    // The reset request plus its retry on a new socket.
    expect(seen.requests).toBe(3)
    expect(seen.sockets.size).toBe(2)
  })
})

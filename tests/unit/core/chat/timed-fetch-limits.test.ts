/**
 * The executor's fetch under its limits: the connect deadline and its error, the NDJSON check (on
 * only when asked), the request it makes by default, and what an abort rejects with.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import {
  ConnectTimeoutError,
  createTimedFetch,
  fetchLimits,
  type FetchLimits,
} from '../../../../electron/core/chat/timed-fetch'
import { blackHole } from '../../../integration/chat/black-hole'

let server: http.Server | null = null

afterEach(async () => {
  const s = server
  server = null
  if (!s) return
  s.closeAllConnections()
  await new Promise((r) => s.close(r))
})

/** A server answering every request with this NDJSON body; it records each request's method. */
async function ndjsonServer(body: string) {
  const methods: string[] = []
  server = http.createServer((req, res) => {
    methods.push(req.method ?? '')
    req.resume()
    res.writeHead(200, { 'Content-Type': 'application/x-ndjson' })
    res.end(body)
  })
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  return { origin: `http://127.0.0.1:${port}`, methods }
}

const limits = (over: Partial<FetchLimits> = {}): FetchLimits => ({
  connectMs: 5_000,
  signal: null,
  validateNdjson: false,
  ...over,
})

describe('createTimedFetch limits', () => {
  it('gives up connecting after connectMs with an error naming the origin and the limit', async () => {
    const hole = await blackHole()
    try {
      const f = createTimedFetch(() => limits({ connectMs: 200 }))
      const err = await f(`${hole.url}/api/chat`, { method: 'POST', body: '{}' }).catch(
        (e: unknown) => e,
      )
      expect(err).toBeInstanceOf(ConnectTimeoutError)
      const timeout = err as ConnectTimeoutError
      expect(timeout.name).toBe('ConnectTimeoutError')
      expect(timeout.ms).toBe(200)
      expect(timeout.url).toBe(hole.url)
      expect(timeout.message).toContain(hole.url)
      expect(timeout.message).toContain('200 ms')
    } finally {
      hole.stop()
    }
  })

  it('leaves the body alone unless asked to check it (outside any limits too)', async () => {
    const body = '{"a":1}\nNOT JSON\n{"b":2}\n'
    const { origin } = await ndjsonServer(body)
    const outside = await createTimedFetch()(`${origin}/api/chat`)
    expect(await outside.text()).toBe(body)
    const unchecked = await createTimedFetch(() => limits())(`${origin}/api/chat`)
    expect(await unchecked.text()).toBe(body)
  })

  it('ends a checked stream at its first malformed line with an error line naming it', async () => {
    const bad = `NOT JSON ${'x'.repeat(200)}`
    const { origin } = await ndjsonServer(`{"a":1}\n${bad}\n{"b":2}\n`)
    const f = createTimedFetch()
    const res = await fetchLimits.run(limits({ validateNdjson: true }), () =>
      f(`${origin}/api/chat`),
    )
    const lines = (await res.text()).split('\n').filter((l) => l !== '')
    expect(lines).toHaveLength(2)
    expect(JSON.parse(lines[0] ?? '')).toEqual({ a: 1 })
    const { error } = JSON.parse(lines[1] ?? '') as { error: string }
    expect(error.startsWith('malformed chunk in the stream')).toBe(true)
    expect(error).toContain(origin)
    // The offending line, cut short: enough to recognise, not a whole broken document.
    expect(error).toContain(bad.slice(0, 80))
    expect(error).not.toContain(bad.slice(0, 81))
  })

  it('a JSON line that is not an object is malformed too', async () => {
    const { origin } = await ndjsonServer('{"a":1}\n[1,2]\n')
    const f = createTimedFetch(() => limits({ validateNdjson: true }))
    const lines = (await (await f(`${origin}/api/chat`)).text()).split('\n').filter(Boolean)
    expect(lines).toHaveLength(2)
    expect(lines[1]).toContain('malformed chunk in the stream')
  })

  it('asks with GET when no method is given', async () => {
    const { origin, methods } = await ndjsonServer('{}\n')
    await (await createTimedFetch()(`${origin}/api/tags`)).text()
    await (await createTimedFetch()(`${origin}/api/chat`, { method: 'POST', body: '{}' })).text()
    expect(methods).toEqual(['GET', 'POST'])
  })

  it.each<[string, unknown, string]>([
    ['a text reason', 'user left', 'user left'],
    ['a reason that is neither text nor an error', 42, 'This operation was aborted'],
  ])('an abort with %s rejects with an AbortError', async (_name, reason, message) => {
    const { origin, methods } = await ndjsonServer('{}\n')
    const err = await createTimedFetch()(`${origin}/api/chat`, {
      signal: AbortSignal.abort(reason),
    }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(Error)
    expect((err as Error).name).toBe('AbortError')
    expect((err as Error).message).toBe(message)
    expect(methods).toEqual([])
  })

  it('an abort whose reason is an error rejects with that very error', async () => {
    const { origin } = await ndjsonServer('{}\n')
    const why = new Error('deadline')
    const controller = new AbortController()
    controller.abort(why)
    const err = await fetchLimits
      .run(limits({ signal: controller.signal }), () => createTimedFetch()(`${origin}/api/chat`))
      .catch((e: unknown) => e)
    expect(err).toBe(why)
  })
})

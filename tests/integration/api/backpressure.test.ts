/**
 * Issue 13 point 2 (HTTP side): a client that stops reading a streamed answer stops AILLM reading the
 * upstream stream (proved by the bytes a relay in front of the simulator passed on, not by timing), and
 * after the stall limit the upstream request is cancelled and the answer ended. A `stream: false` answer
 * beyond the cap stops the upstream and answers 502 naming the cap.
 */
import { request, type IncomingMessage } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startLocalApi, type LocalApi } from '../../../electron/core/api/local-api'
import {
  startCountingRelay,
  startEdgeServe,
  waitUntil,
  type CountingRelay,
  type EdgeServe,
} from './edge-helpers'

/** Words of the simulator's reply: ~90 bytes of NDJSON each upstream, ~36 MB in all (8 s at 50,000 tokens/s). */
const REPLY_WORDS = 400_000
const STALL_MS = 4000

let fx: EdgeServe
let relay: CountingRelay

beforeAll(async () => {
  fx = await startEdgeServe(
    // Several slots: a generation cut off mid-write keeps its slot in the simulator.
    { replyWords: REPLY_WORDS, tokensPerSecond: 50_000, timeScale: 1, numParallel: 8 },
    {
      stallMs: STALL_MS,
      upstream: async (simUrl) => {
        relay = await startCountingRelay(simUrl)
        return relay.url
      },
    },
  )
})
afterAll(async () => {
  await fx?.close()
  await relay?.close()
})

/** Starts a streamed chat and hands back the response once its headers came; nothing is read after that. */
function startStream(url: string, path: string, body: unknown): Promise<IncomingMessage> {
  const u = new URL(url)
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path,
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
      },
      resolve,
    )
    req.on('error', reject)
    req.end(JSON.stringify(body))
  })
}

/** The upstream route each face's request goes to (the executor always streams /api/chat). */
const UPSTREAM_PATH: Record<string, string> = {
  '/api/chat': '/api/chat',
  '/v1/chat/completions': '/api/chat',
}

describe('a client that stops reading a streamed answer', () => {
  it.each([
    ['/api/chat', { model: 'auto', messages: [{ role: 'user', content: 'Explain it' }] }],
    [
      '/v1/chat/completions',
      { model: 'auto', stream: true, messages: [{ role: 'user', content: 'Explain it' }] },
    ],
  ])(
    '%s: the upstream is not read meanwhile, and is cancelled after the stall limit',
    async (path, body) => {
      const before = relay.upstreamBytes()
      const requestsBefore = fx.sim.requests.length
      // What the relay had read from the simulator, every 100 ms.
      const samples: { at: number; bytes: number }[] = []
      const sampler = setInterval(
        () => samples.push({ at: Date.now(), bytes: relay.upstreamBytes() - before }),
        100,
      )
      const res = await startStream(fx.serve.url, path, body)
      expect(res.statusCode).toBe(200)
      // Read a little, then stop reading altogether (the socket's buffers fill up).
      let read = 0
      res.on('data', (c: Buffer) => {
        read += c.length
        if (read > 64 * 1024) res.pause()
      })
      try {
        // The stall limit passes: the upstream request is cancelled (the relay's connection to the
        // simulator closes) and the request ends.
        await waitUntil(
          () => relay.openUpstreams(`POST ${UPSTREAM_PATH[path]}`) === 0 && samples.length > 0,
          'the upstream request is cancelled',
          20_000,
        )
      } finally {
        clearInterval(sampler)
      }
      const cancelledAt = Date.now()
      const pulled = relay.upstreamBytes() - before
      // Over the last 1.5 s before the cancel (the client had stopped reading 2.5 s before that)
      // nothing more came from the simulator, and far less than the whole answer was pulled in.
      const earlier = samples.filter((x) => x.at <= cancelledAt - 1500).pop()
      expect(earlier, 'a sample 1.5 s before the cancel').toBeDefined()
      expect(pulled - (earlier?.bytes ?? 0)).toBeLessThan(512 * 1024)
      expect(pulled).toBeLessThan((REPLY_WORDS * 90) / 2)
      await waitUntil(() => fx.serve.api.inFlight() === 0, 'the answer was ended', 15_000)
      // Nor was the server probed as if silent while we held its stream (the side probe asks
      // /api/version 500 ms into a silence, then every 2 s; the registry's own probes ask /api/tags too).
      const during = fx.sim.requests
        .slice(requestsBefore)
        .filter((r) => r.at >= cancelledAt - STALL_MS + 1000)
      const count = (p: string) => during.filter((r) => r.path === p).length
      expect(count('/api/version') - count('/api/tags'), 'side probes').toBe(0)
      const logged = (re: RegExp) => fx.logger.records.some((r) => re.test(r.message))
      expect(logged(new RegExp(`client read nothing for ${STALL_MS} ms`))).toBe(true)
      // Waiting for our own client is not the server's silence: no stall is held against it.
      expect(logged(/stream stalled/)).toBe(false)
      const server = fx.serve.core.servers()[0]
      expect(server?.breaker).toBe('closed')
      expect(server?.health.kind).not.toBe('offline')
      res.destroy()
    },
    30_000,
  )

  it('a client that reads slowly but steadily gets the whole answer', async () => {
    const PIECES = 20_000
    // A smaller answer through a second API on the same core: the pauses are shorter than the stall limit.
    const api: LocalApi = await startLocalApi({
      core: fx.serve.core,
      host: '127.0.0.1',
      port: 0,

      staticDir: null,
    })
    try {
      const res = await startStream(api.url, '/api/chat', {
        model: 'gemma3:12b',
        messages: [{ role: 'user', content: 'Explain it' }],
        options: { num_predict: PIECES },
      })
      let text = ''
      res.setEncoding('utf8')
      // Read in bursts with pauses (each well under the stall limit).
      const timer = setInterval(() => (res.isPaused() ? res.resume() : res.pause()), 200)
      res.on('data', (c: string) => (text += c))
      await new Promise<void>((resolve) => res.on('end', resolve))
      clearInterval(timer)
      const lines = text.trim().split('\n')
      const last = JSON.parse(lines[lines.length - 1] ?? '{}') as { done?: boolean }
      expect(last.done).toBe(true)
      expect(lines.length).toBe(PIECES + 1)
    } finally {
      await api.close()
    }
  }, 60_000)
})

describe('a stream:false answer beyond the cap', () => {
  it.each([
    ['/api/chat', { model: 'auto', stream: false }],
    ['/v1/chat/completions', { model: 'auto' }],
  ])(
    '%s: 502 naming the cap, and the upstream generation is stopped',
    async (path, body) => {
      const maxCollectedChars = 100_000
      const api = await startLocalApi({
        core: fx.serve.core,
        host: '127.0.0.1',
        port: 0,

        staticDir: null,
        limits: { maxCollectedChars },
      })
      try {
        const before = relay.upstreamBytes()
        const res = await fetch(`${api.url}${path}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ ...body, messages: [{ role: 'user', content: 'Explain it' }] }),
        })
        expect(res.status).toBe(502)
        const json = (await res.json()) as { error: string | { message: string } }
        const message = typeof json.error === 'string' ? json.error : json.error.message
        expect(message).toContain(`grew past ${maxCollectedChars} characters`)
        expect(message).toContain('Ask with "stream": true')
        // The upstream request ends long before the simulator's whole answer went out.
        await waitUntil(
          () => relay.openUpstreams('POST /api/chat') === 0,
          'the upstream request is cancelled',
          20_000,
        )
        expect(relay.upstreamBytes() - before).toBeLessThan((REPLY_WORDS * 90) / 4)
        expect(fx.serve.core.servers()[0]?.breaker).toBe('closed')
      } finally {
        await api.close()
      }
    },
    30_000,
  )
})

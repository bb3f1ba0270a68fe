/**
 * AILLM's own routes, the routing headers, failover through the API, and the WebSocket transport.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { startServeFixture, type ServeFixture } from '../../helpers/serve-fixture'
import type { WsServerFrame } from '../../../shared/ws-protocol'

let fx: ServeFixture

beforeAll(async () => {
  fx = await startServeFixture()
})
afterAll(async () => {
  await fx?.close()
})
afterEach(async () => {
  await fx.remote.setFault({ kind: 'none' })
  await fx.local.setFault({ kind: 'none' })
  // Let the core see both servers back before the next test routes.
  await fx.serve.core.handlers['servers:rediscover']()
  await waitFor(
    () =>
      fx.serve.core.servers().every((s) => s.health.kind === 'online' && s.breaker === 'closed'),
    5000,
    () => JSON.stringify(fx.serve.core.servers().map((s) => [s.id, s.health, s.breaker])),
  )
})

const post = (path: string, body: unknown) =>
  fetch(`${fx.serve.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  })

describe('/api/models/servers', () => {
  it('shows every server with its models, priority, source and status', async () => {
    const res = await fetch(`${fx.serve.url}/api/models/servers`)
    expect(res.status).toBe(200)
    const body = (await res.json()) as {
      servers: {
        name: string
        url: string
        priority: string
        source: string
        status: string
        latency_ms: number
        models: { name: string; tier: string; loaded: boolean }[]
      }[]
      available: number
      total: number
    }
    expect(body.total).toBe(2)
    expect(body.available).toBe(2)
    const primary = body.servers.find((s) => s.name === 'primary')
    expect(primary).toMatchObject({
      url: fx.remote.url,
      priority: 'PRIMARY',
      source: 'config',
      status: 'online',
    })
    expect(primary?.models.map((m) => m.name).sort()).toEqual([
      'gemma3:12b',
      'llama3.3:70b',
      'nomic-embed-text:latest',
      'qwen2.5-coder:14b',
      'qwen3:14b',
    ])
    expect(primary?.models.find((m) => m.name === 'llama3.3:70b')?.tier).toBe('powerful')
    const local = body.servers.find((s) => s.name === 'localhost')
    expect(local).toMatchObject({ priority: 'SECONDARY', status: 'online' })
    expect(typeof local?.latency_ms).toBe('number')
  })
})

describe('/api/route', () => {
  it.each([
    [{ prompt: 'Hi!' }, 'gemma3:1b', 'localhost', 'trivial'],
    [
      { messages: [{ role: 'user', content: 'Объясни паттерн Singleton' }] },
      'gemma3:12b',
      'primary',
      'moderate',
    ],
  ])('%j → %s @ %s without running it', async (body, model, server, complexity) => {
    const before = fx.local.requests.length + fx.remote.requests.length
    const res = await post('/api/route', body)
    const d = (await res.json()) as Record<string, unknown>
    expect(d).toMatchObject({
      model,
      server_name: server,
      complexity_level: complexity,
      fallback: false,
    })
    expect(Array.isArray(d['candidates'])).toBe(true)
    expect(Array.isArray(d['reasons'])).toBe(true)
    // Nothing was sent to a model.
    const chats = [...fx.local.requests, ...fx.remote.requests]
      .slice(before)
      .filter((r) => r.path === '/api/chat')
    expect(chats).toHaveLength(0)
  })

  it('rejects a body with neither prompt nor messages', async () => {
    const res = await post('/api/route', { text: 'Hi' })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: string }).error).toContain('prompt')
  })
})

describe('/api/message', () => {
  it('answers in the spec shape exactly', async () => {
    const res = await post('/api/message', { message: 'Привет!' })
    expect(res.status).toBe(200)
    expect(res.headers.get('x-aillm-model')).toBe('gemma3:1b')
    expect(res.headers.get('x-aillm-server')).toBe('localhost')
    expect(res.headers.get('x-aillm-complexity')).toBe('trivial')
    expect(res.headers.get('x-aillm-fallback')).toBe('false')
    const body = (await res.json()) as {
      success: boolean
      message: string
      metadata: Record<string, unknown>
    }
    expect(Object.keys(body).sort()).toEqual(['message', 'metadata', 'success'])
    expect(body.success).toBe(true)
    expect(body.message.startsWith('[gemma3:1b@localhost]')).toBe(true)
    expect(body.metadata).toMatchObject({
      model: 'gemma3:1b',
      provider: 'ollama',
      distributed_routing: true,
      server_used: fx.local.url,
      complexity_level: 'trivial',
      used_fast_model: true,
      server_name: 'localhost',
      task_type: 'greeting',
      fallback: false,
    })
  })

  it('falls back to localhost with the warning when the remote is down (spec case 4)', async () => {
    await fx.remote.setFault({ kind: 'stopped' })
    const res = await post('/api/message', {
      message: 'Напиши систему авторизации с JWT, refresh tokens и rate limiting',
    })
    const body = (await res.json()) as {
      success: boolean
      message: string
      metadata: Record<string, unknown>
    }
    expect(body.success).toBe(true)
    expect(body.metadata['server_name']).toBe('localhost')
    expect(body.metadata['fallback']).toBe(true)
    expect(String(body.metadata['warning'])).toContain('A simplified model is being used')
    expect(res.headers.get('x-aillm-fallback')).toBe('true')
  })

  it('a stream cut mid-answer is continued elsewhere, visibly', async () => {
    await fx.remote.setFault({ kind: 'drop-after', chunks: 3 })
    const res = await post('/api/chat', {
      model: 'auto',
      messages: [
        {
          role: 'user',
          content: 'Write an auth system with JWT, refresh tokens and rate limiting',
        },
      ],
      stream: false,
    })
    const body = (await res.json()) as {
      message: { content: string }
      metadata: Record<string, unknown>
    }
    expect(body.metadata['continued']).toBe(true)
    expect(body.message.content.startsWith('[qwen2.5-coder:14b@remote]')).toBe(true)
    expect(body.message.content).toContain('answer interrupted on')
    expect(body.metadata['server_name']).not.toBe('primary')
  })

  it('a JSON-mode answer that breaks starts over elsewhere: valid JSON, no seam in its text', async () => {
    await fx.remote.setFault({ kind: 'drop-after', chunks: 3 })
    const res = await post('/api/chat', {
      model: 'auto',
      format: 'json',
      messages: [
        {
          role: 'user',
          content: 'Write an auth system with JWT, refresh tokens and rate limiting',
        },
      ],
      stream: false,
    })
    const body = (await res.json()) as {
      message: { content: string }
      metadata: Record<string, unknown>
    }
    // A continued JSON document would be invalid: the answer starts over on the next pair.
    expect(body.metadata['continued']).toBe(false)
    expect(body.metadata['attempts']).toMatchObject([
      { serverName: 'primary', outcome: 'interrupted' },
      { outcome: 'ok' },
    ])
    expect(body.message.content).not.toContain('answer interrupted')
    expect(() => JSON.parse(body.message.content) as unknown).not.toThrow()
  })

  it('stops the upstream generation when a non-streaming client goes away', async () => {
    await fx.local.setFault({ kind: 'trickle', msPerChunk: 300 })
    const abort = new AbortController()
    const pending = post('/api/message', { message: 'Hi!' }).catch(() => null)
    void pending
    const aborted = fetch(`${fx.serve.url}/api/message`, {
      method: 'POST',
      body: JSON.stringify({ message: 'Hi!' }),
      signal: abort.signal,
    }).catch(() => null)
    await waitFor(() => fx.serve.core.servers().some((s) => s.inFlight === 2))
    abort.abort()
    await aborted
    // The other request keeps going; the abandoned one is cut upstream well before the ~4 s answers end.
    await waitFor(() => fx.serve.core.servers().every((s) => s.inFlight <= 1), 1000)
    await pending
  })

  it('says success:false with an error when no server answers', async () => {
    await fx.remote.setFault({ kind: 'stopped' })
    await fx.local.setFault({ kind: 'stopped' })
    const res = await post('/api/message', { message: 'Hi!' })
    const body = (await res.json()) as { success: boolean; error: string }
    expect(body.success).toBe(false)
    expect(body.error.length).toBeGreaterThan(0)
  })
})

describe('WebSocket transport of the contract', () => {
  it('answers invokes and pushes routing decisions', async () => {
    const ws = new WebSocket(`${fx.serve.url.replace('http', 'ws')}/ws`)
    const frames: WsServerFrame[] = []
    ws.on('message', (d) => frames.push(JSON.parse(d.toString()) as WsServerFrame))
    await new Promise((resolve, reject) => {
      ws.once('open', resolve)
      ws.once('error', reject)
    })
    ws.send(JSON.stringify({ type: 'invoke', id: 1, channel: 'servers:snapshot', args: [] }))
    ws.send(JSON.stringify({ type: 'invoke', id: 2, channel: 'no:such', args: [] }))
    await post('/api/route', { prompt: 'Hi!' })
    await waitFor(() => frames.some((f) => f.type === 'event' && f.channel === 'routing:decision'))
    await waitFor(() => frames.filter((f) => f.type === 'result').length === 2)
    const r1 = frames.find((f) => f.type === 'result' && f.id === 1)
    expect(r1).toMatchObject({ ok: true })
    expect((r1 as { value: unknown[] }).value).toHaveLength(2)
    const r2 = frames.find((f) => f.type === 'result' && f.id === 2)
    expect(r2).toMatchObject({ ok: false, error: { name: 'ProtocolError' } })
    ws.close()
  })
})

async function waitFor(cond: () => boolean, ms = 3000, state?: () => string): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`condition not met in time ${state?.() ?? ''}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

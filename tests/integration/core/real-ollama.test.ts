/**
 * Issue 12's cases end to end: `serve` on a simulated GPU box and laptop that behave like real Ollama over
 * time, driven by the official `ollama` and `openai` clients. The configured upper bounds are long on
 * purpose (first_token_ms 20 s, cold_first_token_ms 60 s): a case that passes within the test's time
 * limit passed because AILLM knew why the server was silent, not because a timeout ran out.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { Ollama } from 'ollama'
import OpenAI from 'openai'
import { startSimServer, type SimServer, type SimServerOptions } from '../../../tools/ollama-sim'
import { startServe, type Serve } from '../../../electron/serve/serve'
import { createMemoryLogger } from '../../../electron/core/logger'

const JWT = 'Write an auth system with JWT, refresh tokens and rate limiting'
const EXPLAIN = 'Explain the Singleton pattern'

interface Fixture {
  remote: SimServer
  local: SimServer
  serve: Serve
  ollama: Ollama
  close(): Promise<void>
}

async function start(
  remoteOpts: Partial<SimServerOptions>,
  timeouts: Record<string, number>,
): Promise<Fixture> {
  const remote = await startSimServer({
    name: 'remote',
    port: 0,
    models: ['llama3.3:70b', 'gemma3:12b', 'qwen2.5-coder:14b', 'qwen3:14b'],
    ...remoteOpts,
  })
  const local = await startSimServer({
    name: 'localhost',
    port: 0,
    models: ['gemma3:1b', 'qwen2.5:1.5b'],
  })
  const dir = mkdtempSync(join(tmpdir(), 'aillm-real-'))
  const configPath = join(dir, 'config.yaml')
  const t = {
    connect_ms: 400,
    probe_ms: 800,
    first_token_ms: 20_000,
    cold_first_token_ms: 60_000,
    stall_ms: 5000,
    side_probe_ms: 600,
    wedge_margin_ms: 1000,
    ...timeouts,
  }
  writeFileSync(
    configPath,
    `llm:
  providers:
    ollama:
      base_url: ${remote.url}
      additional_servers:
        - name: localhost
          url: ${local.url}
          priority: SECONDARY
      mdns:
        enabled: false
      timeouts:
${Object.entries(t)
  .map(([k, v]) => `        ${k}: ${v}`)
  .join('\n')}
`,
  )
  const serve = await startServe({
    configPath,
    dataDir: join(dir, 'data'),
    port: 0,
    logger: createMemoryLogger('DEBUG'),
    buildUi: false,
  })
  return {
    remote,
    local,
    serve,
    ollama: new Ollama({ host: serve.url }),
    async close() {
      await serve.close()
      await Promise.all([remote.stop(), local.stop()])
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

type Metadata = {
  model: string
  server_name: string
  attempts: { serverName: string; outcome: string; reason: string | null; error: string | null }[]
}

async function ask(fx: Fixture, content: string): Promise<{ text: string; metadata: Metadata }> {
  const res = await fx.ollama.chat({
    model: 'auto',
    messages: [{ role: 'user', content }],
    stream: false,
  })
  return {
    text: res.message.content,
    metadata: (res as unknown as { metadata: Metadata }).metadata,
  }
}

/** Waits (polling, bounded) until serve reports every server online. */
async function untilOnline(fx: Fixture, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    const res = await fetch(`${fx.serve.url}/api/models/servers`)
    const body = (await res.json()) as { available: number; total: number }
    if (body.total > 0 && body.available === body.total) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error('the fleet never came online')
}

/** Waits (polling, bounded) until the server reports the model loaded. */
async function untilLoaded(sim: SimServer, model: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (sim.loaded().includes(model)) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${model} never loaded on ${sim.name}`)
}

describe('a GPU box that stops answering', () => {
  // A fresh fleet per case: a frozen box stays out of routing for a while after it recovers.
  let fx: Fixture
  beforeEach(async () => {
    fx = await start({}, {})
    await untilOnline(fx)
  })
  afterEach(async () => fx?.close())

  it('frozen (nothing answers, probes included): the laptop answers, found by a status check', async () => {
    await fx.remote.setFault({ kind: 'frozen' })
    const { text, metadata } = await ask(fx, JWT)
    expect(text.startsWith('[qwen2.5:1.5b@localhost]')).toBe(true)
    expect(metadata.attempts[0]).toMatchObject({ serverName: 'primary', reason: 'server-frozen' })
    expect(metadata.attempts[0]?.error).toMatch(/stopped answering/)
  })

  it('wedged runner (probes answer, no token) on a loaded model: left after the prediction + margin', async () => {
    // Loaded first, so the router knows it warm; then the runner wedges.
    expect((await ask(fx, JWT)).text.startsWith('[qwen2.5-coder:14b@remote]')).toBe(true)
    await fx.remote.setFault({ kind: 'wedged' })
    const { text, metadata } = await ask(fx, JWT)
    expect(text.startsWith('[qwen2.5:1.5b@localhost]')).toBe(true)
    expect(metadata.attempts[0]).toMatchObject({
      serverName: 'primary',
      reason: 'first-token-timeout',
    })
  })

  it('a streamed fallback names the pair that really answers, in the headers and in every chunk', async () => {
    await fx.remote.setFault({ kind: 'frozen' })
    const res = await fetch(`${fx.serve.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: JWT }] }),
    })
    expect(res.headers.get('x-aillm-server')).toBe('localhost')
    expect(res.headers.get('x-aillm-model')).toBe('qwen2.5:1.5b')
    expect(res.headers.get('x-aillm-fallback')).toBe('true')
    const lines = (await res.text()).trim().split('\n')
    const models = new Set(lines.map((l) => (JSON.parse(l) as { model: string }).model))
    expect([...models]).toEqual(['qwen2.5:1.5b'])
  })
})

describe('legitimate waits are waited for', () => {
  let fx: Fixture
  beforeAll(async () => {
    // Tight bounds, so only a prediction (or a finished background load) gets these through.
    fx = await start(
      {
        models: [
          'llama3.3:70b',
          'gemma3:12b',
          { name: 'qwen2.5-coder:14b', loadMs: 2500, promptTokensPerSecond: 2000 },
          'qwen3:14b',
        ],
      },
      { first_token_ms: 1200, cold_first_token_ms: 1200, wedge_margin_ms: 800 },
    )
    await untilOnline(fx)
  })
  afterAll(async () => fx?.close())

  it('a cold load longer than cold_first_token_ms: answered elsewhere, the load finishes and is used next', async () => {
    const first = await ask(fx, JWT)
    expect(first.text.startsWith('[qwen2.5:1.5b@localhost]')).toBe(true)
    expect(first.metadata.attempts[0]).toMatchObject({
      serverName: 'primary',
      reason: 'wait-too-long',
    })
    expect(first.metadata.attempts[0]?.error).toMatch(/goes on in the background/)
    await untilLoaded(fx.remote, 'qwen2.5-coder:14b')
    // Loaded once: the load was not aborted and restarted.
    expect(fx.remote.state().loads['qwen2.5-coder:14b']).toBe(1)
    const next = await ask(fx, JWT)
    expect(next.text.startsWith('[qwen2.5-coder:14b@remote]')).toBe(true)
  })

  it('a long conversation on a loaded model: the prompt is read, not mistaken for a hang', async () => {
    await untilLoaded(fx.remote, 'qwen2.5-coder:14b')
    // ~3,000 prompt tokens at 2,000 tokens/s: 1.5 s of silence, past first_token_ms.
    const history = 'Here is my code so far. '.repeat(500)
    const res = await fx.ollama.chat({
      model: 'qwen2.5-coder:14b',
      messages: [
        { role: 'user', content: history },
        { role: 'assistant', content: 'Understood.' },
        { role: 'user', content: JWT },
      ],
      stream: false,
    })
    expect(res.message.content.startsWith('[qwen2.5-coder:14b@remote]')).toBe(true)
    expect((res as unknown as { metadata: Metadata }).metadata.attempts).toHaveLength(1)
  })
})

describe('a box too small for two tiers (eviction)', () => {
  let fx: Fixture
  beforeAll(async () => {
    // 12 GB of GPU memory: the 12B and the 14B push each other out.
    fx = await start(
      { vramBytes: 12e9, loadMs: 300 },
      { first_token_ms: 1200, wedge_margin_ms: 800, cold_first_token_ms: 20_000 },
    )
    await untilOnline(fx)
  })
  afterAll(async () => fx?.close())

  it('alternating an explanation and a coding task reloads each model, and both still answer there', async () => {
    for (let round = 0; round < 2; round++) {
      expect((await ask(fx, EXPLAIN)).text.startsWith('[gemma3:12b@remote]')).toBe(true)
      expect((await ask(fx, JWT)).text.startsWith('[qwen2.5-coder:14b@remote]')).toBe(true)
    }
    const loads = fx.remote.state().loads
    expect(loads['gemma3:12b']).toBe(2)
    expect(loads['qwen2.5-coder:14b']).toBe(2)
  })
})

describe('thinking models', () => {
  let fx: Fixture
  beforeAll(async () => {
    fx = await start({}, {})
    await untilOnline(fx)
  })
  afterAll(async () => fx?.close())

  it('Ollama face: thinking streams as it comes, before the answer', async () => {
    const stream = await fx.ollama.chat({
      model: 'qwen3:14b',
      messages: [{ role: 'user', content: 'Prove that the square root of 2 is irrational' }],
      think: true,
      stream: true,
    })
    const kinds: string[] = []
    for await (const part of stream) {
      if (part.message.thinking) kinds.push('thinking')
      if (part.message.content) kinds.push('content')
    }
    expect(kinds.filter((k) => k === 'thinking').length).toBeGreaterThan(1)
    expect(kinds.indexOf('content')).toBeGreaterThan(kinds.lastIndexOf('thinking'))
  })

  it('OpenAI face: reasoning deltas before the content, with reasoning_effort passed as think', async () => {
    const openai = new OpenAI({ baseURL: `${fx.serve.url}/v1`, apiKey: 'unused', maxRetries: 0 })
    const stream = await openai.chat.completions.create({
      model: 'qwen3:14b',
      messages: [{ role: 'user', content: 'Prove that the square root of 2 is irrational' }],
      stream: true,
      reasoning_effort: 'high',
    })
    const kinds: string[] = []
    let firstRole: string | undefined
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as {
        role?: string
        content?: string
        reasoning?: string
      }
      firstRole ??= delta?.role
      if (delta?.reasoning) kinds.push('reasoning')
      if (delta?.content) kinds.push('content')
    }
    expect(firstRole).toBe('assistant')
    expect(kinds.filter((k) => k === 'reasoning').length).toBeGreaterThan(1)
    expect(kinds.indexOf('content')).toBeGreaterThan(kinds.lastIndexOf('reasoning'))
    const sent = fx.remote.requests.filter((r) => r.path === '/api/chat')
    expect(sent.length).toBeGreaterThan(0)
  })
})

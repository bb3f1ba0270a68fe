import { afterEach, describe, expect, it, vi } from 'vitest'
import type { SimServer } from '../../../tools/ollama-sim'
import { clientFor, rejection, startFastSim } from './sim-fixture'

const user = (content: string): { role: string; content: string }[] => [{ role: 'user', content }]

// The server as a scheduler over time: serial loads, eviction, slots, queue, reloads, prompt time.
describe('ollama-sim scheduling', () => {
  let server: SimServer | null = null
  afterEach(async () => {
    await server?.stop()
    server = null
  })

  it('loads one model at a time: two cold loads end at ~1x and ~2x the load time', async () => {
    const loadMs = 300
    const s = (server = await startFastSim({ models: ['gemma3:1b', 'qwen2.5:1.5b'], loadMs }))
    const client = clientFor(s)
    const t0 = performance.now()
    const ends: [string, number][] = []
    const ask = async (model: string) => {
      const res = await clientFor(s).chat({ model, messages: user('x'), stream: false })
      ends.push([model, performance.now() - t0])
      return res
    }
    const a = ask('gemma3:1b')
    await vi.waitFor(() => expect(s.state().loading).toBe('gemma3:1b'))
    const b = ask('qwen2.5:1.5b')
    // While it loads the model is not in /api/ps (Ollama 0.33 registers it after the load).
    expect((await client.ps()).models).toEqual([])
    const [ra, rb] = await Promise.all([a, b])
    expect(ends.map(([m]) => m)).toEqual(['gemma3:1b', 'qwen2.5:1.5b'])
    expect(ends[0]?.[1]).toBeGreaterThanOrEqual(loadMs - 10)
    expect(ends[1]?.[1]).toBeGreaterThanOrEqual(2 * loadMs - 10)
    // Each reports its own load, not the wait behind the other.
    expect(ra.load_duration).toBe(loadMs * 1e6)
    expect(rb.load_duration).toBe(loadMs * 1e6)
  })

  it('takes the load time from the size and the disk speed', async () => {
    const s = (server = await startFastSim({
      models: ['gemma3:1b', 'gemma3:12b'],
      loadMs: 500,
      diskMBps: 1000,
      timeScale: 0,
    }))
    const client = clientFor(s)
    const sizes = new Map((await client.list()).models.map((m) => [m.name, m.size]))
    for (const model of ['gemma3:1b', 'gemma3:12b']) {
      const res = await client.generate({ model, prompt: 'x' })
      // 500 ms of start-up plus the bytes at 1000 MB/s.
      const expectedMs = 500 + (sizes.get(model) ?? 0) / 1e6
      expect(res.load_duration / 1e6).toBeCloseTo(expectedMs, -1)
    }
  })

  it('alternating two models under a GPU budget that holds one reloads every time', async () => {
    const s = (server = await startFastSim({
      models: ['gemma3:12b', 'qwen2.5-coder:14b'],
      loadMs: 2000,
      timeScale: 0,
      vramBytes: 16e9,
    }))
    const client = clientFor(s)
    const loads: number[] = []
    for (const model of ['gemma3:12b', 'qwen2.5-coder:14b', 'gemma3:12b', 'qwen2.5-coder:14b']) {
      loads.push((await client.generate({ model, prompt: 'x' })).load_duration)
      expect((await client.ps()).models.map((m) => m.name)).toEqual([model])
    }
    for (const ns of loads) expect(ns).toBe(2e9)
    expect(s.state().loads).toEqual({ 'gemma3:12b': 2, 'qwen2.5-coder:14b': 2 })
    // With room for both, the second round is warm.
    const roomy = await startFastSim({
      models: ['gemma3:12b', 'qwen2.5-coder:14b'],
      loadMs: 2000,
      timeScale: 0,
      vramBytes: 24e9,
    })
    try {
      const c = clientFor(roomy)
      for (const model of ['gemma3:12b', 'qwen2.5-coder:14b'])
        await c.generate({ model, prompt: 'x' })
      const warm = await c.generate({ model: 'gemma3:12b', prompt: 'x' })
      expect(warm.load_duration).toBeLessThan(1e6)
    } finally {
      await roomy.stop()
    }
  })

  it('waits for a busy model to finish before evicting it, and counts maxLoadedModels', async () => {
    const s = (server = await startFastSim({
      models: ['gemma3:1b', 'qwen2.5:1.5b'],
      maxLoadedModels: 1,
      tokensPerSecond: 40,
      replyWords: 8,
    }))
    const events: string[] = []
    const run = async (model: string): Promise<void> => {
      const stream = await clientFor(s).chat({ model, messages: user('x'), stream: true })
      let first = true
      for await (const part of stream) {
        if (first) events.push(`${model}:first`)
        first = false
        if (part.done) events.push(`${model}:done`)
      }
    }
    const a = run('gemma3:1b')
    await vi.waitFor(() => expect(events).toContain('gemma3:1b:first'))
    await Promise.all([a, run('qwen2.5:1.5b')])
    expect(events).toEqual([
      'gemma3:1b:first',
      'gemma3:1b:done',
      'qwen2.5:1.5b:first',
      'qwen2.5:1.5b:done',
    ])
    expect(s.loaded()).toEqual(['qwen2.5:1.5b'])
  })

  it('queues requests for a busy model in order (visible in /_sim/state) and never 503s them', async () => {
    const s = (server = await startFastSim({
      models: ['gemma3:1b'],
      tokensPerSecond: 40,
      replyWords: 6,
      maxQueue: 1,
    }))
    const order: string[] = []
    const ask = (label: string) =>
      clientFor(s)
        .chat({ model: 'gemma3:1b', messages: user(label), stream: false })
        .then((r) => order.push(r.message.content.split(' ')[1] ?? ''))
    const first = ask('one')
    await vi.waitFor(() => expect(s.loaded()).toEqual(['gemma3:1b']))
    const rest = [ask('two'), ask('three')]
    await vi.waitFor(() => expect(s.state().loaded[0]).toMatchObject({ active: 3, waiting: 2 }))
    expect(s.state().queued).toBe(0)
    await Promise.all([first, ...rest])
    expect(order).toEqual(['one', 'two', 'three'])
  })

  it('runs numParallel requests of one model at once', async () => {
    const s = (server = await startFastSim({
      models: ['gemma3:1b'],
      numParallel: 2,
      tokensPerSecond: 20,
      replyWords: 6,
    }))
    const events: string[] = []
    const run = async (label: string): Promise<void> => {
      const stream = await clientFor(s).chat({
        model: 'gemma3:1b',
        messages: user(label),
        stream: true,
      })
      let first = true
      for await (const part of stream) {
        if (first) events.push(`${label}:first`)
        first = false
        if (part.done) events.push(`${label}:done`)
      }
    }
    await Promise.all([run('A'), run('B')])
    expect(events.slice(0, 2).sort()).toEqual(['A:first', 'B:first'])
  })

  it('reloads the model when num_ctx changes: /api/ps shows the context, load_duration the reload', async () => {
    const s = (server = await startFastSim({ models: ['gemma3:1b'], loadMs: 1000, timeScale: 0 }))
    const client = clientFor(s)
    const ask = (options?: Record<string, unknown>) =>
      client.chat({ model: 'gemma3:1b', messages: user('x'), ...(options ? { options } : {}) })
    // ollama-js 0.6.4 does not type context_length; the server sends it.
    const ctx = async () =>
      ((await client.ps()).models[0] as unknown as { context_length?: number } | undefined)
        ?.context_length
    expect((await ask()).load_duration).toBe(1e9)
    expect(await ctx()).toBe(4096)
    expect((await ask({ num_ctx: 8192 })).load_duration).toBe(1e9)
    expect(await ctx()).toBe(8192)
    expect((await ask({ num_ctx: 8192, temperature: 0 })).load_duration).toBeLessThan(1e6)
    // A client that sends no num_ctx gets the default: another reload.
    expect((await ask()).load_duration).toBe(1e9)
    expect(await ctx()).toBe(4096)
    expect(s.state().loads).toEqual({ 'gemma3:1b': 3 })
    // num_ctx beyond the trained context is capped at it (gemma3:1b: 32k).
    await ask({ num_ctx: 1_000_000 })
    expect(await ctx()).toBe(32_768)
  })

  it('keeps a keep_alive given once for later requests that give none', async () => {
    const now = Date.UTC(2025, 0, 1)
    const s = (server = await startFastSim({ models: ['gemma3:1b'], clock: () => now }))
    const client = clientFor(s)
    await client.chat({ model: 'gemma3:1b', messages: user('a'), keep_alive: '1h' })
    await client.chat({ model: 'gemma3:1b', messages: user('b') })
    const [entry] = (await client.ps()).models
    expect(new Date(entry?.expires_at ?? 0).getTime()).toBe(now + 3_600_000)
  })

  it('processes the prompt before the first byte: a longer prompt waits longer', async () => {
    const s = (server = await startFastSim({
      models: ['gemma3:1b'],
      promptTokensPerSecond: 2000,
      replyWords: 2,
    }))
    const client = clientFor(s)
    await client.generate({ model: 'gemma3:1b', prompt: '' })
    const firstByte = async (prompt: string) => {
      const t0 = performance.now()
      const stream = await client.generate({ model: 'gemma3:1b', prompt, stream: true })
      const waited = performance.now() - t0
      let last = null
      for await (const part of stream) last = part
      return { waited, final: last }
    }
    const short = await firstByte('hi')
    const long = await firstByte('word '.repeat(1000))
    // ~1250 tokens at 2000 tokens/s: over half a second of silence.
    expect(long.waited).toBeGreaterThan(500)
    expect(long.waited).toBeGreaterThan(short.waited + 400)
    const ratio = (long.final?.prompt_eval_duration ?? 0) / (short.final?.prompt_eval_duration ?? 1)
    expect(ratio).toBeCloseTo(
      (long.final?.prompt_eval_count ?? 0) / (short.final?.prompt_eval_count ?? 1),
      1,
    )
  })

  it('a client that disconnects aborts the load: nothing is loaded and the retry loads from zero', async () => {
    const s = (server = await startFastSim({ models: ['gemma3:1b'], loadMs: 400 }))
    const leaving = new AbortController()
    const request = fetch(`${s.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ model: 'gemma3:1b', messages: user('x') }),
      signal: leaving.signal,
    })
    await vi.waitFor(() => expect(s.state().loading).toBe('gemma3:1b'))
    leaving.abort()
    expect((await rejection(request)).name).toBe('AbortError')
    await vi.waitFor(() => expect(s.state().loading).toBeNull())
    expect(s.loaded()).toEqual([])
    expect(s.state().loads).toEqual({})
    const retry = await clientFor(s).chat({ model: 'gemma3:1b', messages: user('x') })
    expect(retry.load_duration).toBe(400e6)
  })
})

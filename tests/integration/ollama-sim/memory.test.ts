import { afterEach, describe, expect, it, vi } from 'vitest'
import { startSimServer, type SimServer } from '../../../tools/ollama-sim'
import { clientFor, startFastSim } from './sim-fixture'

const user = (content: string): { role: string; content: string }[] => [{ role: 'user', content }]

// Model memory as Ollama has it: cold until used, loaded for keep_alive, one request per model.
describe('ollama-sim model memory', () => {
  let server: SimServer | null = null
  afterEach(async () => {
    await server?.stop()
    server = null
  })

  it('loads a cold model first: the delay and load_duration show it, a warm one skips it', async () => {
    server = await startFastSim({ models: ['gemma3:1b'], loadMs: 150 })
    const client = clientFor(server)
    expect((await client.ps()).models).toEqual([])
    const t0 = performance.now()
    const cold = await client.chat({ model: 'gemma3:1b', messages: user('hi'), stream: false })
    expect(performance.now() - t0).toBeGreaterThanOrEqual(145)
    expect(cold.load_duration).toBe(150_000_000)
    const warm = await client.chat({ model: 'gemma3:1b', messages: user('hi'), stream: false })
    expect(warm.load_duration).toBeLessThan(1_000_000)
  })

  it('reports simulated durations even when timeScale 0 skips the waiting', async () => {
    server = await startSimServer({
      name: 'sim',
      port: 0,
      models: [{ name: 'llama3.3:70b', loadMs: 20_000 }],
      timeScale: 0,
    })
    const res = await clientFor(server).chat({
      model: 'llama3.3:70b',
      messages: user('x'),
      stream: false,
    })
    expect(res.load_duration).toBe(20_000_000_000)
    // ~8 tokens/s for a 70B model.
    const tps = (res.eval_count / res.eval_duration) * 1e9
    expect(tps).toBeGreaterThan(6)
    expect(tps).toBeLessThan(10)
  })

  it('lists loaded models in ps with expires_at from keep_alive, longest first, and expires them', async () => {
    let now = Date.UTC(2025, 0, 1)
    server = await startFastSim({
      models: ['gemma3:1b', 'qwen2.5:1.5b', 'phi3:3b'],
      clock: () => now,
    })
    const client = clientFor(server)
    await client.chat({ model: 'gemma3:1b', messages: user('a'), keep_alive: '10m' })
    await client.chat({ model: 'qwen2.5:1.5b', messages: user('b'), keep_alive: 60 })
    await client.chat({ model: 'phi3:3b', messages: user('c'), keep_alive: -1 })
    const { models } = await client.ps()
    expect(models.map((m) => m.name)).toEqual(['phi3:3b', 'gemma3:1b', 'qwen2.5:1.5b'])
    expect(new Date(models[1]?.expires_at ?? 0).getTime()).toBe(now + 600_000)
    expect(new Date(models[2]?.expires_at ?? 0).getTime()).toBe(now + 60_000)
    expect(models[1]).toMatchObject({ size_vram: models[1]?.size, context_length: 4096 })

    now += 61_000
    expect(server.loaded()).toEqual(['phi3:3b', 'gemma3:1b'])
    now += 10 * 60_000
    expect((await client.ps()).models.map((m) => m.name)).toEqual(['phi3:3b'])
  })

  it('unloads right after a request with keep_alive 0', async () => {
    server = await startFastSim({ models: ['gemma3:1b'] })
    const client = clientFor(server)
    const res = await client.generate({ model: 'gemma3:1b', prompt: 'x', keep_alive: 0 })
    expect(res.done_reason).toBe('stop')
    expect(server.loaded()).toEqual([])
  })

  it('runs one request at a time per model, in arrival order', async () => {
    server = await startFastSim({ models: ['gemma3:1b'], tokensPerSecond: 200, replyWords: 10 })
    const events: string[] = []
    const run = async (label: string): Promise<void> => {
      const stream = await clientFor(server as SimServer).chat({
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
    const a = run('A')
    // Let A reach the server before B so the FIFO order is known.
    while (server.requests.length < 1) await new Promise((r) => setTimeout(r, 5))
    await Promise.all([a, run('B')])
    expect(events).toEqual(['A:first', 'A:done', 'B:first', 'B:done'])
  })

  it('runs different models side by side', async () => {
    server = await startFastSim({
      models: ['gemma3:1b', 'qwen2.5:1.5b'],
      // Slow enough (~0.5 s an answer) that a busy machine still starts both before either ends.
      tokensPerSecond: 20,
      replyWords: 8,
    })
    const events: string[] = []
    const run = async (model: string): Promise<void> => {
      const stream = await clientFor(server as SimServer).chat({
        model,
        messages: user('x'),
        stream: true,
      })
      let first = true
      for await (const part of stream) {
        if (first) events.push(`${model}:first`)
        first = false
        if (part.done) events.push(`${model}:done`)
      }
    }
    await Promise.all([run('gemma3:1b'), run('qwen2.5:1.5b')])
    // Both started before either finished.
    expect(events.slice(0, 2).sort()).toEqual(['gemma3:1b:first', 'qwen2.5:1.5b:first'])
  })

  it('answers 503 once maxQueue requests wait to be scheduled, with Ollama’s text', async () => {
    server = await startFastSim({
      models: ['gemma3:1b', 'qwen2.5:1.5b', 'phi3:3b'],
      loadMs: 400,
      maxQueue: 1,
    })
    const s = server
    const client = clientFor(s)
    // The first is being loaded (taken off the queue), the second waits for its load.
    const first = client.chat({ model: 'gemma3:1b', messages: user('1'), stream: false })
    await vi.waitFor(() => expect(s.state().loading).toBe('gemma3:1b'))
    const second = clientFor(s).chat({ model: 'qwen2.5:1.5b', messages: user('2'), stream: false })
    await vi.waitFor(() => expect(s.state().queued).toBe(1))
    const third = await fetch(`${s.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ model: 'phi3:3b', messages: user('3') }),
    })
    expect(third.status).toBe(503)
    expect(await third.json()).toEqual({
      error: 'server busy, please try again.  maximum pending requests exceeded',
    })
    expect((await first).message.content.startsWith('[gemma3:1b@sim]')).toBe(true)
    expect((await second).message.content.startsWith('[qwen2.5:1.5b@sim]')).toBe(true)
  })
})

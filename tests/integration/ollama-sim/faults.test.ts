import { Ollama } from 'ollama'
import OpenAI from 'openai'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Fault, SimServer } from '../../../tools/ollama-sim'
import { clientFor, rejection, startFastSim } from './sim-fixture'

const messages = [{ role: 'user', content: 'tell me something' }]

/** Streams a chat and returns the chunks' text seen before the stream ended or failed. */
async function streamChat(
  client: Ollama,
  model = 'gemma3:1b',
): Promise<{ parts: string[]; error: Error | null }> {
  const parts: string[] = []
  try {
    for await (const part of await client.chat({ model, messages, stream: true })) {
      parts.push(part.message.content)
    }
    return { parts, error: null }
  } catch (err) {
    return { parts, error: err as Error }
  }
}

// One test per fault mode, showing exactly what a client sees.
describe('ollama-sim fault injection', () => {
  let server: SimServer | null = null
  const start = async (fault?: Fault): Promise<SimServer> => {
    server = await startFastSim({
      name: 'faulty',
      models: ['gemma3:1b'],
      ...(fault ? { fault } : {}),
    })
    return server
  }
  afterEach(async () => {
    await server?.stop()
    server = null
  })

  it('stopped: connection refused, then back on the same port when lifted', async () => {
    const s = await start()
    const client = clientFor(s)
    await s.setFault({ kind: 'stopped' })
    const err = await rejection(client.list())
    expect(err.message).toBe('fetch failed')
    expect((err.cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED')
    await s.setFault({ kind: 'none' })
    expect((await client.list()).models).toHaveLength(1)
  })

  it('stopped from the start on port 0: refused at a real port, lifting it listens there', async () => {
    const s = await start({ kind: 'stopped' })
    expect(s.port).toBeGreaterThan(0)
    const err = await rejection(clientFor(s).version())
    expect((err.cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED')
    await s.setFault({ kind: 'none' })
    expect((await clientFor(s).version()).version).toMatch(/^\d+\.\d+\.\d+$/)
  })

  it('hang: the request is accepted but never answered; stop() still closes it', async () => {
    const s = await start({ kind: 'hang' })
    const client = new Ollama({
      host: s.url,
      fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(200) }),
    })
    const err = await rejection(client.chat({ model: 'gemma3:1b', messages, stream: false }))
    expect(err.name).toBe('TimeoutError')
    expect(s.requests.map((r) => r.path)).toEqual(['/api/chat'])
    // A request left hanging without a client timeout must not keep stop() waiting.
    const pending = fetch(`${s.url}/`).catch((e: unknown) => e)
    while (s.requests.length < 2) await new Promise((r) => setTimeout(r, 5))
    await s.stop()
    expect(await pending).toBeInstanceOf(TypeError)
  })

  it('slow-first-byte: model routes wait before headers, other routes do not', async () => {
    const s = await start({ kind: 'slow-first-byte', ms: 300 })
    const client = clientFor(s)
    const order: string[] = []
    const chat = client
      .chat({ model: 'gemma3:1b', messages, stream: false })
      .then(() => order.push('chat'))
    await client.list().then(() => order.push('tags'))
    const t0 = performance.now()
    await chat
    expect(order).toEqual(['tags', 'chat'])
    expect(performance.now() - t0).toBeGreaterThan(100)
  })

  it.each([
    [500, 'llama runner process has terminated: exit status 2'],
    [503, 'server busy, please try again.  maximum pending requests exceeded'],
  ] as const)(
    'http-error %i: ResponseError with Ollama body; /v1 in OpenAI form',
    async (status, text) => {
      const s = await start({ kind: 'http-error', status })
      const err = await rejection(clientFor(s).chat({ model: 'gemma3:1b', messages }))
      expect(err.name).toBe('ResponseError')
      expect(err['status_code']).toBe(status)
      expect(err['error']).toBe(text)
      const openai = new OpenAI({ baseURL: `${s.url}/v1`, apiKey: 'x', maxRetries: 0 })
      const v1 = await rejection(
        openai.chat.completions.create({
          model: 'gemma3:1b',
          messages: [{ role: 'user', content: 'x' }],
        }),
      )
      expect(v1['status']).toBe(status)
      expect((v1['error'] as Record<string, unknown>)['message']).toBe(text)
      // Non-model routes keep working: the server is up, it is the runner that fails.
      expect((await clientFor(s).list()).models).toHaveLength(1)
    },
  )

  it('http-error after chunks: status 200, then an {"error"} line the client throws', async () => {
    const s = await start({ kind: 'http-error', status: 500, afterChunks: 3 })
    const { parts, error } = await streamChat(clientFor(s))
    expect(parts).toHaveLength(3)
    expect(error?.name).toBe('Error')
    expect(error?.message).toBe('llama runner process has terminated: exit status 2')
  })

  it('drop-after: the connection dies after N chunks', async () => {
    const s = await start({ kind: 'drop-after', chunks: 4 })
    const { parts, error } = await streamChat(clientFor(s))
    expect(parts).toHaveLength(4)
    expect(parts[0]).toBe('[gemma3:1b@faulty]')
    expect(error).toBeInstanceOf(TypeError)
    expect(error?.message).toBe('terminated')
    // Without streaming the client sees the socket close before any answer.
    const whole = await rejection(
      clientFor(s).chat({ model: 'gemma3:1b', messages, stream: false }),
    )
    expect(whole.message).toBe('fetch failed')
  })

  it('malformed-chunk: a line that is not JSON, then the stream ends without done', async () => {
    const s = await start({ kind: 'malformed-chunk', after: 2 })
    const raw = await (
      await fetch(`${s.url}/api/chat`, {
        method: 'POST',
        body: JSON.stringify({ model: 'gemma3:1b', messages }),
      })
    ).text()
    const lines = raw.trimEnd().split('\n')
    expect(lines).toHaveLength(3)
    expect(() => JSON.parse(lines[2] ?? '')).toThrow()
    // ollama-js skips the bad line with a warning, then notices the missing done.
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const { parts, error } = await streamChat(clientFor(s))
    warn.mockRestore()
    expect(parts).toHaveLength(2)
    expect(error?.message).toBe('Did not receive done or success response in stream.')
  })

  it('trickle: chunks arrive msPerChunk apart', async () => {
    server = await startFastSim({
      name: 'faulty',
      models: ['gemma3:1b'],
      replyWords: 4,
      fault: { kind: 'trickle', msPerChunk: 60 },
    })
    const stamps: number[] = []
    for await (const _part of await clientFor(server).chat({
      model: 'gemma3:1b',
      messages,
      stream: true,
    })) {
      stamps.push(performance.now())
    }
    const gaps = stamps.slice(1, -1).map((t, i) => t - (stamps[i] ?? 0))
    expect(gaps.length).toBeGreaterThanOrEqual(3)
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(50)
  })

  it('the control endpoint sets faults at runtime and names a bad key', async () => {
    const s = await start()
    const post = (body: unknown): Promise<Response> =>
      fetch(`${s.url}/_sim/fault`, { method: 'POST', body: JSON.stringify(body) })
    const bad = await post({ kind: 'http-error', status: 418 })
    expect(bad.status).toBe(400)
    expect(await bad.json()).toEqual({ error: 'fault.status: expected 500 or 503, got 418' })
    const unknown = await post({ kind: 'explode' })
    expect(((await unknown.json()) as { error: string }).error).toMatch(
      /^fault\.kind: expected one of/,
    )

    expect((await post({ kind: 'http-error', status: 503 })).status).toBe(200)
    expect(s.fault()).toEqual({ kind: 'http-error', status: 503 })
    const err = await rejection(clientFor(s).generate({ model: 'gemma3:1b', prompt: 'x' }))
    expect(err['status_code']).toBe(503)

    expect(await (await post({ kind: 'stopped' })).json()).toEqual({ fault: { kind: 'stopped' } })
    await vi.waitFor(async () => {
      const refused = await rejection(fetch(`${s.url}/`))
      expect((refused.cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED')
    })
  })

  it('a hung server still answers its control endpoint, so the fault can be lifted', async () => {
    const s = await start({ kind: 'hang' })
    const state = (await (await fetch(`${s.url}/_sim/state`)).json()) as { fault: Fault }
    expect(state.fault).toEqual({ kind: 'hang' })
    await fetch(`${s.url}/_sim/fault`, { method: 'POST', body: '{"kind":"none"}' })
    expect((await clientFor(s).version()).version).toMatch(/^\d+\.\d+\.\d+$/)
  })
})

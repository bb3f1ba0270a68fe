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

  /** An ollama-js client whose every request gives up after `ms`. */
  const impatient = (s: SimServer, ms = 250): Ollama =>
    new Ollama({
      host: s.url,
      fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(ms) }),
    })

  it('frozen: nothing answers, probes included; the connection is accepted and stays silent', async () => {
    const s = await start()
    await clientFor(s).chat({ model: 'gemma3:1b', messages })
    await s.setFault({ kind: 'frozen' })
    const probe = impatient(s)
    for (const call of [() => probe.version(), () => probe.list(), () => probe.ps()]) {
      expect((await rejection(call())).name).toBe('TimeoutError')
    }
    const root = await rejection(fetch(`${s.url}/`, { signal: AbortSignal.timeout(250) }))
    expect(root.name).toBe('TimeoutError')
    // The requests did arrive: it is a silent box, not a refused port.
    expect(s.requests.map((r) => r.path).slice(-4)).toEqual([
      '/api/version',
      '/api/tags',
      '/api/ps',
      '/',
    ])
    await s.setFault({ kind: 'none' })
    expect((await clientFor(s).version()).version).toMatch(/^\d/)
  })

  it('frozen mid-stream: the chunks stop; lifting the fault lets the answer finish', async () => {
    server = await startFastSim({ name: 'faulty', models: ['gemma3:1b'], tokensPerSecond: 50 })
    const s = server
    const seen: string[] = []
    let done = false
    const reading = (async () => {
      for await (const part of await clientFor(s).chat({
        model: 'gemma3:1b',
        messages,
        stream: true,
      })) {
        seen.push(part.message.content)
        if (seen.length === 2) await s.setFault({ kind: 'frozen' })
        done = part.done
      }
    })()
    await vi.waitFor(() => expect(s.fault().kind).toBe('frozen'))
    const frozenAt = seen.length
    await new Promise((r) => setTimeout(r, 300))
    expect(seen.length).toBeLessThanOrEqual(frozenAt + 1)
    await s.setFault({ kind: 'none' })
    await reading
    expect(done).toBe(true)
  })

  it('wedged: /, /api/version, /api/tags and /api/ps answer, generation never starts', async () => {
    const s = await start()
    const client = clientFor(s)
    await client.chat({ model: 'gemma3:1b', messages })
    await s.setFault({ kind: 'wedged' })
    expect((await client.version()).version).toMatch(/^\d/)
    expect(await (await fetch(`${s.url}/`)).text()).toBe('Ollama is running')
    expect((await client.list()).models).toHaveLength(1)
    // The warm model is listed, yet no chunk ever comes.
    expect((await client.ps()).models.map((m) => m.name)).toEqual(['gemma3:1b'])
    const warm = await rejection(
      impatient(s, 400).chat({ model: 'gemma3:1b', messages, stream: false }),
    )
    expect(warm.name).toBe('TimeoutError')
    // A cold model never finishes loading: it does not appear in /api/ps.
    await client.generate({ model: 'gemma3:1b', prompt: '', keep_alive: 0 })
    const cold = await rejection(
      impatient(s, 400).chat({ model: 'gemma3:1b', messages, stream: false }),
    )
    expect(cold.name).toBe('TimeoutError')
    expect((await client.ps()).models).toEqual([])
    // Once the wedged requests gave up, a lifted fault serves normally again.
    await s.setFault({ kind: 'none' })
    expect((await client.chat({ model: 'gemma3:1b', messages })).done).toBe(true)
  })

  it('crash: a last {"error"} line with no done; the model is no longer loaded', async () => {
    const s = await start({ kind: 'crash', afterChunks: 3 })
    const raw = await (
      await fetch(`${s.url}/api/chat`, {
        method: 'POST',
        body: JSON.stringify({ model: 'gemma3:1b', messages }),
      })
    ).text()
    const lines = raw
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(lines).toHaveLength(4)
    expect(lines.some((l) => l['done'] === true)).toBe(false)
    expect(lines[3]).toEqual({
      error: expect.stringMatching(/^an error was encountered while running the model/),
    })
    expect(s.loaded()).toEqual([])
    const { parts, error } = await streamChat(clientFor(s))
    expect(parts).toHaveLength(3)
    expect(error?.message).toMatch(/^an error was encountered while running the model/)
    const whole = await rejection(clientFor(s).chat({ model: 'gemma3:1b', messages }))
    expect(whole['status_code']).toBe(500)
  })

  it('crash on /v1: an empty delta, then the stream ends without [DONE]', async () => {
    const s = await start({ kind: 'crash', afterChunks: 2 })
    const raw = await (
      await fetch(`${s.url}/v1/chat/completions`, {
        method: 'POST',
        body: JSON.stringify({ model: 'gemma3:1b', messages, stream: true }),
      })
    ).text()
    const events = raw.split('\n\n').filter((e) => e !== '')
    expect(events).toHaveLength(3)
    expect(events.at(-1)).not.toContain('[DONE]')
    const last = JSON.parse(events.at(-1)?.slice('data: '.length) ?? '') as {
      choices: { delta: { content?: string } }[]
    }
    expect(last.choices[0]?.delta.content).toBe('')
  })

  it.each([
    ['crash', { kind: 'crash', afterChunks: 2 }],
    ['http-error after chunks', { kind: 'http-error', status: 500, afterChunks: 2 }],
  ] as const)(
    '%s on /v1 is the empty chunk ChatWriter makes of the error line',
    async (_l, fault) => {
      const s = await start(fault)
      const raw = await (
        await fetch(`${s.url}/v1/chat/completions`, {
          method: 'POST',
          body: JSON.stringify({ model: 'gemma3:1b', messages, stream: true }),
        })
      ).text()
      const events = raw.split('\n\n').filter((e) => e !== '')
      const last = JSON.parse(events.at(-1)?.slice('data: '.length) ?? '') as Record<
        string,
        unknown
      >
      // The error line has no model and the role went out with the first chunk.
      expect(last).toMatchObject({ object: 'chat.completion.chunk', model: '' })
      expect(last['choices']).toEqual([{ index: 0, delta: { content: '' }, finish_reason: null }])
      expect(raw).not.toContain('[DONE]')
    },
  )

  it('no-done: the stream ends cleanly without a done line', async () => {
    const s = await start({ kind: 'no-done', afterChunks: 2 })
    const raw = await (
      await fetch(`${s.url}/api/chat`, {
        method: 'POST',
        body: JSON.stringify({ model: 'gemma3:1b', messages }),
      })
    ).text()
    const lines = raw
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(lines.map((l) => l['done'])).toEqual([false, false])
    const { parts, error } = await streamChat(clientFor(s))
    expect(parts).toHaveLength(2)
    expect(error?.message).toBe('Did not receive done or success response in stream.')
    const whole = await clientFor(s).chat({ model: 'gemma3:1b', messages, stream: false })
    expect(whole.done).toBe(false)
  })

  it('sets the new faults through POST /_sim/fault and names a bad field', async () => {
    const s = await start()
    const post = (body: unknown): Promise<Response> =>
      fetch(`${s.url}/_sim/fault`, { method: 'POST', body: JSON.stringify(body) })
    expect((await post({ kind: 'crash' })).status).toBe(400)
    expect(await (await post({ kind: 'no-done', afterChunks: -1 })).json()).toEqual({
      error: 'fault.afterChunks: expected a whole number >= 0, got -1',
    })
    for (const fault of [
      { kind: 'wedged' },
      { kind: 'frozen' },
      { kind: 'crash', afterChunks: 1 },
    ]) {
      expect((await post(fault)).status).toBe(200)
      await vi.waitFor(() => expect(s.fault()).toEqual(fault))
      if (fault.kind === 'frozen') await s.setFault({ kind: 'none' })
    }
  })
})

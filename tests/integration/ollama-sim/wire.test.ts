import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SimServer } from '../../../tools/ollama-sim'
import { startFastSim } from './sim-fixture'

// Wire details a client library would hide: content types, framing, status codes.
describe('ollama-sim on the wire', () => {
  let server: SimServer
  const post = (path: string, body: unknown): Promise<Response> =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })

  beforeAll(async () => {
    server = await startFastSim({ name: 'wire', models: ['gemma3:1b', 'qwen2.5:1.5b'] })
  })
  afterAll(() => server.stop())

  it('GET / says Ollama is running in plain text', async () => {
    const res = await fetch(`${server.url}/`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    expect(await res.text()).toBe('Ollama is running')
  })

  it('HEAD / answers 200 with no body', async () => {
    const res = await fetch(`${server.url}/`, { method: 'HEAD' })
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('')
  })

  it('streams /api/chat as NDJSON: one JSON object per line, the last one done', async () => {
    const res = await post('/api/chat', {
      model: 'gemma3:1b',
      messages: [{ role: 'user', content: 'hi' }],
    })
    expect(res.headers.get('content-type')).toBe('application/x-ndjson')
    const raw = await res.text()
    expect(raw.endsWith('\n')).toBe(true)
    const lines = raw
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(lines.slice(0, -1).every((l) => l['done'] === false)).toBe(true)
    expect(lines.at(-1)).toMatchObject({ done: true, done_reason: 'stop', model: 'gemma3:1b' })
    expect(typeof lines[0]?.['created_at']).toBe('string')
  })

  it('answers stream:false with one application/json object', async () => {
    const res = await post('/api/generate', { model: 'gemma3:1b', prompt: 'hi', stream: false })
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8')
    const body = (await res.json()) as Record<string, unknown>
    expect(body).toMatchObject({ done: true, done_reason: 'stop' })
    expect(String(body['response'])).toMatch(/^\[gemma3:1b@wire\] hi /)
  })

  it('frames /v1/chat/completions as SSE ending with data: [DONE]', async () => {
    const res = await post('/v1/chat/completions', {
      model: 'gemma3:1b',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    })
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    const raw = await res.text()
    const events = raw.split('\n\n').filter((e) => e !== '')
    expect(events.every((e) => e.startsWith('data: '))).toBe(true)
    expect(events.at(-1)).toBe('data: [DONE]')
    expect(raw.endsWith('data: [DONE]\n\n')).toBe(true)
    const first = JSON.parse(events[0]?.slice(6) ?? '') as Record<string, unknown>
    expect(first).toMatchObject({
      object: 'chat.completion.chunk',
      system_fingerprint: 'fp_ollama',
    })
  })

  it.each([
    ['empty messages load the model', { messages: [] }, 'load', true],
    [
      'empty messages with keep_alive 0 unload it',
      { messages: [], keep_alive: 0 },
      'unload',
      false,
    ],
  ])('%s', async (_label, extra, reason, loadedAfter) => {
    const res = await post('/api/chat', { model: 'qwen2.5:1.5b', ...extra })
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(await res.json()).toMatchObject({ done: true, done_reason: reason })
    expect(server.loaded().includes('qwen2.5:1.5b')).toBe(loadedAfter)
  })

  it.each([
    ['an empty body', '/api/chat', '', 400, { error: 'missing request body' }],
    ['bad JSON', '/api/chat', '{nope', 400, { error: expect.stringMatching(/^invalid JSON body/) }],
    ['no model', '/api/generate', { prompt: 'x' }, 400, { error: 'model is required' }],
    [
      'messages not a list',
      '/api/chat',
      { model: 'gemma3:1b', messages: 'hi' },
      400,
      { error: 'messages must be an array' },
    ],
    [
      'show of an unknown model',
      '/api/show',
      { model: 'x' },
      404,
      { error: "model 'x' not found" },
    ],
    [
      'embed input of a wrong type',
      '/api/embed',
      { model: 'gemma3:1b', input: 3 },
      400,
      { error: 'invalid input type' },
    ],
    [
      'bad JSON on /v1',
      '/v1/chat/completions',
      '{nope',
      400,
      {
        error: {
          message: expect.stringMatching(/^invalid JSON body/),
          type: 'invalid_request_error',
          param: null,
          code: null,
        },
      },
    ],
  ])('%s → %s %i', async (_label, path, body, status, expected) => {
    const res = await post(path, body)
    expect(res.status).toBe(status)
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(await res.json()).toEqual(expected)
  })

  it.each([
    ['GET', '/api/nothing', 404, '404 page not found'],
    ['GET', '/api/chat', 405, '405 method not allowed'],
    ['POST', '/api/tags', 405, '405 method not allowed'],
    ['DELETE', '/', 405, '405 method not allowed'],
  ])('%s %s → %i', async (method, path, status, text) => {
    const res = await fetch(`${server.url}${path}`, { method })
    expect(res.status).toBe(status)
    expect(await res.text()).toBe(text)
  })

  it('exposes its state on /_sim/state without counting it as traffic', async () => {
    const res = await fetch(`${server.url}/_sim/state`)
    const state = (await res.json()) as Record<string, unknown>
    expect(state).toMatchObject({ name: 'wire', url: server.url, fault: { kind: 'none' } })
    expect(state['models']).toEqual(['gemma3:1b', 'qwen2.5:1.5b'])
    expect(Object.keys(state['requestCounts'] as object)).not.toContain('/_sim/state')
  })

  it('changes its models at runtime through /_sim/models', async () => {
    const res = await post('/_sim/models', { models: ['phi3:3b'] })
    expect(await res.json()).toEqual({ models: ['phi3:3b'] })
    const tags = (await (await fetch(`${server.url}/api/tags`)).json()) as {
      models: { name: string; details: { parameter_size: string } }[]
    }
    expect(tags.models.map((m) => [m.name, m.details.parameter_size])).toEqual([
      ['phi3:3b', '3.8B'],
    ])
    server.setModels(['gemma3:1b', 'qwen2.5:1.5b'])
  })
})

import type { Ollama } from 'ollama'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SimServer } from '../../../tools/ollama-sim'
import { clientFor, rejection, startFastSim } from './sim-fixture'

// The simulator as the official `ollama` client sees it: every route and every error.
describe('ollama-sim through the ollama client', () => {
  let server: SimServer
  let client: Ollama

  beforeAll(async () => {
    server = await startFastSim({
      name: 'gpu-box',
      models: ['gemma3:1b', 'qwen3:14b', 'llama3.3:70b', 'nomic-embed-text'],
      replyWords: 12,
    })
    client = clientFor(server)
  })
  afterAll(() => server.stop())

  it('reports a current version (the 0.33 line, whose behaviour it simulates)', async () => {
    expect((await client.version()).version).toMatch(/^0\.33\.\d+$/)
  })

  it('lists every model with Ollama details', async () => {
    const { models } = await client.list()
    expect(models.map((m) => m.name).sort()).toEqual([
      'gemma3:1b',
      'llama3.3:70b',
      'nomic-embed-text:latest',
      'qwen3:14b',
    ])
    const big = models.find((m) => m.name === 'llama3.3:70b')
    expect(big?.details).toEqual({
      parent_model: '',
      format: 'gguf',
      family: 'llama',
      families: ['llama'],
      parameter_size: '70.6B',
      quantization_level: 'Q4_K_M',
    })
    expect(big?.size).toBeGreaterThan(40e9)
    expect(big?.digest).toMatch(/^[0-9a-f]{64}$/)
    expect(Number.isNaN(Date.parse(String(big?.modified_at)))).toBe(false)
  })

  it.each([
    ['gemma3:1b', 'gemma3', ['completion'], 'gemma3.context_length', 32768],
    ['qwen3:14b', 'qwen3', ['completion', 'tools', 'thinking'], 'qwen3.context_length', 40960],
    ['nomic-embed-text', 'nomic-bert', ['embedding'], 'nomic-bert.context_length', 2048],
  ])('shows %s: family %s, capabilities %j', async (model, family, caps, ctxKey, ctx) => {
    const show = await client.show({ model })
    expect(show.details.family).toBe(family)
    expect(show.capabilities).toEqual(caps)
    expect((show.model_info as unknown as Record<string, unknown>)[ctxKey]).toBe(ctx)
  })

  it('streams a chat answer that says who answered, ending with done and metrics', async () => {
    const stream = await client.chat({
      model: 'gemma3:1b',
      messages: [{ role: 'user', content: 'Hello simulator friend' }],
      stream: true,
    })
    const parts: string[] = []
    let last: Awaited<ReturnType<Ollama['chat']>> | null = null
    for await (const part of stream) {
      parts.push(part.message.content)
      last = part
    }
    const text = parts.join('')
    expect(text.startsWith('[gemma3:1b@gpu-box] Hello simulator friend')).toBe(true)
    expect(parts.filter((p) => p !== '').length).toBeGreaterThan(5)
    expect(last?.done).toBe(true)
    expect(last?.done_reason).toBe('stop')
    expect(last?.eval_count).toBe(parts.length - 1)
    for (const key of [
      'total_duration',
      'load_duration',
      'prompt_eval_count',
      'prompt_eval_duration',
      'eval_duration',
    ] as const) {
      expect(last?.[key]).toBeGreaterThan(0)
    }
  })

  it('answers a non-streaming chat as one message with the same text', async () => {
    const messages = [{ role: 'user', content: 'Hello simulator friend' }]
    const whole = await client.chat({ model: 'gemma3:1b', messages, stream: false })
    const streamed: string[] = []
    for await (const p of await client.chat({ model: 'gemma3:1b', messages, stream: true })) {
      streamed.push(p.message.content)
    }
    expect(whole.message.role).toBe('assistant')
    expect(whole.message.content).toBe(streamed.join(''))
    expect(whole.done).toBe(true)
  })

  it('generates, streamed and not', async () => {
    const whole = await client.generate({
      model: 'qwen3:14b',
      prompt: 'Write a haiku',
      stream: false,
    })
    expect(whole.response?.startsWith('[qwen3:14b@gpu-box] Write a haiku')).toBe(true)
    let text = ''
    for await (const p of await client.generate({
      model: 'qwen3:14b',
      prompt: 'Write a haiku',
      stream: true,
    })) {
      text += p.response ?? ''
    }
    expect(text).toBe(whole.response)
  })

  it('limits the answer with num_predict and says done_reason length', async () => {
    const res = await client.chat({
      model: 'gemma3:1b',
      messages: [{ role: 'user', content: 'long please' }],
      options: { num_predict: 3 },
    })
    expect(res.done_reason).toBe('length')
    expect(res.eval_count).toBe(3)
  })

  it('thinks when asked and the model can', async () => {
    const res = await client.chat({
      model: 'qwen3:14b',
      messages: [{ role: 'user', content: 'why' }],
      think: true,
    })
    expect(res.message.thinking?.length).toBeGreaterThan(0)
    expect(res.message.content.startsWith('[qwen3:14b@gpu-box]')).toBe(true)
  })

  it('embeds with an embedding model: one unit vector per input', async () => {
    const res = await client.embed({ model: 'nomic-embed-text', input: ['a', 'b'] })
    expect(res.embeddings).toHaveLength(2)
    expect(res.embeddings[0]).toHaveLength(768)
    const norm = Math.hypot(...(res.embeddings[0] ?? []))
    expect(norm).toBeCloseTo(1, 4)
    expect(res.embeddings[0]).not.toEqual(res.embeddings[1])
  })

  it('lists models loaded by use in ps', async () => {
    const { models } = await client.ps()
    const names = models.map((m) => m.name)
    expect(names).toEqual(expect.arrayContaining(['gemma3:1b', 'qwen3:14b']))
    expect(names).not.toContain('llama3.3:70b')
  })

  it.each([
    [
      'chat with an unknown model',
      (c: Ollama) => c.chat({ model: 'nope:1b', messages: [{ role: 'user', content: 'x' }] }),
      404,
      "model 'nope:1b' not found",
    ],
    [
      'generate with an unknown model',
      (c: Ollama) => c.generate({ model: 'nope:1b', prompt: 'x' }),
      404,
      "model 'nope:1b' not found",
    ],
    [
      'show an unknown model',
      (c: Ollama) => c.show({ model: 'nope:1b' }),
      404,
      "model 'nope:1b' not found",
    ],
    [
      'embed with an unknown model',
      (c: Ollama) => c.embed({ model: 'nope:1b', input: 'x' }),
      404,
      'model "nope:1b" not found, try pulling it first',
    ],
    [
      'chat with an embedding model',
      (c: Ollama) =>
        c.chat({ model: 'nomic-embed-text', messages: [{ role: 'user', content: 'x' }] }),
      400,
      '"nomic-embed-text" does not support chat',
    ],
    [
      'generate with an embedding model',
      (c: Ollama) => c.generate({ model: 'nomic-embed-text', prompt: 'x' }),
      400,
      '"nomic-embed-text" does not support generate',
    ],
    [
      'thinking on a model that cannot',
      (c: Ollama) =>
        c.chat({ model: 'gemma3:1b', messages: [{ role: 'user', content: 'x' }], think: true }),
      400,
      '"gemma3:1b" does not support thinking',
    ],
    [
      'tools on a model without tools',
      (c: Ollama) =>
        c.chat({
          model: 'gemma3:1b',
          messages: [{ role: 'user', content: 'x' }],
          tools: [
            {
              type: 'function',
              function: {
                name: 'f',
                description: 'd',
                parameters: { type: 'object', properties: {} },
              },
            },
          ],
        }),
      400,
      'registry.ollama.ai/library/gemma3:1b does not support tools',
    ],
    [
      'chat without a model',
      (c: Ollama) => c.chat({ model: '', messages: [] }),
      400,
      'model is required',
    ],
    [
      'a bad keep_alive',
      (c: Ollama) => c.chat({ model: 'gemma3:1b', messages: [], keep_alive: 'soon' }),
      400,
      'time: invalid duration "soon"',
    ],
  ])('%s → ResponseError %i', async (_label, call, status, message) => {
    const err = await rejection(call(client))
    expect(err.name).toBe('ResponseError')
    expect(err['status_code']).toBe(status)
    expect(err['error']).toBe(message)
  })

  it('refused connections surface as fetch failed with ECONNREFUSED', async () => {
    const gone = await startFastSim({ models: ['gemma3:1b'] })
    await gone.stop()
    const err = await rejection(clientFor(gone).list())
    expect(err).toBeInstanceOf(TypeError)
    expect(err.message).toBe('fetch failed')
    expect((err.cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED')
  })

  it('records which requests reached it', () => {
    const chats = server.requests.filter((r) => r.path === '/api/chat')
    expect(chats.length).toBeGreaterThan(0)
    expect(chats[0]).toMatchObject({ method: 'POST', model: 'gemma3:1b' })
    expect(server.state().requestCounts['/api/tags']).toBe(1)
  })
})

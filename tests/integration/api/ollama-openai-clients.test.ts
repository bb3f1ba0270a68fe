/**
 * The official `ollama` and `openai` clients, unchanged, against `serve` on a simulated fleet (issue 4 point 5).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Ollama } from 'ollama'
import OpenAI from 'openai'
import { startServeFixture, type ServeFixture } from '../../helpers/serve-fixture'

let fx: ServeFixture
let ollama: Ollama
let openai: OpenAI

beforeAll(async () => {
  fx = await startServeFixture()
  ollama = new Ollama({ host: fx.serve.url })
  openai = new OpenAI({ baseURL: `${fx.serve.url}/v1`, apiKey: 'unused', maxRetries: 0 })
})
afterAll(async () => {
  await fx?.close()
})

const HI = 'Hi!'
const AUTH_EN = 'Write an auth system with JWT, refresh tokens and rate limiting'
const AUTH_RU = 'Напиши систему авторизации с JWT, refresh tokens и rate limiting'

describe('ollama client through AILLM', () => {
  it('lists every model once plus the virtual auto models', async () => {
    const { models } = await ollama.list()
    const names = models.map((m) => m.name)
    expect(names.slice(0, 4)).toEqual(['auto', 'auto:fast', 'auto:balanced', 'auto:powerful'])
    for (const m of ['llama3.3:70b', 'gemma3:12b', 'qwen2.5-coder:14b', 'gemma3:1b', 'phi3:3b']) {
      expect(names.filter((n) => n === m)).toHaveLength(1)
    }
  })

  it.each([
    [HI, 'gemma3:1b', 'localhost'],
    ['Привет!', 'gemma3:1b', 'localhost'],
    ['Explain the Singleton pattern', 'gemma3:12b', 'remote'],
    [AUTH_RU, 'qwen2.5-coder:14b', 'remote'],
  ])('auto, not streaming: %s → %s @ %s', async (prompt, model, server) => {
    const res = await ollama.chat({
      model: 'auto',
      messages: [{ role: 'user', content: prompt }],
      stream: false,
    })
    expect(res.message.content.startsWith(`[${model}@${server}]`)).toBe(true)
    expect(res.model).toBe(model)
    const metadata = (res as unknown as { metadata: Record<string, unknown> }).metadata
    expect(metadata).toMatchObject({ model, provider: 'ollama', fallback: false })
  })

  it('auto, streaming: the done chunk carries the metadata', async () => {
    const stream = await ollama.chat({
      model: 'auto',
      messages: [{ role: 'user', content: HI }],
      stream: true,
    })
    let text = ''
    let last: Record<string, unknown> = {}
    for await (const part of stream) {
      text += part.message.content
      last = part as unknown as Record<string, unknown>
    }
    expect(text.startsWith('[gemma3:1b@localhost]')).toBe(true)
    expect(last['done']).toBe(true)
    expect(last['metadata']).toMatchObject({
      model: 'gemma3:1b',
      provider: 'ollama',
      distributed_routing: true,
      server_used: fx.local.url,
      complexity_level: 'trivial',
      used_fast_model: true,
    })
  })

  it('a real model name goes to a server that has it', async () => {
    const res = await ollama.generate({ model: 'qwen3:14b', prompt: HI, stream: false })
    expect(res.response?.startsWith('[qwen3:14b@remote]')).toBe(true)
  })

  it('generate streams too', async () => {
    const stream = await ollama.generate({ model: 'auto', prompt: AUTH_EN, stream: true })
    let text = ''
    for await (const part of stream) text += part.response
    expect(text.startsWith('[qwen2.5-coder:14b@remote]')).toBe(true)
  })

  it('an unknown model is a 404 in Ollama form', async () => {
    const err = await ollama
      .chat({ model: 'nope:1b', messages: [{ role: 'user', content: HI }], stream: false })
      .catch((e: unknown) => e as { name: string; status_code: number; message: string })
    expect(err).toMatchObject({ name: 'ResponseError', status_code: 404 })
    expect(err.message).toContain('nope:1b')
  })

  it('show is answered by a server that has the model', async () => {
    const info = await ollama.show({ model: 'gemma3:12b' })
    expect(info.details.family).toBeTruthy()
    const auto = await ollama.show({ model: 'auto' })
    expect(auto.capabilities).toContain('completion')
  })

  it('ps lists what the servers hold in memory', async () => {
    await ollama.chat({
      model: 'gemma3:1b',
      messages: [{ role: 'user', content: HI }],
      stream: false,
    })
    const { models } = await ollama.ps()
    expect(models.map((m) => m.name)).toContain('gemma3:1b')
  })
})

describe('openai client through AILLM', () => {
  it('lists models', async () => {
    const list = await openai.models.list()
    const ids = list.data.map((m) => m.id)
    expect(ids).toContain('auto')
    expect(ids).toContain('qwen2.5-coder:14b')
  })

  it('not streaming: a coding prompt lands on qwen2.5-coder:14b @ remote', async () => {
    const res = await openai.chat.completions.create({
      model: 'auto',
      messages: [{ role: 'user', content: AUTH_EN }],
    })
    expect(res.choices[0]?.message.content?.startsWith('[qwen2.5-coder:14b@remote]')).toBe(true)
    expect(res.model).toBe('qwen2.5-coder:14b')
  })

  it('streaming: a greeting lands on gemma3:1b @ localhost', async () => {
    const stream = await openai.chat.completions.create({
      model: 'auto',
      messages: [{ role: 'user', content: HI }],
      stream: true,
      stream_options: { include_usage: true },
    })
    let text = ''
    let usage: unknown = null
    let finish: string | null = null
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? ''
      finish = chunk.choices[0]?.finish_reason ?? finish
      if (chunk.usage) usage = chunk.usage
    }
    expect(text.startsWith('[gemma3:1b@localhost]')).toBe(true)
    expect(finish).toBe('stop')
    expect(usage).toMatchObject({ total_tokens: expect.any(Number) })
  })

  it('an unknown model is a 404 in OpenAI form', async () => {
    const err = await openai.chat.completions
      .create({ model: 'nope:1b', messages: [{ role: 'user', content: HI }] })
      .then(() => null)
      .catch((e: unknown) => e as { status: number; error: { message: string } })
    expect(err?.status).toBe(404)
    expect(err?.error.message).toContain('nope:1b')
  })
})

const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather of a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
}

describe('requests with tools', () => {
  it('go only to models that support tools (gemma3 does not)', async () => {
    const res = await ollama.chat({
      model: 'auto',
      messages: [{ role: 'user', content: HI }],
      tools: [WEATHER_TOOL],
      stream: false,
    })
    expect(res.message.content.startsWith('[qwen2.5:1.5b@localhost]')).toBe(true)
    const d = await fetch(`${fx.serve.url}/api/route`, {
      method: 'POST',
      body: JSON.stringify({ prompt: HI }),
    }).then((r) => r.json() as Promise<{ model: string }>)
    expect(d.model).toBe('gemma3:1b') // the same prompt without tools
  })

  it('naming a model without tool support is a 400 that says so', async () => {
    const err = await ollama
      .chat({
        model: 'gemma3:12b',
        messages: [{ role: 'user', content: HI }],
        tools: [WEATHER_TOOL],
        stream: false,
      })
      .catch((e: unknown) => e as { status_code: number; message: string })
    expect(err).toMatchObject({ status_code: 400 })
    expect(err.message).toContain('does not support tools')
  })

  it('carry tool calls and results in the history through the OpenAI face', async () => {
    const res = await openai.chat.completions.create({
      model: 'auto',
      tools: [WEATHER_TOOL as never],
      messages: [
        { role: 'user', content: 'What is the weather in Oslo?' },
        {
          role: 'assistant',
          content: '',
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '{"temp": 3}' },
      ],
    })
    const content = res.choices[0]?.message.content ?? ''
    const [, model] = /^\[([^@]+)@/.exec(content) ?? []
    expect(['gemma3:1b', 'gemma3:12b', 'phi3:3b']).not.toContain(model)
    expect(res.choices[0]?.finish_reason).toBe('stop')
  })

  it('refuses malformed tool arguments, naming where', async () => {
    const err = await openai.chat.completions
      .create({
        model: 'auto',
        messages: [
          {
            role: 'assistant',
            content: '',
            tool_calls: [
              { id: 'c', type: 'function', function: { name: 'f', arguments: 'not json' } },
            ],
          },
          { role: 'user', content: HI },
        ],
      })
      .then(() => null)
      .catch((e: unknown) => e as { status: number; error: { message: string } })
    expect(err?.status).toBe(400)
    expect(err?.error.message).toContain('messages[0].tool_calls[0].function.arguments')
  })
})

describe('review fixes on the faces', () => {
  it('think:true routes to a model that can think', async () => {
    const res = await ollama.chat({
      model: 'auto',
      messages: [{ role: 'user', content: HI }],
      think: true,
      stream: false,
    })
    expect(res.message.content.startsWith('[qwen3:14b@remote]')).toBe(true)
  })

  it('embeds with an untagged model name', async () => {
    const res = await ollama.embed({ model: 'nomic-embed-text', input: ['a', 'b'] })
    expect(res.embeddings).toHaveLength(2)
  })

  it('says finish_reason length when max_tokens cut the answer', async () => {
    const res = await openai.chat.completions.create({
      model: 'auto',
      max_tokens: 3,
      messages: [{ role: 'user', content: HI }],
    })
    expect(res.choices[0]?.finish_reason).toBe('length')
  })

  it('passes data: URL images on, so a vision model answers', async () => {
    const png =
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='
    const res = await openai.chat.completions.create({
      model: 'auto',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Explain what this picture shows' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${png}` } },
          ],
        },
      ],
    })
    expect(res.choices[0]?.message.content?.startsWith('[gemma3:12b@remote]')).toBe(true)
  })

  it('refuses an image by web URL, saying why', async () => {
    const err = await openai.chat.completions
      .create({
        model: 'auto',
        messages: [
          {
            role: 'user',
            content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }],
          },
        ],
      })
      .then(() => null)
      .catch((e: unknown) => e as { status: number; error: { message: string } })
    expect(err?.status).toBe(400)
    expect(err?.error.message).toContain('messages[0].content[0].image_url')
  })

  it('maps response_format json_object onto Ollama format', async () => {
    const res = await openai.chat.completions.create({
      model: 'auto',
      response_format: { type: 'json_object' },
      messages: [{ role: 'user', content: HI }],
    })
    expect(res.choices[0]?.message.content).toBeTruthy()
    const bad = await openai.chat.completions
      .create({
        model: 'auto',
        response_format: { type: 'yaml' } as never,
        messages: [{ role: 'user', content: HI }],
      })
      .then(() => null)
      .catch((e: unknown) => e as { status: number })
    expect(bad?.status).toBe(400)
  })
})

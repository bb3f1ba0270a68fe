import type { Ollama } from 'ollama'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SimServer } from '../../../tools/ollama-sim'
import { clientFor, rejection, startFastSim } from './sim-fixture'

const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather of a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, days: { type: 'integer' } },
      required: ['city'],
    },
  },
}

// What the answers look like: thinking, tool calls, JSON, and the errors of a bad request.
describe('ollama-sim answers', () => {
  let server: SimServer
  let client: Ollama
  let openai: OpenAI

  beforeAll(async () => {
    server = await startFastSim({
      name: 'box',
      models: [
        'gemma3:1b',
        'qwen3:14b',
        'qwen2.5:1.5b',
        { name: 'tiny:1b', contextLength: 256 },
        'gpt-oss:120b-cloud',
      ],
      replyWords: 10,
    })
    client = clientFor(server)
    openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'x', maxRetries: 0 })
  })
  afterAll(() => server.stop())

  /** Streams a chat and returns every chunk. */
  async function chunks(request: Parameters<Ollama['chat']>[0]) {
    const out = []
    for await (const part of await client.chat({ ...request, stream: true })) out.push(part)
    return out
  }

  it('thinks by default with a thinking model: thinking chunks come before any content', async () => {
    const parts = await chunks({ model: 'qwen3:14b', messages: [{ role: 'user', content: 'why' }] })
    const kinds = parts
      .filter((p) => !p.done)
      .map((p) => (p.message.thinking ? 'thinking' : 'content'))
    expect(kinds[0]).toBe('thinking')
    expect(kinds.lastIndexOf('thinking')).toBeLessThan(kinds.indexOf('content'))
    const content = parts.map((p) => p.message.content).join('')
    expect(content.startsWith('[qwen3:14b@box]')).toBe(true)
  })

  it('think:false turns thinking off; a model that cannot think never thinks', async () => {
    for (const [model, think] of [
      ['qwen3:14b', false],
      ['gemma3:1b', undefined],
    ] as const) {
      const res = await client.chat({
        model,
        messages: [{ role: 'user', content: 'why' }],
        ...(think === undefined ? {} : { think }),
      })
      expect(res.message.thinking).toBeUndefined()
      expect(res.message.content.startsWith(`[${model}@box]`)).toBe(true)
    }
  })

  it('holds a tool call back until complete: one chunk with the whole call, no text', async () => {
    const parts = await chunks({
      model: 'qwen2.5:1.5b',
      messages: [{ role: 'user', content: 'What is the weather in Oslo?' }],
      tools: [WEATHER_TOOL],
    })
    const withCalls = parts.filter((p) => (p.message.tool_calls?.length ?? 0) > 0)
    expect(withCalls).toHaveLength(1)
    expect(parts.map((p) => p.message.content).join('')).toBe('')
    const [call] = withCalls[0]?.message.tool_calls ?? []
    expect(call?.function).toMatchObject({ name: 'get_weather', arguments: { city: 'Oslo' } })
    expect((call as unknown as { id: string }).id).toMatch(/^call_[a-z0-9]{8}$/)
    expect(parts.at(-1)).toMatchObject({ done: true, done_reason: 'stop' })
  })

  it('answers in text when the tools are not asked for or the last message is a tool result', async () => {
    const plain = await client.chat({
      model: 'qwen2.5:1.5b',
      messages: [{ role: 'user', content: 'Hi!' }],
      tools: [WEATHER_TOOL],
    })
    expect(plain.message.tool_calls).toBeUndefined()
    expect(plain.message.content.startsWith('[qwen2.5:1.5b@box]')).toBe(true)
    const after = await client.chat({
      model: 'qwen2.5:1.5b',
      messages: [
        { role: 'user', content: 'What is the weather in Oslo?' },
        // The result names the tool's word too: still a text answer, the call was made.
        { role: 'tool', content: '{"weather": "cloudy", "temp": 3}' },
      ],
      tools: [WEATHER_TOOL],
    })
    expect(after.message.tool_calls).toBeUndefined()
    expect(after.message.content).not.toBe('')
  })

  it('gives the OpenAI face a tool call with string arguments and finish_reason tool_calls', async () => {
    const res = await openai.chat.completions.create({
      model: 'qwen2.5:1.5b',
      messages: [{ role: 'user', content: 'weather in Paris' }],
      tools: [WEATHER_TOOL as never],
    })
    const choice = res.choices[0]
    expect(choice?.finish_reason).toBe('tool_calls')
    const call = choice?.message.tool_calls?.[0] as
      { type: string; function: { name: string; arguments: string } } | undefined
    expect(call?.type).toBe('function')
    expect(JSON.parse(call?.function.arguments ?? '')).toMatchObject({ city: 'Paris' })
    const stream = await openai.chat.completions.create({
      model: 'qwen2.5:1.5b',
      messages: [{ role: 'user', content: 'weather in Paris' }],
      tools: [WEATHER_TOOL as never],
      stream: true,
    })
    const finish: (string | null)[] = []
    for await (const chunk of stream) finish.push(chunk.choices[0]?.finish_reason ?? null)
    expect(finish.at(-1)).toBe('tool_calls')
  })

  it('format json: the content is one valid JSON object, streamed or not', async () => {
    const whole = await client.chat({
      model: 'gemma3:1b',
      messages: [{ role: 'user', content: 'list things' }],
      format: 'json',
    })
    expect(JSON.parse(whole.message.content)).toBeTypeOf('object')
    const streamed = await chunks({
      model: 'gemma3:1b',
      messages: [{ role: 'user', content: 'list things' }],
      format: 'json',
    })
    expect(streamed.length).toBeGreaterThan(3)
    expect(JSON.parse(streamed.map((p) => p.message.content).join(''))).toEqual(
      JSON.parse(whole.message.content),
    )
    const gen = await client.generate({ model: 'gemma3:1b', prompt: 'x', format: 'json' })
    expect(() => JSON.parse(gen.response ?? '')).not.toThrow()
  })

  it('format schema: the JSON has the required keys with the schema’s types', async () => {
    const schema = {
      type: 'object',
      properties: {
        name: { type: 'string' },
        age: { type: 'integer', minimum: 18 },
        tags: { type: 'array', items: { type: 'string' } },
        level: { enum: ['low', 'high'] },
        nested: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] },
      },
      required: ['name', 'age', 'extra'],
    }
    const res = await client.chat({
      model: 'gemma3:1b',
      messages: [{ role: 'user', content: 'describe a person' }],
      format: schema,
    })
    const value = JSON.parse(res.message.content) as Record<string, unknown>
    expect(Object.keys(value)).toEqual(expect.arrayContaining(['name', 'age', 'extra']))
    expect(value['name']).toEqual(expect.stringMatching(/^\[gemma3:1b@box\]/))
    expect(value['age']).toBe(18)
    expect(value['tags']).toEqual([expect.any(String)])
    expect(value['level']).toBe('low')
    expect(value['nested']).toEqual({ ok: true })
    const v1 = await openai.chat.completions.create({
      model: 'gemma3:1b',
      messages: [{ role: 'user', content: 'x' }],
      response_format: { type: 'json_schema', json_schema: { name: 's', schema } },
    })
    expect(Object.keys(JSON.parse(v1.choices[0]?.message.content ?? '{}'))).toEqual(
      expect.arrayContaining(['name', 'age', 'extra']),
    )
  })

  it('lists capabilities in /api/tags, and cloud models with remote_host and remote_model', async () => {
    const { models } = await client.list()
    const byName = new Map(models.map((m) => [m.name, m as unknown as Record<string, unknown>]))
    expect(byName.get('qwen3:14b')?.['capabilities']).toEqual(['completion', 'tools', 'thinking'])
    expect(byName.get('gemma3:1b')?.['capabilities']).toEqual(['completion'])
    expect(byName.get('gpt-oss:120b-cloud')).toMatchObject({
      remote_host: 'https://ollama.com:443',
      remote_model: 'gpt-oss:120b',
    })
    expect(byName.get('gemma3:1b')).not.toHaveProperty('remote_host')
  })

  it('answers a cloud model with 401 unauthorized and a sign-in link', async () => {
    const res = await fetch(`${server.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({
        model: 'gpt-oss:120b-cloud',
        messages: [{ role: 'user', content: 'x' }],
      }),
    })
    expect(res.status).toBe(401)
    const body = (await res.json()) as Record<string, unknown>
    expect(body['error']).toBe('unauthorized')
    expect(body['signin_url']).toMatch(/^https:\/\/ollama\.com\/connect/)
    expect(server.loaded()).not.toContain('gpt-oss:120b-cloud')
  })

  it.each([
    [{ num_ctx: 'big' }, 'option "num_ctx" must be of type integer'],
    [{ temperature: 'hot' }, 'option "temperature" must be of type float32'],
    [{ use_mmap: 'yes' }, 'option "use_mmap" must be of type boolean'],
    [{ stop: 'END' }, 'option "stop" must be of type array'],
    [{ stop: [1] }, 'option "stop" must be of an array of strings'],
  ])('a mistyped option %j is a 500 saying which', async (options, message) => {
    const err = await rejection(
      client.chat({
        model: 'gemma3:1b',
        messages: [{ role: 'user', content: 'x' }],
        options: options as never,
      }),
    )
    expect(err.name).toBe('ResponseError')
    expect(err['status_code']).toBe(500)
    expect(err['error']).toBe(message)
  })

  it('ignores options Ollama does not know, and null values', async () => {
    const res = await client.chat({
      model: 'gemma3:1b',
      messages: [{ role: 'user', content: 'x' }],
      options: { no_such_option: 'x', num_ctx: null } as never,
    })
    expect(res.done).toBe(true)
  })

  it('an invalid format string is a 500', async () => {
    const err = await rejection(
      client.chat({
        model: 'gemma3:1b',
        messages: [{ role: 'user', content: 'x' }],
        format: 'xml',
      }),
    )
    expect(err['status_code']).toBe(500)
    expect(err['error']).toBe(
      'invalid format: "\\"xml\\""; expected "json" or a valid JSON Schema object',
    )
  })

  it('a prompt longer than num_ctx is a 400 for this model; a roomier model takes it', async () => {
    const long = [{ role: 'user', content: 'word '.repeat(400) }]
    const err = await rejection(client.chat({ model: 'tiny:1b', messages: long }))
    expect(err['status_code']).toBe(400)
    expect(err['error']).toBe('the prompt is longer than the context length')
    const small = await rejection(
      client.chat({ model: 'gemma3:1b', messages: long, options: { num_ctx: 256 } }),
    )
    expect(small['status_code']).toBe(400)
    const ok = await client.chat({ model: 'gemma3:1b', messages: long })
    expect(ok.done).toBe(true)
  })
})

import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SimServer } from '../../../tools/ollama-sim'
import { rejection, startFastSim } from './sim-fixture'

// The OpenAI-compatible face, as the `openai` npm client sees it.
describe('ollama-sim /v1 through the openai client', () => {
  let server: SimServer
  let client: OpenAI

  beforeAll(async () => {
    server = await startFastSim({ name: 'laptop', models: ['gemma3:1b', 'all-minilm'] })
    client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'x', maxRetries: 0 })
  })
  afterAll(() => server.stop())

  it('lists models', async () => {
    const page = await client.models.list()
    expect(page.data.map((m) => m.id).sort()).toEqual(['all-minilm:latest', 'gemma3:1b'])
    expect(page.data[0]).toMatchObject({ object: 'model', owned_by: 'library' })
  })

  it('retrieves one model, and 404s an unknown one', async () => {
    expect((await client.models.retrieve('gemma3:1b')).id).toBe('gemma3:1b')
    const err = await rejection(client.models.retrieve('nope'))
    expect(err).toBeInstanceOf(OpenAI.NotFoundError)
  })

  it('answers a non-streaming completion with usage', async () => {
    const res = await client.chat.completions.create({
      model: 'gemma3:1b',
      messages: [{ role: 'user', content: 'Hi there' }],
    })
    expect(res.object).toBe('chat.completion')
    expect(res.choices[0]?.message.content?.startsWith('[gemma3:1b@laptop] Hi there')).toBe(true)
    expect(res.choices[0]?.finish_reason).toBe('stop')
    expect(res.usage?.completion_tokens).toBeGreaterThan(5)
    expect(res.usage?.total_tokens).toBe(
      (res.usage?.prompt_tokens ?? 0) + (res.usage?.completion_tokens ?? 0),
    )
  })

  it('streams chunks: role first only, then a finish chunk and a usage chunk', async () => {
    const stream = await client.chat.completions.create({
      model: 'gemma3:1b',
      messages: [{ role: 'user', content: 'Hi there' }],
      stream: true,
      stream_options: { include_usage: true },
    })
    const chunks = []
    for await (const chunk of stream) chunks.push(chunk)
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true)
    const withRole = chunks.filter((c) => c.choices[0]?.delta.role !== undefined)
    expect(withRole).toEqual([chunks[0]])
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')
    expect(text.startsWith('[gemma3:1b@laptop] Hi there')).toBe(true)
    const finish = chunks.at(-2)
    expect(finish?.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' })
    const usage = chunks.at(-1)
    expect(usage?.choices).toEqual([])
    expect(usage?.usage?.completion_tokens).toBe(chunks.length - 2)
  })

  it('reports max_tokens truncation as finish_reason length', async () => {
    const res = await client.chat.completions.create({
      model: 'gemma3:1b',
      messages: [{ role: 'user', content: 'Hi' }],
      max_tokens: 2,
    })
    expect(res.choices[0]?.finish_reason).toBe('length')
    expect(res.usage?.completion_tokens).toBe(2)
  })

  it("ignores max_completion_tokens, which Ollama's ChatCompletionRequest does not have", async () => {
    const res = await client.chat.completions.create({
      model: 'gemma3:1b',
      messages: [{ role: 'user', content: 'Hi' }],
      max_completion_tokens: 2,
    })
    expect(res.choices[0]?.finish_reason).toBe('stop')
    expect(res.usage?.completion_tokens).toBeGreaterThan(2)
  })

  it.each([
    ['an unknown model', 'nope:7b', 404, 'not_found_error', "model 'nope:7b' not found"],
    [
      'an embedding-only model',
      'all-minilm',
      400,
      'invalid_request_error',
      '"all-minilm" does not support chat',
    ],
  ])('rejects %s in OpenAI error form', async (_label, model, status, type, message) => {
    const err = await rejection(
      client.chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }] }),
    )
    expect(err).toBeInstanceOf(OpenAI.APIError)
    expect(err['status']).toBe(status)
    expect(err['error']).toEqual({ message, type, param: null, code: null })
  })
})

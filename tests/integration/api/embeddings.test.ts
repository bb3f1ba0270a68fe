/**
 * Embeddings through `serve` (issue 14, point 2): Ollama's `/api/embed` and legacy `/api/embeddings`,
 * OpenAI's `/v1/embeddings`, each driven by the client people use for it. They go only to embedding
 * models, a whole batch to one server, and move to the next server holding the model when one fails.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Ollama } from 'ollama'
import OpenAI from 'openai'
import { embedMany } from 'ai'
import { createOpenAICompatible } from '@ai-sdk/openai-compatible'
import { startSimServer, type SimServer } from '../../../tools/ollama-sim'
import type { Serve } from '../../../electron/serve/serve'
import { startTwoBoxServe, type TwoBoxServe } from '../../helpers/two-box-serve'

const EMBED = 'nomic-embed-text'

let primary: SimServer
let secondary: SimServer
let serve: Serve
let box: TwoBoxServe
let ollama: Ollama
let openai: OpenAI

/** Generation and embedding requests each box received, by path. */
const embedCalls = (sim: SimServer): string[] =>
  sim.requests.filter((r) => /embed/.test(r.path)).map((r) => r.path)

beforeAll(async () => {
  primary = await startSimServer({ name: 'primary-box', port: 0, models: [EMBED, 'gemma3:12b'] })
  secondary = await startSimServer({ name: 'second-box', port: 0, models: [EMBED, 'gemma3:1b'] })
  box = await startTwoBoxServe({
    primaryUrl: primary.url,
    secondary: { name: 'second-box', url: secondary.url },
  })
  serve = box.serve
  ollama = new Ollama({ host: serve.url })
  openai = new OpenAI({ baseURL: `${serve.url}/v1`, apiKey: 'unused', maxRetries: 0 })
}, 30_000)

afterAll(async () => {
  await box?.close()
  await Promise.all([primary?.stop(), secondary?.stop()])
})

afterEach(async () => {
  await primary.setFault({ kind: 'none' })
  primary.requests.length = 0
  secondary.requests.length = 0
})

describe('Ollama face', () => {
  it('/api/embed embeds a batch on one server, the PRIMARY one', async () => {
    const r = await ollama.embed({ model: EMBED, input: ['a', 'b', 'c'] })
    expect(r.embeddings).toHaveLength(3)
    expect(r.prompt_eval_count).toBeGreaterThan(0)
    expect(embedCalls(primary)).toEqual(['/api/embed'])
    expect(embedCalls(secondary)).toEqual([])
  })

  it('legacy /api/embeddings answers one vector, as ollama-js `embeddings()` expects', async () => {
    const r = await ollama.embeddings({ model: EMBED, prompt: 'hello' })
    expect(r.embedding.length).toBeGreaterThan(100)
    expect(embedCalls(primary)).toEqual(['/api/embeddings'])
  })

  it('a server that fails (500) is left for the next one holding the model', async () => {
    await primary.setFault({ kind: 'http-error', status: 500 })
    const r = await ollama.embed({ model: EMBED, input: ['a', 'b'] })
    expect(r.embeddings).toHaveLength(2)
    expect(embedCalls(primary)).toEqual(['/api/embed'])
    expect(embedCalls(secondary)).toEqual(['/api/embed'])
  })

  it('a chat model is refused with a 400 naming the embedding models; auto too; unknown is 404', async () => {
    await expect(ollama.embed({ model: 'gemma3:12b', input: 'x' })).rejects.toMatchObject({
      status_code: 400,
      error: `gemma3:12b is not an embedding model (embedding models here: ${EMBED}:latest)`,
    })
    await expect(ollama.embed({ model: 'auto', input: 'x' })).rejects.toMatchObject({
      status_code: 400,
      error: `embeddings need a named embedding model (embedding models here: ${EMBED}:latest)`,
    })
    await expect(ollama.embed({ model: 'nope:1b', input: 'x' })).rejects.toMatchObject({
      status_code: 404,
    })
    expect(embedCalls(primary)).toEqual([])
  })

  it('refuses token ids and a bad dimensions value, naming them', async () => {
    const post = (body: unknown) =>
      fetch(`${serve.url}/api/embed`, { method: 'POST', body: JSON.stringify(body) })
    const tokens = await post({ model: EMBED, input: [[1, 2, 3]] })
    expect(tokens.status).toBe(400)
    expect(((await tokens.json()) as { error: string }).error).toContain('token ids')
    const dims = await post({ model: EMBED, input: 'x', dimensions: -4 })
    expect(dims.status).toBe(400)
    expect(((await dims.json()) as { error: string }).error).toBe(
      '"dimensions" must be a positive integer, got -4',
    )
  })
})

describe('OpenAI face', () => {
  it('/v1/embeddings with the openai SDK: floats, indexes, usage from the backend’s count', async () => {
    const r = await openai.embeddings.create({
      model: EMBED,
      input: ['one', 'two'],
      encoding_format: 'float',
    })
    expect(r.object).toBe('list')
    expect(r.data.map((d) => [d.object, d.index])).toEqual([
      ['embedding', 0],
      ['embedding', 1],
    ])
    expect(r.data[0]?.embedding.length).toBeGreaterThan(100)
    expect(r.usage.prompt_tokens).toBeGreaterThan(0)
    expect(r.usage.total_tokens).toBe(r.usage.prompt_tokens)
  })

  it('base64 (the SDK’s default) decodes to the same vector as float', async () => {
    const float = await openai.embeddings.create({
      model: EMBED,
      input: 'same',
      encoding_format: 'float',
    })
    // The SDK asks for base64 when no format is given and decodes it itself.
    const decoded = await openai.embeddings.create({ model: EMBED, input: 'same' })
    const a = float.data[0]!.embedding
    const b = decoded.data[0]!.embedding
    expect(b).toHaveLength(a.length)
    b.forEach((v, i) => expect(v).toBeCloseTo(a[i]!, 5))
  })

  it('the AI SDK’s OpenAI-compatible provider embeds a batch', async () => {
    const provider = createOpenAICompatible({ name: 'aillm', baseURL: `${serve.url}/v1` })
    const r = await embedMany({
      model: provider.textEmbeddingModel(EMBED),
      values: ['x', 'y', 'z'],
    })
    expect(r.embeddings).toHaveLength(3)
  })

  it('errors come in OpenAI’s shape', async () => {
    await expect(
      openai.embeddings.create({ model: 'gemma3:12b', input: 'x' }),
    ).rejects.toMatchObject({ status: 400 })
    const res = await fetch(`${serve.url}/v1/embeddings`, {
      method: 'POST',
      body: JSON.stringify({ model: EMBED, input: 'x', encoding_format: 'hex' }),
    })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({
      error: { message: '"encoding_format" must be "float" or "base64", got "hex"' },
    })
  })
})

describe('model lookups and HEAD', () => {
  it('GET /v1/models/{id} answers a model that exists and 404s one that does not', async () => {
    const model = await openai.models.retrieve(EMBED)
    expect(model).toMatchObject({ id: EMBED, object: 'model' })
    expect((await openai.models.retrieve('auto')).id).toBe('auto')
    await expect(openai.models.retrieve('nope:1b')).rejects.toMatchObject({ status: 404 })
  })

  it('HEAD /api/version and /api/tags answer 200 without a body', async () => {
    for (const path of ['/api/version', '/api/tags']) {
      const res = await fetch(`${serve.url}${path}`, { method: 'HEAD' })
      expect(res.status).toBe(200)
      expect(await res.text()).toBe('')
    }
  })
})

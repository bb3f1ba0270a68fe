import type { Ollama } from 'ollama'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SimServer } from '../../../tools/ollama-sim'
import { clientFor, rejection, startFastSim } from './sim-fixture'

const norm = (v: number[]): number => Math.hypot(...v)
const cosine = (a: number[], b: number[]): number =>
  a.reduce((n, x, i) => n + x * (b[i] ?? 0), 0) / (norm(a) * norm(b))

// The three embedding routes as ollama-js (embed, the legacy embeddings) and the openai SDK
// see them (server/routes.go EmbedHandler / EmbeddingsHandler, middleware/openai.go).
describe('ollama-sim embeddings', () => {
  let server: SimServer
  let ollama: Ollama
  let openai: OpenAI

  beforeAll(async () => {
    server = await startFastSim({
      name: 'emb',
      models: ['nomic-embed-text', 'all-minilm', { name: 'mxbai-embed-large', loadMs: 150 }],
      timeScale: 1,
    })
    ollama = clientFor(server)
    openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'x', maxRetries: 0 })
  })
  afterAll(() => server.stop())

  it('legacy /api/embeddings (ollama-js embeddings()) answers the raw vector: not unit length, same direction as /api/embed', async () => {
    const legacy = await ollama.embeddings({ model: 'nomic-embed-text', prompt: 'a sailing boat' })
    expect(Object.keys(legacy)).toEqual(['embedding'])
    expect(legacy.embedding).toHaveLength(768)
    expect(norm(legacy.embedding)).toBeGreaterThan(2)
    const modern = await ollama.embed({ model: 'nomic-embed-text', input: 'a sailing boat' })
    const [unit] = modern.embeddings
    expect(norm(unit ?? [])).toBeCloseTo(1, 5)
    expect(cosine(legacy.embedding, unit ?? [])).toBeCloseTo(1, 4)
  })

  it('an empty legacy prompt loads the model and answers an empty embedding', async () => {
    const started = performance.now()
    const res = await ollama.embeddings({ model: 'mxbai-embed-large:latest', prompt: '' })
    expect(res).toEqual({ embedding: [] })
    expect(performance.now() - started).toBeGreaterThanOrEqual(140)
    expect(server.loaded()).toContain('mxbai-embed-large:latest')
  })

  it('/api/embed with an empty input loads the model too (Ollama schedules before it reads input)', async () => {
    await ollama.generate({ model: 'all-minilm', prompt: '', keep_alive: 0 }).catch(() => undefined)
    const res = await ollama.embed({ model: 'all-minilm', input: [] })
    expect(res.embeddings).toEqual([])
    expect(server.loaded()).toContain('all-minilm:latest')
  })

  it('/api/embed dimensions keeps the leading values, renormalized', async () => {
    const full = await ollama.embed({ model: 'nomic-embed-text', input: 'tide tables' })
    const short = await ollama.embed({
      model: 'nomic-embed-text',
      input: 'tide tables',
      dimensions: 16,
    })
    const [f] = full.embeddings
    const [s] = short.embeddings
    expect(s).toHaveLength(16)
    expect(norm(s ?? [])).toBeCloseTo(1, 5)
    expect(cosine(s ?? [], (f ?? []).slice(0, 16))).toBeCloseTo(1, 5)
    expect(short.prompt_eval_count).toBeGreaterThan(0)
  })

  it('/api/embed truncate:false refuses an input longer than the context', async () => {
    const long = 'word '.repeat(1200)
    const err = await rejection(
      ollama.embed({
        model: 'all-minilm',
        input: long,
        truncate: false,
        options: { num_ctx: 256 },
      }),
    )
    expect(err['status_code']).toBe(400)
    expect(err['error']).toBe('the input length exceeds the context length')
    const cut = await ollama.embed({ model: 'all-minilm', input: long, options: { num_ctx: 256 } })
    expect(cut.prompt_eval_count).toBe(256)
  })

  it('an unknown model is a 404 with the scheduler text on the legacy route', async () => {
    const err = await rejection(ollama.embeddings({ model: 'nope', prompt: 'x' }))
    expect(err['status_code']).toBe(404)
    expect(err['error']).toBe('model "nope" not found, try pulling it first')
  })

  it('/v1/embeddings (openai SDK, float) answers the OpenAI list with usage', async () => {
    const res = await openai.embeddings.create({
      model: 'nomic-embed-text',
      input: ['first text', 'second text'],
      encoding_format: 'float',
    })
    expect(res.object).toBe('list')
    expect(res.model).toBe('nomic-embed-text')
    expect(res.data.map((d) => [d.object, d.index, d.embedding.length])).toEqual([
      ['embedding', 0, 768],
      ['embedding', 1, 768],
    ])
    const direct = await ollama.embed({
      model: 'nomic-embed-text',
      input: ['first text', 'second text'],
    })
    expect(res.data[1]?.embedding).toEqual(direct.embeddings[1])
    expect(res.usage).toEqual({
      prompt_tokens: direct.prompt_eval_count,
      total_tokens: direct.prompt_eval_count,
    })
  })

  it('/v1/embeddings base64 is little-endian float32 of the same vector; dimensions apply', async () => {
    const body = { model: 'nomic-embed-text', input: 'tide tables', dimensions: 8 }
    const floats = await openai.embeddings.create({ ...body, encoding_format: 'float' })
    const raw = (await (
      await fetch(`${server.url}/v1/embeddings`, {
        method: 'POST',
        body: JSON.stringify({ ...body, encoding_format: 'base64' }),
      })
    ).json()) as { data: { embedding: string }[] }
    const bytes = Buffer.from(raw.data[0]?.embedding ?? '', 'base64')
    const decoded = Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4))
    expect(decoded).toHaveLength(8)
    decoded.forEach((x, i) => expect(x).toBeCloseTo(floats.data[0]?.embedding[i] ?? NaN, 6))
  })

  it.each([
    ['token arrays (Ollama takes strings only)', { input: [1, 2, 3] }, 'invalid input type'],
    ['no input', {}, 'invalid input'],
    ['an empty list', { input: [] }, 'invalid input'],
    [
      'an unknown encoding_format',
      { input: 'x', encoding_format: 'int8' },
      "Invalid value for 'encoding_format' = int8. Supported values: ['float', 'base64'].",
    ],
  ])('/v1/embeddings refuses %s with a 400 in the OpenAI form', async (_label, extra, message) => {
    const res = await fetch(`${server.url}/v1/embeddings`, {
      method: 'POST',
      body: JSON.stringify({ model: 'nomic-embed-text', ...extra }),
    })
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({
      error: { message, type: 'invalid_request_error', param: null, code: null },
    })
  })

  it('/v1/embeddings of an unknown model is an OpenAI 404 (NotFoundError)', async () => {
    const err = await rejection(openai.embeddings.create({ model: 'nope', input: 'x' }))
    expect(err).toBeInstanceOf(OpenAI.NotFoundError)
  })
})

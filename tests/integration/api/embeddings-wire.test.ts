/**
 * Embeddings through `serve`, seen from both ends: what a client sends and gets back, and the body that
 * reaches the Ollama server — recorded by a relay in front of the PRIMARY simulator, which can also answer
 * an embedding call itself with a status of the test's choosing (a client mistake, a server failure).
 */
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Ollama } from 'ollama'
import OpenAI from 'openai'
import { startSimServer, type SimServer } from '../../../tools/ollama-sim'
import { startTwoBoxServe, type TwoBoxServe } from '../../helpers/two-box-serve'

const EMBED = 'nomic-embed-text'

interface BodyRelay {
  url: string
  /** The JSON bodies of the embedding calls passed on (or answered), in order. */
  bodies: Record<string, unknown>[]
  /** When set, embedding calls get this answer instead of reaching the simulator. */
  answer: { status: number; error: string } | null
  close(): Promise<void>
}

async function startBodyRelay(target: string): Promise<BodyRelay> {
  const to = new URL(target)
  const relay: BodyRelay = { url: '', bodies: [], answer: null, close: async () => {} }
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (b: Buffer) => chunks.push(b))
    req.on('end', () => {
      const raw = Buffer.concat(chunks)
      const isEmbed = /embed/.test(req.url ?? '')
      if (isEmbed) relay.bodies.push(JSON.parse(raw.toString('utf8')) as Record<string, unknown>)
      if (isEmbed && relay.answer) {
        res.writeHead(relay.answer.status, { 'content-type': 'application/json' })
        return void res.end(JSON.stringify({ error: relay.answer.error }))
      }
      const up = request(
        {
          host: to.hostname,
          port: to.port,
          path: req.url,
          method: req.method,
          headers: req.headers,
        },
        (upRes) => {
          res.writeHead(upRes.statusCode ?? 502, upRes.headers)
          upRes.pipe(res)
        },
      )
      up.on('error', () => res.destroy())
      up.end(raw)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  relay.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  relay.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return relay
}

let primary: SimServer
let secondary: SimServer
let relay: BodyRelay
let box: TwoBoxServe
let ollama: Ollama
let openai: OpenAI

const embedPaths = (sim: SimServer): string[] =>
  sim.requests.filter((r) => /embed/.test(r.path)).map((r) => r.path)

/** POSTs `body` as JSON to `path` of serve; the status and the parsed answer. */
async function post(path: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${box.serve.url}${path}`, {
    method: 'POST',
    body: JSON.stringify(body),
  })
  return { status: res.status, json: await res.json() }
}

/** The error text of an answer, in Ollama's shape or OpenAI's. */
function errorOf(json: unknown): string {
  const e = (json as { error: string | { message: string } }).error
  return typeof e === 'string' ? e : e.message
}

beforeAll(async () => {
  primary = await startSimServer({ name: 'primary-box', port: 0, models: [EMBED, 'gemma3:1b'] })
  secondary = await startSimServer({ name: 'second-box', port: 0, models: [EMBED] })
  relay = await startBodyRelay(primary.url)
  box = await startTwoBoxServe({
    primaryUrl: relay.url,
    secondary: { name: 'second-box', url: secondary.url },
  })
  ollama = new Ollama({ host: box.serve.url })
  openai = new OpenAI({ baseURL: `${box.serve.url}/v1`, apiKey: 'unused', maxRetries: 0 })
}, 30_000)

afterAll(async () => {
  await box?.close()
  await relay?.close()
  await Promise.all([primary?.stop(), secondary?.stop()])
})

afterEach(async () => {
  relay.answer = null
  relay.bodies.length = 0
  await secondary.setFault({ kind: 'none' })
  primary.requests.length = 0
  secondary.requests.length = 0
})

describe('what reaches the Ollama server', () => {
  it('/api/embed passes options, keep_alive, truncate and dimensions on, and gets that many values', async () => {
    const r = await ollama.embed({
      model: EMBED,
      input: ['first', 'second'],
      options: { num_ctx: 512 },
      keep_alive: '2m',
      truncate: false,
      dimensions: 16,
    })
    expect(r.embeddings.map((v) => v.length)).toEqual([16, 16])
    expect(relay.bodies).toEqual([
      {
        model: EMBED,
        input: ['first', 'second'],
        options: { num_ctx: 512 },
        keep_alive: '2m',
        truncate: false,
        dimensions: 16,
      },
    ])
  })

  it('/api/embed without extras sends only the model and the input; dimensions: null is no limit', async () => {
    const r = await post('/api/embed', { model: EMBED, input: 'plain', dimensions: null })
    expect(r.status).toBe(200)
    expect(relay.bodies).toEqual([{ model: EMBED, input: 'plain' }])
    // keep_alive 0 is a value (unload at once), not a missing one.
    await ollama.embed({ model: EMBED, input: 'x', keep_alive: 0, truncate: true })
    expect(relay.bodies[1]).toEqual({ model: EMBED, input: 'x', keep_alive: 0, truncate: true })
  })

  it('legacy /api/embeddings passes options and keep_alive, never truncate or dimensions', async () => {
    await ollama.embeddings({
      model: EMBED,
      prompt: 'hello',
      options: { num_ctx: 256 },
      keep_alive: 30,
    })
    const r = await post('/api/embeddings', { model: EMBED })
    expect(r.status).toBe(200)
    expect(relay.bodies).toEqual([
      { model: EMBED, prompt: 'hello', options: { num_ctx: 256 }, keep_alive: 30 },
      // No prompt: an empty one, which Ollama answers with an empty vector.
      { model: EMBED, prompt: '' },
    ])
    expect(r.json).toEqual({ embedding: [] })
    const extras = await post('/api/embeddings', {
      model: EMBED,
      prompt: 'p',
      truncate: false,
      dimensions: 8,
    })
    expect(extras.status).toBe(200)
    expect(relay.bodies[2]).toEqual({ model: EMBED, prompt: 'p' })
  })

  it('/v1/embeddings sends the model, the input and dimensions only, and answers that many values', async () => {
    const r = await openai.embeddings.create({
      model: EMBED,
      input: ['a', 'b'],
      dimensions: 8,
      encoding_format: 'float',
    })
    expect(r.data.map((d) => d.embedding.length)).toEqual([8, 8])
    expect(r.model).toBe(EMBED)
    expect(relay.bodies).toEqual([{ model: EMBED, input: ['a', 'b'], dimensions: 8 }])
    // encoding_format: null means the default, floats.
    const plain = await post('/v1/embeddings', { model: EMBED, input: 'c', encoding_format: null })
    expect(plain.status).toBe(200)
    expect(relay.bodies[1]).toEqual({ model: EMBED, input: 'c' })
    const vector = (plain.json as { data: { embedding: unknown }[] }).data[0]!.embedding
    expect(Array.isArray(vector)).toBe(true)
  })

  it('base64 is the float vector as little-endian float32 bytes', async () => {
    const float = await post('/v1/embeddings', {
      model: EMBED,
      input: 'bytes',
      encoding_format: 'float',
    })
    const b64 = await post('/v1/embeddings', {
      model: EMBED,
      input: 'bytes',
      encoding_format: 'base64',
    })
    const floats = (float.json as { data: { embedding: number[] }[] }).data[0]!.embedding
    const text = (b64.json as { data: { embedding: string }[] }).data[0]!.embedding
    const bytes = Buffer.from(text, 'base64')
    expect(bytes.length).toBe(floats.length * 4)
    floats.forEach((v, i) => expect(bytes.readFloatLE(i * 4)).toBeCloseTo(v, 6))
  })
})

describe('bad requests are refused before any server is asked, naming what was wrong', () => {
  it.each([
    ['/api/embed', { model: EMBED, input: 5 }, '"input" must be a string or an array of strings'],
    ['/api/embed', { model: EMBED, input: ['a', 3] }, '"input" as token ids is not supported here'],
    ['/api/embed', { model: EMBED, input: [['a']] }, '"input" as token ids is not supported here'],
    [
      '/api/embed',
      { model: EMBED, input: 'x', dimensions: 2.5 },
      '"dimensions" must be a positive integer, got 2.5',
    ],
    [
      '/api/embed',
      { model: EMBED, input: 'x', dimensions: 0 },
      '"dimensions" must be a positive integer, got 0',
    ],
    [
      '/api/embed',
      { model: EMBED, input: 'x', dimensions: '8' },
      '"dimensions" must be a positive integer, got "8"',
    ],
    ['/api/embed', { model: EMBED, input: 'x', truncate: 'no' }, 'truncate'],
    ['/api/embed', { model: EMBED, input: 'x', keep_alive: true }, 'keep_alive'],
    ['/api/embed', { model: EMBED, input: 'x', options: 'fast' }, 'options'],
    ['/api/embed', { model: EMBED, input: 'x', options: { num_ctx: 'big' } }, 'num_ctx'],
    ['/api/embeddings', { model: EMBED, prompt: 7 }, 'prompt'],
    ['/api/embeddings', { model: EMBED, prompt: 'p', keep_alive: [] }, 'keep_alive'],
    ['/v1/embeddings', { model: EMBED, input: '' }, '"input" must not be empty'],
    ['/v1/embeddings', { model: EMBED, input: [] }, '"input" must not be empty'],
    [
      '/v1/embeddings',
      { model: EMBED, input: 'x', dimensions: -1 },
      '"dimensions" must be a positive integer, got -1',
    ],
    [
      '/v1/embeddings',
      { model: EMBED, input: 'x', encoding_format: 7 },
      '"encoding_format" must be "float" or "base64", got 7',
    ],
  ])('%s %j', async (path, body, words) => {
    const r = await post(path, body)
    expect(r.status).toBe(400)
    expect(errorOf(r.json)).toContain(words)
    expect(relay.bodies).toEqual([])
    expect(embedPaths(secondary)).toEqual([])
  })

  it('a model nobody has is a 404 naming it; auto with no embedding model says so', async () => {
    const r = await post('/api/embed', { model: 'nope:1b', input: 'x' })
    expect(r.status).toBe(404)
    expect(errorOf(r.json)).toBe("model 'nope:1b' not found")
    const auto = await post('/v1/embeddings', { model: 'auto:fast', input: 'x' })
    expect(auto.status).toBe(400)
    expect(errorOf(auto.json)).toBe(
      `embeddings need a named embedding model (embedding models here: ${EMBED}:latest)`,
    )
  })
})

describe('which server answers', () => {
  it('a client mistake the server reports (4xx) comes back as it is; no other server is tried', async () => {
    relay.answer = { status: 400, error: 'input length exceeds the context length' }
    const r = await post('/api/embed', { model: EMBED, input: 'long' })
    expect(r).toEqual({ status: 400, json: { error: 'input length exceeds the context length' } })
    expect(relay.bodies).toHaveLength(1)
    expect(embedPaths(secondary)).toEqual([])
  })

  it('a failing server (5xx) is logged and left for the next; when all fail, the last failure is the answer', async () => {
    relay.answer = { status: 500, error: 'runner crashed' }
    const ok = await ollama.embeddings({ model: EMBED, prompt: 'once' })
    expect(ok.embedding.length).toBeGreaterThan(100)
    expect(embedPaths(secondary)).toEqual(['/api/embeddings'])
    // The log names the model, the server (base_url's is called "primary") and what it said.
    const warnings = () =>
      box.logger.records
        .filter((r) => r.message.startsWith('Embedding with'))
        .map((r) => r.level + ' ' + r.message)
    expect(warnings()).toEqual([
      `WARNING Embedding with ${EMBED} failed on primary: runner crashed`,
    ])

    await secondary.setFault({ kind: 'http-error', status: 503 })
    const r = await post('/v1/embeddings', { model: EMBED, input: 'x' })
    expect(r.status).toBe(503)
    expect(errorOf(r.json)).not.toBe('runner crashed')
    expect(warnings()).toHaveLength(3)
    expect(warnings()[2]).toMatch(
      new RegExp(`^WARNING Embedding with ${EMBED} failed on second-box: .+`),
    )
    expect(relay.bodies).toHaveLength(2)
    expect(embedPaths(secondary)).toEqual(['/api/embeddings', '/api/embed'])
  })
})

/**
 * What an embedding request carries besides the model and the input, and where it goes when several
 * servers hold the model (issue 11: the gaps mutation testing found in `api/embeddings-face.ts`). Three
 * simulated boxes; requests go through `serve` with the official `ollama` and `openai` clients, and each
 * extra is checked by what the simulated Ollama does with it (a shorter vector, a refusal, a model kept
 * loaded for the asked time), not by the body we sent.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Ollama } from 'ollama'
import OpenAI from 'openai'
import { startSimServer, type SimServer } from '../../../tools/ollama-sim'
import type { Serve } from '../../../electron/serve/serve'
import { startServeOnConfig, type ServeOnConfig } from '../../helpers/serve-on-config'

const EMBED = 'nomic-embed-text'

let first: SimServer
let cold: SimServer
let warm: SimServer
let fixture: ServeOnConfig
let serve: Serve
let ollama: Ollama
let openai: OpenAI

const embedCalls = (sim: SimServer): number =>
  sim.requests.filter((r) => /embed/.test(r.path)).length

const norm = (v: readonly number[]): number => Math.hypot(...v)

/** When `model` unloads on `sim`, in ms from now, as its own /api/ps says. */
async function unloadsIn(sim: SimServer, model: string): Promise<number> {
  const { models } = await new Ollama({ host: sim.url }).ps()
  const entry = models.find((m) => m.name.startsWith(model))
  if (!entry) throw new Error(`${model} is not loaded on ${sim.url}`)
  return new Date(entry.expires_at).getTime() - Date.now()
}

beforeAll(async () => {
  first = await startSimServer({ name: 'first-box', port: 0, models: [EMBED, 'gemma3:1b'] })
  cold = await startSimServer({ name: 'cold-box', port: 0, models: [EMBED] })
  warm = await startSimServer({ name: 'warm-box', port: 0, models: [EMBED] })
  // Loaded on the last-listed SECONDARY before serve starts, so serve's first probe sees it.
  await new Ollama({ host: warm.url }).embed({ model: EMBED, input: 'warm up' })
  warm.requests.length = 0
  fixture = await startServeOnConfig(
    `llm:
  providers:
    ollama:
      base_url: ${first.url}
      additional_servers:
        - name: cold-box
          url: ${cold.url}
          priority: SECONDARY
        - name: warm-box
          url: ${warm.url}
          priority: SECONDARY
      mdns:
        enabled: false
      auto_discover: false
`,
    'aillm-embed-extras-',
  )
  serve = fixture.serve
  ollama = new Ollama({ host: serve.url })
  openai = new OpenAI({ baseURL: `${serve.url}/v1`, apiKey: 'unused', maxRetries: 0 })
}, 30_000)

afterAll(async () => {
  await fixture?.close()
  await Promise.all([first?.stop(), cold?.stop(), warm?.stop()])
})

afterEach(async () => {
  await first.setFault({ kind: 'none' })
  await warm.setFault({ kind: 'none' })
  for (const sim of [first, cold, warm]) sim.requests.length = 0
})

describe('the extras reach the server', () => {
  it('dimensions: /api/embed answers vectors of that length, renormalised', async () => {
    const full = await ollama.embed({ model: EMBED, input: 'a sentence' })
    const short = await ollama.embed({
      model: EMBED,
      input: ['a sentence', 'another'],
      dimensions: 8,
    })
    expect(full.embeddings[0]!.length).toBeGreaterThan(8)
    expect(short.embeddings.map((v) => v.length)).toEqual([8, 8])
    expect(norm(short.embeddings[0]!)).toBeCloseTo(1, 4)
  })

  it('dimensions on /v1/embeddings too, and a bad one is named', async () => {
    const r = await openai.embeddings.create({
      model: EMBED,
      input: 'x',
      dimensions: 16,
      encoding_format: 'float',
    })
    expect(r.data[0]!.embedding).toHaveLength(16)
    const res = await fetch(`${serve.url}/v1/embeddings`, {
      method: 'POST',
      body: JSON.stringify({ model: EMBED, input: 'x', dimensions: 2.5 }),
    })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({
      error: { message: '"dimensions" must be a positive integer, got 2.5' },
    })
    expect(embedCalls(first)).toBe(1)
  })

  it('truncate false with options.num_ctx: an input over the context is refused, as it is, on the first server only', async () => {
    const long = 'word '.repeat(400)
    // Within the default context: answered.
    await expect(ollama.embed({ model: EMBED, input: long, truncate: false })).resolves.toBeTruthy()
    // The small context reaches the server: the same input is now too long, and the 400 is the
    // client's own mistake, so no other server is tried.
    await expect(
      ollama.embed({ model: EMBED, input: long, truncate: false, options: { num_ctx: 64 } }),
    ).rejects.toMatchObject({
      status_code: 400,
      error: 'the input length exceeds the context length',
    })
    // truncate left on (the default): the server cuts the input and answers.
    const cut = await ollama.embed({ model: EMBED, input: long, options: { num_ctx: 64 } })
    expect(cut.prompt_eval_count).toBe(64)
    expect(embedCalls(cold) + embedCalls(warm)).toBe(0)
  })

  it('keep_alive keeps the model for the asked time, on /api/embed and on legacy /api/embeddings', async () => {
    await ollama.embed({ model: EMBED, input: 'x', keep_alive: '40m' })
    expect(await unloadsIn(first, EMBED)).toBeGreaterThan(39 * 60_000)
    await ollama.embeddings({ model: EMBED, prompt: 'x', keep_alive: '3m' })
    const left = await unloadsIn(first, EMBED)
    expect(left).toBeGreaterThan(2 * 60_000)
    expect(left).toBeLessThanOrEqual(3 * 60_000)
  })

  it('legacy /api/embeddings passes options on (a bad one is named) and answers [] for no prompt', async () => {
    const bad = await fetch(`${serve.url}/api/embeddings`, {
      method: 'POST',
      body: JSON.stringify({ model: EMBED, prompt: 'x', options: { num_ctx: 'big' } }),
    })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: string }).error).toContain('num_ctx')
    const empty = await fetch(`${serve.url}/api/embeddings`, {
      method: 'POST',
      body: JSON.stringify({ model: EMBED }),
    })
    expect(empty.status).toBe(200)
    expect(await empty.json()).toEqual({ embedding: [] })
  })

  it('/v1/embeddings counts the tokens the backend counted', async () => {
    const direct = await new Ollama({ host: first.url }).embed({
      model: EMBED,
      input: ['one two', 'three'],
    })
    const r = await openai.embeddings.create({
      model: EMBED,
      input: ['one two', 'three'],
      encoding_format: 'float',
    })
    expect(r.usage).toEqual({
      prompt_tokens: direct.prompt_eval_count,
      total_tokens: direct.prompt_eval_count,
    })
    expect(r.model).toBe(EMBED)
  })

  it('an empty /v1/embeddings input is refused before any server is asked', async () => {
    for (const input of ['', []]) {
      const res = await fetch(`${serve.url}/v1/embeddings`, {
        method: 'POST',
        body: JSON.stringify({ model: EMBED, input }),
      })
      expect(res.status).toBe(400)
      expect(await res.json()).toMatchObject({ error: { message: '"input" must not be empty' } })
    }
    expect(embedCalls(first) + embedCalls(cold) + embedCalls(warm)).toBe(0)
  })

  it('an input that is neither text nor token ids is named', async () => {
    const res = await fetch(`${serve.url}/api/embed`, {
      method: 'POST',
      body: JSON.stringify({ model: EMBED, input: { text: 'x' } }),
    })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: string }).error).toBe(
      '"input" must be a string or an array of strings',
    )
  })
})

describe('which server embeds', () => {
  it('after the PRIMARY fails, the SECONDARY that has the model loaded goes before the one that would load it', async () => {
    await first.setFault({ kind: 'http-error', status: 500 })
    const r = await ollama.embed({ model: EMBED, input: ['a', 'b'] })
    expect(r.embeddings).toHaveLength(2)
    expect([embedCalls(first), embedCalls(cold), embedCalls(warm)]).toEqual([1, 0, 1])
    expect(fixture.logger.records.map((r) => r.message).join('\n')).toMatch(
      /Embedding with nomic-embed-text failed on primary: llama runner/,
    )
  })

  it('every server failing answers the last failure', async () => {
    await first.setFault({ kind: 'http-error', status: 500 })
    await warm.setFault({ kind: 'http-error', status: 503 })
    await cold.setFault({ kind: 'http-error', status: 500 })
    try {
      await expect(ollama.embed({ model: EMBED, input: 'x' })).rejects.toMatchObject({
        status_code: expect.any(Number) as number,
      })
      expect([embedCalls(first), embedCalls(cold), embedCalls(warm)]).toEqual([1, 1, 1])
    } finally {
      await cold.setFault({ kind: 'none' })
    }
  })

  it('auto:<tier> is refused like auto, naming the embedding models', async () => {
    await expect(ollama.embed({ model: 'auto:fast', input: 'x' })).rejects.toMatchObject({
      status_code: 400,
      error: `embeddings need a named embedding model (embedding models here: ${EMBED}:latest)`,
    })
  })
})

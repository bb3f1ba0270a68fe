/**
 * /api/generate, /api/show for `auto` and the load / unload requests through `serve` (issue 14, points
 * 3 and 5), driven by ollama-js against two simulated boxes, checking where each request went.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Ollama } from 'ollama'
import OpenAI from 'openai'
import { startSimServer, type SimServer } from '../../../tools/ollama-sim'
import type { Serve } from '../../../electron/serve/serve'
import { startTwoBoxServe, type TwoBoxServe } from '../../helpers/two-box-serve'

const CODER = 'qwen2.5-coder:14b'
const SMALL = 'gemma3:1b'
const VISION = 'gemma3:12b'
const THINKER = 'qwen3:14b'
/** A 1×1 PNG. */
const PIXEL =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='

let gpu: SimServer
let laptop: SimServer
let serve: Serve
let box: TwoBoxServe
let ollama: Ollama

/** The models each box was asked to generate with, in order. */
const generated = (sim: SimServer): string[] =>
  sim.requests.filter((r) => r.path === '/api/generate').map((r) => r.model ?? '?')

/** The box behind a server name in AILLM's metadata (the base_url server is not called gpu there). */
const boxOf = (serverName: string): SimServer => (serverName === 'laptop' ? laptop : gpu)

/** The metadata AILLM adds to a non-streamed answer (not in ollama-js's types). */
const metaOf = (r: object) =>
  (r as { metadata: { server_name: string; model: string; task_type: string } }).metadata

beforeAll(async () => {
  gpu = await startSimServer({ name: 'gpu', port: 0, models: [CODER, VISION, SMALL] })
  laptop = await startSimServer({ name: 'laptop', port: 0, models: [SMALL, THINKER] })
  box = await startTwoBoxServe({
    primaryUrl: gpu.url,
    secondary: { name: 'laptop', url: laptop.url },
  })
  serve = box.serve
  ollama = new Ollama({ host: serve.url })
}, 30_000)

afterAll(async () => {
  await box?.close()
  await Promise.all([gpu?.stop(), laptop?.stop()])
})

afterEach(() => {
  gpu.requests.length = 0
  laptop.requests.length = 0
})

describe('/api/generate', () => {
  it('passes raw through: no template, so no context comes back', async () => {
    const r = await ollama.generate({ model: SMALL, prompt: 'Once upon a time', raw: true })
    expect(r.response).toMatch(/^\[gemma3:1b@/)
    expect(r.context).toBeUndefined()
    const templated = await ollama.generate({ model: SMALL, prompt: 'Once upon a time' })
    expect(templated.context?.length).toBeGreaterThan(0)
  })

  it("refuses raw with system or context in Ollama's words, before any server sees it", async () => {
    const err = await ollama
      .generate({ model: SMALL, prompt: 'x', raw: true, system: 'be brief' })
      .catch((e: unknown) => e as { status_code: number; error: string })
    expect(err).toMatchObject({
      status_code: 400,
      error: 'raw mode does not support template, system, or context',
    })
    expect([...generated(gpu), ...generated(laptop)]).toEqual([])
  })

  it('routes a fill-in-the-middle request on auto to a model with insert, as a code task', async () => {
    const r = await ollama.generate({
      model: 'auto',
      prompt: 'def add(a, b):\n    ',
      suffix: '\n\nprint(add(1, 2))',
      stream: false,
    })
    expect(r.response).toMatch(/^\[qwen2\.5-coder:14b@gpu\]/)
    expect(metaOf(r).task_type).toBe('code')
    expect(generated(gpu)).toEqual([CODER])
  })

  it('refuses a suffix for a named model without insert, saying so', async () => {
    const err = await ollama
      .generate({ model: VISION, prompt: 'def f(', suffix: ')' })
      .catch((e: unknown) => e as { status_code: number; error: string })
    expect(err).toMatchObject({ status_code: 400, error: `${VISION} does not support insert` })
    expect(generated(gpu)).toEqual([])
  })

  it('keeps a request with a context on the pair that made it, and returns the new context', async () => {
    // Made by the thinker, which only the laptop has.
    const first = await ollama.generate({
      model: THINKER,
      prompt: 'Tell me about cats',
      think: false,
    })
    const origin = metaOf(first)
    expect(origin).toMatchObject({ model: THINKER, server_name: 'laptop' })
    expect(first.context?.length).toBeGreaterThan(0)
    gpu.requests.length = 0
    laptop.requests.length = 0
    // A code task would go to the coder on the gpu box: the context keeps it on the pair that made it.
    const stream = await ollama.generate({
      model: 'auto',
      prompt: 'Write a python function that sorts a list of numbers',
      context: first.context,
      stream: true,
    })
    const parts = []
    for await (const part of stream) parts.push(part)
    const last = parts.at(-1)
    expect(last?.done).toBe(true)
    expect(last?.model).toBe(origin.model)
    // The upstream's new context starts with the one given in, as Ollama's does.
    expect(last?.context?.slice(0, first.context.length)).toEqual(first.context)
    expect(generated(laptop)).toEqual([THINKER])
    expect(generated(gpu)).toEqual([])
  })

  it('drops a context made by another model visibly, in X-AILLM-Context', async () => {
    const first = await ollama.generate({ model: SMALL, prompt: 'Tell me about dogs' })
    const res = await fetch(`${serve.url}/api/generate`, {
      method: 'POST',
      body: JSON.stringify({
        model: VISION,
        prompt: 'And birds?',
        context: first.context,
        stream: false,
      }),
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('x-aillm-context')).toMatch(/^dropped; it was made by gemma3:1b @ /)
    const body = (await res.json()) as { context: number[] }
    // Not sent upstream: the answer's context does not lead with the old one.
    expect(body.context.slice(0, first.context.length)).not.toEqual(first.context)
  })

  it('routes images to a vision model and think to a thinking one', async () => {
    const seen = await ollama.generate({ model: 'auto', prompt: 'What is this?', images: [PIXEL] })
    expect(seen.response).toMatch(/^\[gemma3:12b@gpu\]/)
    const thought = await ollama.generate({
      model: 'auto',
      prompt: 'Why is the sky blue?',
      think: true,
    })
    expect(thought.response).toMatch(/^\[qwen3:14b@laptop\]/)
    expect(thought.thinking).toBeTruthy()
  })
})

describe('/v1/completions with a suffix (openai SDK)', () => {
  const openai = () => new OpenAI({ baseURL: `${serve.url}/v1`, apiKey: 'unused', maxRetries: 0 })
  /** The /api/chat requests each box was sent, by model. */
  const chatted = (sim: SimServer): string[] =>
    sim.requests.filter((r) => r.path === '/api/chat').map((r) => r.model ?? '?')

  it('fills in the middle as a generate request with the suffix, on a model with insert', async () => {
    const r = await openai().completions.create({
      model: 'auto',
      prompt: 'def add(a, b):\n    ',
      suffix: '\n\nprint(add(1, 2))',
    })
    expect(r.choices[0]?.text).toMatch(/^\[qwen2\.5-coder:14b@gpu\]/)
    expect(r.choices[0]?.finish_reason).toBe('stop')
    const meta = (r as unknown as { metadata: { task_type: string } }).metadata
    expect(meta.task_type).toBe('code')
    expect(generated(gpu)).toEqual([CODER])
    expect([...chatted(gpu), ...chatted(laptop)]).toEqual([])
  })

  it('streams a fill-in-the-middle completion the same way', async () => {
    const stream = await openai().completions.create({
      model: 'auto',
      prompt: 'function sum(xs) {\n  ',
      suffix: '\n}',
      stream: true,
    })
    const chunks = []
    for await (const chunk of stream) chunks.push(chunk)
    const text = chunks.map((c) => c.choices[0]?.text ?? '').join('')
    expect(text).toMatch(/^\[qwen2\.5-coder:14b@gpu\]/)
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop')
    expect(generated(gpu)).toEqual([CODER])
  })

  it('refuses a suffix for a named model without insert, before any server sees it', async () => {
    const err = await openai()
      .completions.create({ model: VISION, prompt: 'def f(', suffix: ')' })
      .then(() => null)
      .catch((e: unknown) => e as { status: number; message: string })
    expect(err?.status).toBe(400)
    expect(err?.message).toMatch(`${VISION} does not support insert`)
    expect([...generated(gpu), ...chatted(gpu)]).toEqual([])
  })

  it('an empty suffix is no suffix, as in Ollama: a plain completion', async () => {
    const r = await openai().completions.create({ model: VISION, prompt: 'Hello', suffix: '' })
    expect(r.choices[0]?.text).toMatch(/^\[gemma3:12b@gpu\]/)
  })
})

describe('/api/show for auto', () => {
  it('answers the union of the routable models capabilities and the smallest context length', async () => {
    const shown = await ollama.show({ model: 'auto' })
    expect(shown.capabilities).toEqual(
      expect.arrayContaining(['completion', 'tools', 'insert', 'vision', 'thinking']),
    )
    expect(shown.capabilities).not.toContain('embedding')
    const lengths = await Promise.all(
      [
        [gpu, CODER],
        [gpu, VISION],
        [gpu, SMALL],
        [laptop, THINKER],
      ].map(async ([sim, model]) => {
        const info = (
          await new Ollama({ host: (sim as SimServer).url }).show({
            model: model as string,
          })
        ).model_info as unknown as Record<string, unknown>
        return info[`${String(info['general.architecture'])}.context_length`] as number
      }),
    )
    const info = shown.model_info as unknown as Record<string, unknown>
    expect(info['general.architecture']).toBe('aillm')
    expect(info['aillm.context_length']).toBe(Math.min(...lengths))
  })
})

describe('load and unload', () => {
  it('loads a named model with an empty prompt and answers load once it is in memory', async () => {
    // Loaded by an earlier answer: unloaded at the box itself first.
    await new Ollama({ host: gpu.url }).generate({ model: VISION, prompt: '', keep_alive: 0 })
    expect(gpu.loaded()).not.toContain(VISION)
    const r = await ollama.generate({ model: VISION, prompt: '' })
    expect(r).toMatchObject({ done: true, done_reason: 'load', response: '' })
    expect(gpu.loaded()).toContain(VISION)
  })

  it('loads what auto picks with empty messages, on the server it picks', async () => {
    const r = await ollama.chat({ model: 'auto', messages: [] })
    expect(r.done_reason).toBe('load')
    const box = boxOf(metaOf(r).server_name)
    expect(box.loaded()).toContain(r.model)
    expect(box.requests.some((q) => q.path === '/api/chat' && q.model === r.model)).toBe(true)
  })

  it('unloads a named model with keep_alive 0 on every server holding it loaded', async () => {
    await Promise.all(
      [gpu, laptop].map((s) => new Ollama({ host: s.url }).generate({ model: SMALL, prompt: '' })),
    )
    expect(gpu.loaded()).toContain(SMALL)
    expect(laptop.loaded()).toContain(SMALL)
    const r = await ollama.generate({ model: SMALL, prompt: '', keep_alive: 0 })
    expect(r).toMatchObject({ done: true, done_reason: 'unload' })
    expect(gpu.loaded()).not.toContain(SMALL)
    expect(laptop.loaded()).not.toContain(SMALL)
  })

  it('unloads what auto would pick with keep_alive 0 and names it', async () => {
    const loaded = await ollama.chat({ model: 'auto', messages: [] })
    const r = await ollama.chat({ model: 'auto', messages: [], keep_alive: 0 })
    expect(r.done_reason).toBe('unload')
    const unloaded = (
      r as unknown as { metadata: { unloaded: { model: string; server_name: string }[] } }
    ).metadata.unloaded
    expect(unloaded).toEqual([{ model: loaded.model, server_name: metaOf(loaded).server_name }])
    const box = boxOf(metaOf(loaded).server_name)
    expect(box.loaded()).not.toContain(loaded.model)
  })
})

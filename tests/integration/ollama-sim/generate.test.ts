import type { GenerateResponse, Ollama } from 'ollama'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SimServer } from '../../../tools/ollama-sim'
import { clientFor, rejection, startFastSim } from './sim-fixture'

const METRICS = [
  'total_duration',
  'load_duration',
  'prompt_eval_count',
  'prompt_eval_duration',
  'eval_count',
  'eval_duration',
] as const

/** A tiny valid PNG header, base64: the simulator only checks the encoding. */
const IMAGE = Buffer.from('\x89PNG\r\n\x1a\nsimulated image').toString('base64')

// /api/generate as GenerateHandler (server/routes.go) serves it: raw, suffix, context in and
// out, images, think; driven by ollama-js.
describe('ollama-sim /api/generate', () => {
  let server: SimServer
  let client: Ollama

  beforeAll(async () => {
    server = await startFastSim({
      name: 'gen',
      models: ['gemma3:1b', 'gemma3:4b', 'qwen2.5-coder:7b', 'qwen3:4b'],
      replyWords: 8,
    })
    client = clientFor(server)
  })
  afterAll(() => server.stop())

  const whole = (req: Parameters<Ollama['generate']>[0]) =>
    client.generate({ ...req, stream: false })

  it('ends with context (token ids of prompt and answer) and every metric, streamed or not', async () => {
    const res = await whole({ model: 'gemma3:1b', prompt: 'Tell me about tides' })
    expect(res.context.length).toBe(res.prompt_eval_count + res.eval_count)
    expect(res.context.every((t) => Number.isInteger(t) && t >= 0)).toBe(true)
    for (const key of METRICS) expect(res[key]).toBeGreaterThan(0)
    expect(res.total_duration).toBeGreaterThanOrEqual(
      res.load_duration + res.prompt_eval_duration + res.eval_duration,
    )

    const stream = await client.generate({
      model: 'gemma3:1b',
      prompt: 'Tell me about tides',
      stream: true,
    })
    const parts: GenerateResponse[] = []
    for await (const part of stream) parts.push(part)
    const last = parts.at(-1)
    expect(parts.slice(0, -1).every((p) => p.context === undefined)).toBe(true)
    expect(last?.done).toBe(true)
    expect(last?.context).toHaveLength((last?.prompt_eval_count ?? 0) + (last?.eval_count ?? 0))
    for (const key of METRICS) expect(last?.[key]).toBeGreaterThan(0)
  })

  it('context in is used: the prompt grows by it and the new context starts with it', async () => {
    const first = await whole({ model: 'gemma3:1b', prompt: 'My name is Ada' })
    const alone = await whole({ model: 'gemma3:1b', prompt: 'What is my name?' })
    const next = await whole({
      model: 'gemma3:1b',
      prompt: 'What is my name?',
      context: first.context,
    })
    expect(next.prompt_eval_count).toBe(alone.prompt_eval_count + first.context.length)
    expect(next.context.slice(0, first.context.length)).toEqual(first.context)
    expect(next.context.length).toBe(next.prompt_eval_count + next.eval_count)
  })

  it('raw sends the prompt without a template: fewer prompt tokens and no context', async () => {
    const templated = await whole({ model: 'gemma3:1b', prompt: 'count to three' })
    const raw = await whole({ model: 'gemma3:1b', prompt: 'count to three', raw: true })
    expect(raw.response?.startsWith('[gemma3:1b@gen] count to three')).toBe(true)
    expect(raw.context).toBeUndefined()
    expect(raw.prompt_eval_count).toBeLessThan(templated.prompt_eval_count)
  })

  it.each([
    ['system', { system: 'be brief' }],
    ['context', { context: [1, 2, 3] }],
    ['template', { template: '{{ .Prompt }}' }],
  ])('raw with a %s is a 400', async (_label, extra) => {
    const err = await rejection(whole({ model: 'gemma3:1b', prompt: 'x', raw: true, ...extra }))
    expect(err['status_code']).toBe(400)
    expect(err['error']).toBe('raw mode does not support template, system, or context')
  })

  it('suffix (fill-in-the-middle) works on a model with insert and is a 400 elsewhere', async () => {
    const show = await client.show({ model: 'qwen2.5-coder:7b' })
    expect(show.capabilities).toContain('insert')
    const fim = await whole({
      model: 'qwen2.5-coder:7b',
      prompt: 'def add(a, b):\n    ',
      suffix: '\n    return result',
      options: { num_predict: 4 },
    })
    expect(fim.done_reason).toBe('length')
    expect(fim.eval_count).toBe(4)
    const plain = await whole({ model: 'qwen2.5-coder:7b', prompt: 'def add(a, b):\n    ' })
    expect(fim.prompt_eval_count).toBeGreaterThan(plain.prompt_eval_count)

    const err = await rejection(whole({ model: 'gemma3:1b', prompt: 'def f(', suffix: 'x' }))
    expect(err['status_code']).toBe(400)
    expect(err['error']).toBe('registry.ollama.ai/library/gemma3:1b does not support insert')
  })

  it('images cost a vision model prompt tokens; a bad encoding is a 400', async () => {
    const text = await whole({ model: 'gemma3:4b', prompt: 'What is in this picture?' })
    const seen = await whole({
      model: 'gemma3:4b',
      prompt: 'What is in this picture?',
      images: [IMAGE],
    })
    expect(seen.prompt_eval_count).toBe(text.prompt_eval_count + 256)
    const res = await fetch(`${server.url}/api/generate`, {
      method: 'POST',
      body: JSON.stringify({ model: 'gemma3:4b', prompt: 'x', images: ['not base64!'] }),
    })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: string }).error).toMatch(/^illegal base64 data/)
  })

  it('thinks by default on a thinking model (thinking before the response); think:false stops it', async () => {
    const stream = await client.generate({
      model: 'qwen3:4b',
      prompt: 'why is the sky blue',
      stream: true,
    })
    const kinds: string[] = []
    for await (const p of stream) {
      if (p.thinking) kinds.push('thinking')
      if (p.response) kinds.push('response')
    }
    expect(kinds[0]).toBe('thinking')
    expect(kinds.lastIndexOf('thinking')).toBeLessThan(kinds.indexOf('response'))
    const off = await whole({ model: 'qwen3:4b', prompt: 'why', think: false })
    expect(off.thinking).toBeUndefined()
    const err = await rejection(whole({ model: 'gemma3:1b', prompt: 'why', think: true }))
    expect(err['status_code']).toBe(400)
  })

  it('an empty prompt answers load once the model is loaded; keep_alive 0 unloads it', async () => {
    const slow = await startFastSim({
      name: 'slow',
      models: [{ name: 'gemma3:1b', loadMs: 200 }],
      timeScale: 1,
    })
    try {
      const raw = async (body: Record<string, unknown>) =>
        (await (
          await fetch(`${slow.url}/api/generate`, { method: 'POST', body: JSON.stringify(body) })
        ).json()) as Record<string, unknown>
      const started = performance.now()
      const load = await raw({ model: 'gemma3:1b', prompt: '' })
      expect(performance.now() - started).toBeGreaterThanOrEqual(190)
      expect(load).toEqual({
        model: 'gemma3:1b',
        created_at: expect.any(String),
        response: '',
        done: true,
        done_reason: 'load',
      })
      expect(slow.loaded()).toEqual(['gemma3:1b'])
      const unload = await raw({ model: 'gemma3:1b', keep_alive: 0 })
      expect(unload).toEqual({ ...load, created_at: expect.any(String), done_reason: 'unload' })
      expect(slow.loaded()).toEqual([])
    } finally {
      await slow.stop()
    }
  })
})

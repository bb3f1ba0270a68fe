import type { Ollama } from 'ollama'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SimServer } from '../../../tools/ollama-sim'
import { clientFor, startFastSim } from './sim-fixture'

// The rest of the surface: HEAD where GenerateRoutes registers it, /api/show's model_info and
// capabilities, the load/unload answers of /api/chat, usage from the native counts.
describe('ollama-sim API surface', () => {
  let server: SimServer
  let ollama: Ollama

  beforeAll(async () => {
    server = await startFastSim({
      name: 'surf',
      models: [{ name: 'gemma3:4b', loadMs: 200 }, 'qwen2.5-coder:7b', 'nomic-embed-text'],
      timeScale: 1,
    })
    ollama = clientFor(server)
  })
  afterAll(() => server.stop())

  it.each(['/', '/api/version', '/api/tags'])('HEAD %s answers 200 with no body', async (path) => {
    const res = await fetch(`${server.url}${path}`, { method: 'HEAD' })
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('')
  })

  it.each(['/api/ps', '/v1/models'])('HEAD %s is 405 (Ollama registers GET only)', async (path) => {
    const res = await fetch(`${server.url}${path}`, { method: 'HEAD' })
    expect(res.status).toBe(405)
  })

  it.each([
    ['gemma3:4b', 'gemma3', ['completion', 'vision'], 131_072, 'gemma3.vision.block_count'],
    ['qwen2.5-coder:7b', 'qwen2', ['completion', 'tools', 'insert'], 32_768, 'qwen2.block_count'],
    ['nomic-embed-text', 'nomic-bert', ['embedding'], 2048, 'nomic-bert.pooling_type'],
  ])(
    '/api/show %s: model_info keyed by %s, capabilities %j',
    async (model, arch, caps, ctx, key) => {
      const show = await ollama.show({ model })
      const info = show.model_info as unknown as Record<string, unknown>
      expect(show.capabilities).toEqual(caps)
      expect(info['general.architecture']).toBe(arch)
      expect(info[`${arch}.context_length`]).toBe(ctx)
      expect(info[key]).toEqual(expect.any(Number))
      for (const k of ['block_count', 'embedding_length', 'attention.head_count']) {
        expect(info[`${arch}.${k}`]).toBeGreaterThan(0)
      }
      expect(info['general.parameter_count']).toBeGreaterThan(1e7)
      expect(info['tokenizer.ggml.tokens']).toBeNull()
    },
  )

  it('an empty chat loads the model and answers load only once it is loaded; keep_alive 0 unloads', async () => {
    const post = async (body: Record<string, unknown>) =>
      (await (
        await fetch(`${server.url}/api/chat`, { method: 'POST', body: JSON.stringify(body) })
      ).json()) as Record<string, unknown>
    const started = performance.now()
    const load = await post({ model: 'gemma3:4b', messages: [] })
    expect(performance.now() - started).toBeGreaterThanOrEqual(190)
    expect(load).toEqual({
      model: 'gemma3:4b',
      created_at: expect.any(String),
      message: { role: 'assistant', content: '' },
      done_reason: 'load',
      done: true,
    })
    expect(server.loaded()).toContain('gemma3:4b')
    // ChatHandler expires the runner before it reads the options: a mistyped one does not matter.
    const unload = await post({
      model: 'gemma3:4b',
      messages: [],
      keep_alive: 0,
      options: { num_ctx: 'big' },
    })
    expect(unload).toMatchObject({ done: true, done_reason: 'unload' })
    expect(server.loaded()).not.toContain('gemma3:4b')
  })

  it('/v1 chat usage is the native prompt_eval_count / eval_count of the same request', async () => {
    const openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'x', maxRetries: 0 })
    const messages = [{ role: 'user' as const, content: 'Tell me about tides and moons' }]
    const native = await ollama.chat({ model: 'qwen2.5-coder:7b', messages })
    const res = await openai.chat.completions.create({ model: 'qwen2.5-coder:7b', messages })
    expect(res.usage).toEqual({
      prompt_tokens: native.prompt_eval_count,
      completion_tokens: native.eval_count,
      total_tokens: native.prompt_eval_count + native.eval_count,
    })
  })
})

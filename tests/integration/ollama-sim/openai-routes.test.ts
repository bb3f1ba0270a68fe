import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SimServer } from '../../../tools/ollama-sim'
import { rejection, startFastSim } from './sim-fixture'

const WEATHER_TOOL = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
}

type Json = Record<string, unknown>

// /v1/completions and the /v1/chat/completions stream as Ollama's openai middleware sends them
// (middleware/openai.go ChatWriter / CompleteWriter, openai/openai.go ToStreamChunks,
// FinishChunk, ToCompleteChunk), through the openai SDK and raw SSE.
describe('ollama-sim /v1 completions and streaming shapes', () => {
  let server: SimServer
  let client: OpenAI

  beforeAll(async () => {
    server = await startFastSim({
      name: 'v1',
      models: ['gemma3:1b', 'qwen2.5-coder:7b', 'qwen3:4b', 'qwen2.5:1.5b'],
      replyWords: 8,
    })
    client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'x', maxRetries: 0 })
  })
  afterAll(() => server.stop())

  /** The JSON events of an SSE answer; the last raw event is returned apart. */
  async function events(path: string, body: Json): Promise<{ data: Json[]; last: string }> {
    const res = await fetch(`${server.url}${path}`, { method: 'POST', body: JSON.stringify(body) })
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    const raw = (await res.text()).split('\n\n').filter((e) => e !== '')
    const last = raw.at(-1) ?? ''
    const data = raw
      .filter((e) => e !== 'data: [DONE]')
      .map((e) => JSON.parse(e.slice('data: '.length)) as Json)
    return { data, last }
  }

  it('answers a text completion (openai SDK) with choices[].text, finish_reason and usage', async () => {
    const res = await client.completions.create({ model: 'gemma3:1b', prompt: 'Once upon a time' })
    expect(res.object).toBe('text_completion')
    expect(res.id).toMatch(/^cmpl-\d{1,3}$/)
    expect(res.system_fingerprint).toBe('fp_ollama')
    expect(res.choices).toHaveLength(1)
    expect(res.choices[0]?.text.startsWith('[gemma3:1b@v1] Once upon a time')).toBe(true)
    expect(res.choices[0]?.finish_reason).toBe('stop')
    // usage is the native answer's counts (openai.ToUsageGenerate), not an estimate.
    const native = (await (
      await fetch(`${server.url}/api/generate`, {
        method: 'POST',
        body: JSON.stringify({ model: 'gemma3:1b', prompt: 'Once upon a time', stream: false }),
      })
    ).json()) as { prompt_eval_count: number; eval_count: number }
    expect(res.usage?.prompt_tokens).toBe(native.prompt_eval_count)
    expect(res.usage?.completion_tokens).toBe(native.eval_count)
    expect(res.usage?.total_tokens).toBe(
      (res.usage?.prompt_tokens ?? 0) + (res.usage?.completion_tokens ?? 0),
    )
  })

  it('max_tokens maps to num_predict (finish_reason length); suffix needs insert', async () => {
    const short = await client.completions.create({
      model: 'qwen2.5-coder:7b',
      prompt: 'def add(a, b):',
      suffix: '    return c',
      max_tokens: 3,
    })
    expect(short.choices[0]?.finish_reason).toBe('length')
    expect(short.usage?.completion_tokens).toBe(3)
    const err = await rejection(
      client.completions.create({ model: 'gemma3:1b', prompt: 'def f(', suffix: 'x' }),
    )
    expect(err).toBeInstanceOf(OpenAI.BadRequestError)
    expect(err.message).toContain('registry.ollama.ai/library/gemma3:1b does not support insert')
  })

  it('streams text_completion chunks; with include_usage every chunk has a zero usage and a last choices:[] chunk the real one', async () => {
    const { data, last } = await events('/v1/completions', {
      model: 'gemma3:1b',
      prompt: 'Once upon a time',
      stream: true,
      stream_options: { include_usage: true },
    })
    expect(last).toBe('data: [DONE]')
    const usageChunk = data.at(-1) as Json
    const finish = data.at(-2) as Json
    const pieces = data.slice(0, -2)
    expect(pieces.length).toBeGreaterThan(3)
    for (const chunk of [...pieces, finish]) {
      expect(chunk).toMatchObject({ object: 'text_completion', model: 'gemma3:1b' })
      expect(chunk['usage']).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 })
    }
    const text = pieces.map((c) => (c['choices'] as { text: string }[])[0]?.text).join('')
    expect(text.startsWith('[gemma3:1b@v1] Once upon a time')).toBe(true)
    expect(finish['choices']).toEqual([{ text: '', index: 0, finish_reason: 'stop' }])
    expect(usageChunk['choices']).toEqual([])
    expect(usageChunk['usage']).toMatchObject({ completion_tokens: pieces.length })
    expect(new Set(data.map((c) => c['id'])).size).toBe(1)
  })

  it.each([
    ['a prompt list (Ollama takes one string)', { prompt: ['a', 'b'] }, /prompt of type string/],
    [
      'a stop list with a number',
      { prompt: 'x', stop: ['a', 3] },
      /^invalid type for 'stop' field: float64$/,
    ],
  ])('/v1/completions refuses %s with a 400', async (_label, extra, message) => {
    const res = await fetch(`${server.url}/v1/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'gemma3:1b', ...extra }),
    })
    expect(res.status).toBe(400)
    const body = (await res.json()) as { error: { message: string; type: string } }
    expect(body.error.type).toBe('invalid_request_error')
    expect(body.error.message).toMatch(message)
  })

  it('a tool-only chat stream opens with role assistant and ends with finish_reason tool_calls', async () => {
    const { data } = await events('/v1/chat/completions', {
      model: 'qwen2.5:1.5b',
      messages: [{ role: 'user', content: 'What is the weather in Oslo?' }],
      tools: [WEATHER_TOOL],
      stream: true,
    })
    const deltas = data.map((c) => (c['choices'] as { delta: Json }[])[0]?.delta)
    expect(deltas[0]).toMatchObject({ role: 'assistant', content: '' })
    expect(deltas.slice(1).every((d) => d !== undefined && !('role' in d))).toBe(true)
    const call = (deltas[0]?.['tool_calls'] as Json[] | undefined)?.[0]
    expect(call).toMatchObject({
      index: 0,
      type: 'function',
      function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
    })
    expect(data.at(-1)?.['choices']).toEqual([{ index: 0, delta: {}, finish_reason: 'tool_calls' }])
  })

  it('tool-call ids are Ollama random call_xxxxxxxx, fresh on every answer (openai SDK)', async () => {
    const ids: string[] = []
    for (let i = 0; i < 3; i++) {
      const res = await client.chat.completions.create({
        model: 'qwen2.5:1.5b',
        messages: [{ role: 'user', content: 'What is the weather in Oslo?' }],
        tools: [WEATHER_TOOL],
      })
      expect(res.choices[0]?.finish_reason).toBe('tool_calls')
      const call = res.choices[0]?.message.tool_calls?.[0]
      ids.push(call?.id ?? '')
    }
    for (const id of ids) expect(id).toMatch(/^call_[a-z0-9]{8}$/)
    expect(new Set(ids).size).toBe(3)
  })

  it('streams reasoning deltas before content and the usage chunk when include_usage (openai SDK)', async () => {
    const stream = await client.chat.completions.create({
      model: 'qwen3:4b',
      messages: [{ role: 'user', content: 'why is the sky blue' }],
      stream: true,
      stream_options: { include_usage: true },
    })
    const order: string[] = []
    let usage: OpenAI.CompletionUsage | null | undefined
    let first = true
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as (Json & { content?: string }) | undefined
      // Only the first chunk names the role (toChunk's includeRole).
      if (first) expect(delta?.['role']).toBe('assistant')
      else expect(delta?.['role']).toBeUndefined()
      first = false
      if (typeof delta?.['reasoning'] === 'string') order.push('reasoning')
      if (delta?.content) order.push('content')
      if (chunk.usage) usage = chunk.usage
    }
    expect(order[0]).toBe('reasoning')
    expect(order.lastIndexOf('reasoning')).toBeLessThan(order.indexOf('content'))
    expect(usage?.completion_tokens).toBe(order.length)
    expect(usage?.prompt_tokens).toBeGreaterThan(0)
  })

  it('reasoning_effort maps to think: none turns it off, an unknown effort is a 400, effort on a model that cannot think a 400', async () => {
    const ask = (model: string, extra: Json) =>
      client.chat.completions.create({
        model,
        messages: [{ role: 'user', content: 'why' }],
        ...extra,
      } as OpenAI.ChatCompletionCreateParamsNonStreaming)
    const thinking = await ask('qwen3:4b', {})
    expect((thinking.choices[0]?.message as unknown as Json)['reasoning']).toEqual(
      expect.any(String),
    )
    const off = await ask('qwen3:4b', { reasoning_effort: 'none' })
    expect((off.choices[0]?.message as unknown as Json)['reasoning']).toBeUndefined()
    const bogus = await rejection(ask('qwen3:4b', { reasoning_effort: 'extreme' }))
    expect(bogus).toBeInstanceOf(OpenAI.BadRequestError)
    expect(bogus.message).toContain('invalid reasoning value: "extreme"')
    const cannot = await rejection(ask('gemma3:1b', { reasoning_effort: 'low' }))
    expect(cannot.message).toContain('"gemma3:1b" does not support thinking')
  })

  it('an empty messages list is the middleware 400', async () => {
    const err = await rejection(
      client.chat.completions.create({ model: 'gemma3:1b', messages: [] }),
    )
    expect(err).toBeInstanceOf(OpenAI.BadRequestError)
    expect(err.message).toContain("[] is too short - 'messages'")
  })
})

/**
 * Tool calls pass through `serve` as they come (issue 14 point 4): Ollama's parser sends each call whole
 * in one chunk as soon as it has it, before `done`, and so does the simulator. Both faces forward that
 * chunk at once (Ollama-shaped: the chunk; OpenAI-shaped: a tool-call delta with its index and `call_` id)
 * and never again at the end, and an answer continued elsewhere after a call went out does not repeat it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Ollama, type ChatResponse } from 'ollama'
import OpenAI from 'openai'
import { startSimServer, type SimServer } from '../../../tools/ollama-sim'
import {
  FAST_FAILOVER_EXTRA,
  type TwoBoxServe,
  startTwoBoxServe,
} from '../../helpers/two-box-serve'
import { ndjson, recordingProxy, type RecordingProxy } from '../chat/recording-proxy'
import { CONTINUE_INSTRUCTION } from '../../../electron/core/chat/continuation'

const MODEL = 'qwen2.5:1.5b'
const WEATHER = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
}
const ASK = [{ role: 'user' as const, content: 'What is the weather in Paris?' }]

let alpha: SimServer
let beta: SimServer
let alphaProxy: RecordingProxy
let betaProxy: RecordingProxy
let box: TwoBoxServe
let ollama: Ollama
let openai: OpenAI

beforeAll(async () => {
  alpha = await startSimServer({ name: 'alpha', port: 0, models: [MODEL], timeScale: 0 })
  beta = await startSimServer({ name: 'beta', port: 0, models: [MODEL], timeScale: 0 })
  alphaProxy = await recordingProxy(alpha)
  betaProxy = await recordingProxy(beta)
  box = await startTwoBoxServe({
    primaryUrl: alphaProxy.url,
    secondary: { name: 'beta', url: betaProxy.url },
    ollamaExtra: FAST_FAILOVER_EXTRA,
  })
  ollama = new Ollama({ host: box.serve.url })
  openai = new OpenAI({ baseURL: `${box.serve.url}/v1`, apiKey: 'unused', maxRetries: 0 })
}, 30_000)

afterEach(async () => {
  await Promise.all([alpha.setFault({ kind: 'none' }), beta.setFault({ kind: 'none' })])
  alphaProxy.intercept = null
  betaProxy.intercept = null
  alphaProxy.chatBodies.length = 0
  betaProxy.chatBodies.length = 0
})

afterAll(async () => {
  await box?.close()
  await Promise.all([alphaProxy?.stop(), betaProxy?.stop()])
  await Promise.all([alpha?.stop(), beta?.stop()])
})

/** Both runners crash after their first chunk (an error line, no done), as Ollama's do. */
async function crashAfterFirstChunk(): Promise<void> {
  await Promise.all([
    alpha.setFault({ kind: 'crash', afterChunks: 1 }),
    beta.setFault({ kind: 'crash', afterChunks: 1 }),
  ])
}

/** Reads an ollama-js stream to its end or its error; the parts that came before either. */
async function readAll(
  stream: AsyncIterable<ChatResponse>,
): Promise<{ parts: ChatResponse[]; error: unknown }> {
  const parts: ChatResponse[] = []
  try {
    for await (const part of stream) parts.push(part)
    return { parts, error: null }
  } catch (error) {
    return { parts, error }
  }
}

describe('Ollama-shaped (ollama-js)', () => {
  it('the call comes in its own chunk before done, and not again in the final one', async () => {
    const { parts, error } = await readAll(
      await ollama.chat({ model: MODEL, messages: ASK, tools: [WEATHER], stream: true }),
    )
    expect(error).toBeNull()
    const withCalls = parts.filter((p) => p.message.tool_calls?.length)
    expect(withCalls).toHaveLength(1)
    expect(withCalls[0]?.done).toBe(false)
    expect(withCalls[0]?.message.tool_calls?.[0]?.function.name).toBe('get_weather')
    expect(parts.at(-1)?.done).toBe(true)
    expect(parts.at(-1)?.message.tool_calls).toBeUndefined()
  })

  it('a call already made reaches the client even when the stream then breaks everywhere', async () => {
    // Each box sends its first chunk (the call; the continuation's text), then its runner crashes.
    await crashAfterFirstChunk()
    const { parts, error } = await readAll(
      await ollama.chat({ model: MODEL, messages: ASK, tools: [WEATHER], stream: true }),
    )
    expect(error).not.toBeNull()
    const calls = parts.flatMap((p) => p.message.tool_calls ?? [])
    expect(calls.map((c) => c.function.name)).toEqual(['get_weather'])
  })

  it('a continuation after the call tells the next model it was made, and does not repeat it', async () => {
    // Whichever box answers first crashes after the call; the other makes the same call again
    // (another id), as a real model may when told to go on.
    await crashAfterFirstChunk()
    const again: RecordingProxy['intercept'] = (body) =>
      body.messages.at(-1)?.content === CONTINUE_INSTRUCTION
        ? {
            status: 200,
            contentType: 'application/x-ndjson',
            body: ndjson(
              {
                model: MODEL,
                created_at: new Date().toISOString(),
                message: {
                  role: 'assistant',
                  content: '',
                  tool_calls: [
                    {
                      id: 'call_again123',
                      function: { index: 0, name: 'get_weather', arguments: { city: 'Paris' } },
                    },
                  ],
                },
                done: false,
              },
              {
                model: MODEL,
                created_at: new Date().toISOString(),
                message: { role: 'assistant', content: '' },
                done: true,
                done_reason: 'stop',
                eval_count: 3,
              },
            ),
          }
        : null
    alphaProxy.intercept = again
    betaProxy.intercept = again
    const { parts, error } = await readAll(
      await ollama.chat({ model: MODEL, messages: ASK, tools: [WEATHER], stream: true }),
    )
    expect(error).toBeNull()
    const calls = parts.flatMap((p) => p.message.tool_calls ?? [])
    expect(calls).toHaveLength(1)
    expect(calls[0]?.function.arguments).toEqual({ city: 'Paris' })
    const continued = [...alphaProxy.chatBodies, ...betaProxy.chatBodies].find(
      (b) => b.messages.at(-1)?.content === CONTINUE_INSTRUCTION,
    )
    const partial = continued?.messages.at(-2)
    expect(partial?.role).toBe('assistant')
    expect(partial?.tool_calls?.map((c) => c.function.name)).toEqual(['get_weather'])
    const meta = (parts.at(-1) as unknown as { metadata: { continued: boolean } }).metadata
    expect(meta.continued).toBe(true)
  })
})

describe('OpenAI-shaped (openai SDK)', () => {
  it('a tool-call delta with index, a call_ id, role first, finish tool_calls at the end', async () => {
    const stream = await openai.chat.completions.create({
      model: MODEL,
      messages: ASK,
      tools: [WEATHER],
      stream: true,
    })
    const chunks = []
    for await (const chunk of stream) chunks.push(chunk)
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant')
    const deltas = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? [])
    expect(deltas).toHaveLength(1)
    expect(deltas[0]).toMatchObject({ index: 0, type: 'function' })
    expect(deltas[0]?.id).toMatch(/^call_[a-z0-9]{8}$/)
    expect(JSON.parse(deltas[0]?.function?.arguments ?? '')).toHaveProperty('city')
    // The call's delta comes before the finish chunk, not merged into it.
    const callAt = chunks.findIndex((c) => c.choices[0]?.delta.tool_calls?.length)
    const finishAt = chunks.findIndex((c) => c.choices[0]?.finish_reason)
    expect(callAt).toBeLessThan(finishAt)
    expect(chunks[finishAt]?.choices[0]?.finish_reason).toBe('tool_calls')
  })

  it('a call made before the stream broke is in the stream (the SDK reads it before the error)', async () => {
    await crashAfterFirstChunk()
    const stream = await openai.chat.completions.create({
      model: MODEL,
      messages: ASK,
      tools: [WEATHER],
      stream: true,
    })
    const deltas = []
    try {
      for await (const chunk of stream) deltas.push(...(chunk.choices[0]?.delta.tool_calls ?? []))
    } catch {
      // The end of the broken stream.
    }
    expect(deltas.map((d) => d.function?.name)).toEqual(['get_weather'])
  })
})

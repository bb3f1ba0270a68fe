/**
 * Token counts are the backend's (issue 14, points 1 and 4): what ollama-js and the openai SDK read from
 * `serve` is what the simulator itself sent in its final chunk — recorded by a relay between them — and a
 * continued answer's counts are the sum. Plus OpenAI's stream shapes for tool calls and `/v1/completions`.
 */
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Ollama } from 'ollama'
import OpenAI from 'openai'
import { startSimServer, type SimServer } from '../../../tools/ollama-sim'
import type { Serve } from '../../../electron/serve/serve'
import {
  FAST_FAILOVER_EXTRA,
  type TwoBoxServe,
  startTwoBoxServe,
} from '../../helpers/two-box-serve'

const COUNT_FIELDS = [
  'prompt_eval_count',
  'eval_count',
  'total_duration',
  'load_duration',
  'prompt_eval_duration',
  'eval_duration',
] as const
type Counts = Record<(typeof COUNT_FIELDS)[number], number>

/** An HTTP relay in front of a simulator that keeps the final chunk of every answer it passed on. */
interface RecordingRelay {
  url: string
  finals: Counts[]
  close(): Promise<void>
}

async function startRecordingRelay(target: string): Promise<RecordingRelay> {
  const finals: Counts[] = []
  const to = new URL(target)
  const server: Server = createServer((req, res) => {
    const up = request(
      { host: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers)
        // Recorded before the bytes are passed on, so a final chunk is known before serve can answer.
        let pending = ''
        const record = (line: string): boolean => {
          try {
            const o = JSON.parse(line) as Record<string, unknown>
            if (o['done'] === true && typeof o['eval_count'] === 'number') {
              finals.push(Object.fromEntries(COUNT_FIELDS.map((k) => [k, o[k] ?? 0])) as Counts)
            }
            return true
          } catch {
            return false // not a whole JSON line (yet)
          }
        }
        upRes.on('data', (b: Buffer) => {
          pending += b.toString('utf8')
          const lines = pending.split('\n')
          pending = lines.pop() ?? ''
          lines.forEach(record)
          // A whole (not streamed) answer is one JSON object, maybe without a newline.
          if (pending.trimEnd().endsWith('}') && record(pending)) pending = ''
          res.write(b)
        })
        upRes.on('end', () => res.end())
      },
    )
    up.on('error', () => res.destroy())
    req.pipe(up)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    finals,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

let alpha: SimServer
let beta: SimServer
let alphaRelay: RecordingRelay
let betaRelay: RecordingRelay
let serve: Serve
let box: TwoBoxServe
let ollama: Ollama
let openai: OpenAI

/** The final chunk the simulator behind `relay` sent last. */
const lastFinal = (relay: RecordingRelay): Counts | undefined => relay.finals.at(-1)
const countsOf = (o: object): Counts =>
  Object.fromEntries(
    COUNT_FIELDS.map((k) => [k, (o as Record<string, unknown>)[k]]),
  ) as unknown as Counts

beforeAll(async () => {
  const models = ['gemma3:1b', 'qwen2.5:1.5b']
  alpha = await startSimServer({ name: 'alpha', port: 0, models, timeScale: 0 })
  beta = await startSimServer({ name: 'beta', port: 0, models, timeScale: 0 })
  alphaRelay = await startRecordingRelay(alpha.url)
  betaRelay = await startRecordingRelay(beta.url)
  box = await startTwoBoxServe({
    primaryUrl: alphaRelay.url,
    secondary: { name: 'beta', url: betaRelay.url },
    ollamaExtra: FAST_FAILOVER_EXTRA,
  })
  serve = box.serve
  ollama = new Ollama({ host: serve.url })
  openai = new OpenAI({ baseURL: `${serve.url}/v1`, apiKey: 'unused', maxRetries: 0 })
}, 30_000)

afterEach(async () => {
  await alpha.setFault({ kind: 'none' })
  await beta.setFault({ kind: 'none' })
})

afterAll(async () => {
  await box?.close()
  await Promise.all([alphaRelay?.close(), betaRelay?.close()])
  await Promise.all([alpha?.stop(), beta?.stop()])
})

const HI = [{ role: 'user' as const, content: 'Hi there, how are you?' }]

describe('Ollama-shaped answers carry the backend’s counts (ollama-js)', () => {
  it('chat, not streamed: all six fields as the simulator sent them', async () => {
    const res = await ollama.chat({ model: 'gemma3:1b', messages: HI, stream: false })
    const sent = lastFinal(alphaRelay)
    expect(sent?.eval_count).toBeGreaterThan(0)
    expect(countsOf(res)).toEqual(sent)
  })

  it('chat, streamed: the done chunk carries them', async () => {
    const stream = await ollama.chat({ model: 'gemma3:1b', messages: HI, stream: true })
    let last: object = {}
    for await (const part of stream) last = part
    expect(countsOf(last)).toEqual(lastFinal(alphaRelay))
    expect(countsOf(last).prompt_eval_count).toBeGreaterThan(0)
  })

  it('generate, streamed and not', async () => {
    const whole = await ollama.generate({ model: 'gemma3:1b', prompt: 'Hi there', stream: false })
    expect(countsOf(whole)).toEqual(lastFinal(alphaRelay))
    const stream = await ollama.generate({ model: 'gemma3:1b', prompt: 'Hi there', stream: true })
    let last: object = {}
    for await (const part of stream) last = part
    expect(countsOf(last)).toEqual(lastFinal(alphaRelay))
  })

  it('an answer continued on another server sums both attempts and says so', async () => {
    await alpha.setFault({ kind: 'crash', afterChunks: 3 })
    const stream = await ollama.chat({ model: 'gemma3:1b', messages: HI, stream: true })
    let last: Record<string, unknown> = {}
    for await (const part of stream) last = part as unknown as Record<string, unknown>
    const metadata = last['metadata'] as {
      usage_summed: boolean
      attempts: { serverName: string; usage: Record<string, unknown> | null }[]
    }
    expect(metadata.attempts.map((a) => a.serverName)).toEqual(['primary', 'beta'])
    expect(metadata.usage_summed).toBe(true)
    const second = lastFinal(betaRelay)
    if (!second) throw new Error('beta sent no final chunk')
    // The crashed attempt never sent counts: its three streamed tokens are what it adds.
    expect(metadata.attempts[0]?.usage).toMatchObject({ source: 'streamed', eval_count: 3 })
    expect(metadata.attempts[1]?.usage).toEqual({ ...second, source: 'backend' })
    expect(countsOf(last)).toEqual({ ...second, eval_count: second.eval_count + 3 })
  })
})

describe('OpenAI usage is the backend’s counts (openai SDK)', () => {
  it('a whole chat answer', async () => {
    const res = await openai.chat.completions.create({ model: 'gemma3:1b', messages: HI })
    const sent = lastFinal(alphaRelay)
    expect(res.usage).toEqual({
      prompt_tokens: sent?.prompt_eval_count,
      completion_tokens: sent?.eval_count,
      total_tokens: (sent?.prompt_eval_count ?? 0) + (sent?.eval_count ?? 0),
    })
  })

  it('stream_options.include_usage: a last chunk with no choices and the usage', async () => {
    const stream = await openai.chat.completions.create({
      model: 'gemma3:1b',
      messages: HI,
      stream: true,
      stream_options: { include_usage: true },
    })
    const chunks = []
    for await (const chunk of stream) chunks.push(chunk)
    const last = chunks.at(-1)
    const sent = lastFinal(alphaRelay)
    expect(last?.choices).toEqual([])
    expect(last?.usage).toMatchObject({
      prompt_tokens: sent?.prompt_eval_count,
      completion_tokens: sent?.eval_count,
    })
    expect(new Set(chunks.map((c) => c.created)).size).toBe(1)
  })
})

const WEATHER = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Current weather of a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
}

describe('OpenAI tool-call streams as Ollama sends them', () => {
  const toolTurn = async () => {
    const stream = await openai.chat.completions.create({
      model: 'qwen2.5:1.5b',
      messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
      tools: [WEATHER],
      stream: true,
    })
    const chunks = []
    for await (const chunk of stream) chunks.push(chunk)
    return chunks
  }

  it('role in the first delta of a tool-only answer, unique ids across turns, finish tool_calls', async () => {
    const [one, two] = [await toolTurn(), await toolTurn()]
    for (const chunks of [one, two]) {
      expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant')
      expect(chunks.map((c) => c.choices[0]?.finish_reason).filter(Boolean)).toEqual(['tool_calls'])
    }
    const ids = [...one, ...two].flatMap(
      (c) => c.choices[0]?.delta.tool_calls?.map((t) => t.id) ?? [],
    )
    expect(ids).toHaveLength(2)
    for (const id of ids) expect(id).toMatch(/^call_[a-z0-9]{8}$/)
    expect(ids[0]).not.toBe(ids[1])
  })
})

describe('POST /v1/completions (openai SDK)', () => {
  it('a whole text completion: the shape, the backend’s usage, the routing headers', async () => {
    const { data, response } = await openai.completions
      .create({ model: 'auto', prompt: 'Hi there', max_tokens: 50 })
      .withResponse()
    const sent = lastFinal(alphaRelay) ?? lastFinal(betaRelay)
    expect(data.object).toBe('text_completion')
    expect(data.choices[0]?.text).toMatch(/^\[[^\]]+@(alpha|beta)\]/)
    expect(data.choices[0]?.finish_reason).toBe('stop')
    expect(data.usage?.completion_tokens).toBeGreaterThan(0)
    expect(data.usage?.completion_tokens).toBe(sent?.eval_count)
    expect(response.headers.get('x-aillm-model')).toBe(data.model)
  })

  it('streamed with include_usage: text pieces, the finish, then the usage chunk', async () => {
    const stream = await openai.completions.create({
      model: 'gemma3:1b',
      prompt: 'Hi there',
      stream: true,
      stream_options: { include_usage: true },
    })
    const chunks = []
    for await (const chunk of stream) chunks.push(chunk)
    const text = chunks.map((c) => c.choices[0]?.text ?? '').join('')
    expect(text.startsWith('[gemma3:1b@alpha]')).toBe(true)
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop')
    expect(chunks.at(-1)?.choices).toEqual([])
    expect(chunks.at(-1)?.usage?.completion_tokens).toBe(lastFinal(alphaRelay)?.eval_count)
  })

  it.each([
    [{ prompt: ['a', 'b'] }, /"prompt" must be a string/],
    [{}, /"prompt" is required/],
    [{ prompt: 'x', stop: 7 }, /"stop" must be a string or an array of strings/],
    [{ prompt: 'x', suffix: 7 }, /"suffix" must be a string/],
    [{ prompt: 'x', stream_options: { include_usage: 'yes' } }, /"stream_options.include_usage"/],
  ])('refuses %j, naming the field', async (fields, message) => {
    const err = await openai.completions
      .create({ model: 'gemma3:1b', ...(fields as { prompt: string }) })
      .then(() => null)
      .catch((e: unknown) => e as { status: number; message: string })
    expect(err?.status).toBe(400)
    expect(err?.message).toMatch(message)
  })
})

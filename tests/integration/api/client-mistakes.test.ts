/**
 * A client's own mistakes are answered 400 at AILLM's edge, naming what is wrong, and never reach a server:
 * real Ollama answers them 500, which would look like the server's fault and take it out of routing
 * (issue 12 point 4). Driven by the official `ollama` and `openai` clients.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Ollama, type ChatRequest } from 'ollama'
import OpenAI from 'openai'
import { startServeFixture, type ServeFixture } from '../../helpers/serve-fixture'

let fx: ServeFixture
let ollama: Ollama
let openai: OpenAI

beforeAll(async () => {
  fx = await startServeFixture()
  ollama = new Ollama({ host: fx.serve.url })
  openai = new OpenAI({ baseURL: `${fx.serve.url}/v1`, apiKey: 'unused', maxRetries: 0 })
})
afterAll(async () => {
  await fx?.close()
})

const EXPLAIN = 'Explain the Singleton pattern'

/** Chat requests that reached either simulator. */
function upstreamChats(): number {
  return [...fx.remote.requests, ...fx.local.requests].filter((r) => r.path === '/api/chat').length
}

async function refusal(
  request: Record<string, unknown> | string,
): Promise<{ status: number; error: string }> {
  const res = await fetch(`${fx.serve.url}/api/chat`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: typeof request === 'string' ? request : JSON.stringify(request),
  })
  return { status: res.status, error: ((await res.json()) as { error: string }).error }
}

/** After a refused request the fleet still answers as planned: the explanation on the GPU box. */
async function expectFleetUnharmed(): Promise<void> {
  const res = await ollama.chat({
    model: 'auto',
    messages: [{ role: 'user', content: EXPLAIN }],
    stream: false,
  })
  expect(res.message.content.startsWith('[gemma3:12b@remote]')).toBe(true)
  // Not taken out of routing: no breaker opened (a slow probe on a busy machine may say "degraded").
  for (const s of fx.serve.core.servers()) {
    expect(s.health.kind, s.name).not.toBe('offline')
    expect(s.breaker, s.name).toBe('closed')
  }
}

describe('Ollama face: mistakes of the request', () => {
  it.each([
    [{ num_ctx: 'big' }, /options\.num_ctx must be an integer, got "big"/],
    [{ temperature: 'hot' }, /options\.temperature must be a number/],
    [{ use_mmap: 'yes' }, /options\.use_mmap must be true or false/],
    [{ stop: 'END' }, /options\.stop must be an array of strings/],
    [{ stop: ['a', 3] }, /options\.stop must be an array of strings/],
  ])('options %j → 400 naming the option, nothing sent upstream', async (options, message) => {
    const before = upstreamChats()
    const err = await ollama
      .chat({
        model: 'auto',
        messages: [{ role: 'user', content: EXPLAIN }],
        options,
      } as unknown as ChatRequest & { stream: false })
      .catch((e: unknown) => e as { status_code?: number; message?: string })
    expect(err).toMatchObject({ status_code: 400 })
    expect((err as Error).message).toMatch(message)
    expect(upstreamChats()).toBe(before)
  })

  it('an invalid format string → 400, and the fleet stays online', async () => {
    const before = upstreamChats()
    const { status, error } = await refusal({
      model: 'auto',
      messages: [{ role: 'user', content: EXPLAIN }],
      format: 'yaml',
      stream: false,
    })
    expect(status).toBe(400)
    expect(error).toMatch(/"format" must be "json" or a JSON schema object, got "yaml"/)
    expect(upstreamChats()).toBe(before)
    await expectFleetUnharmed()
  })

  it('a body nested 5,000 levels deep → 400, and no server is marked down', async () => {
    // Written out by hand: JSON.stringify itself overflows the stack on such a value (~36 kB).
    const nested = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000)
    const before = upstreamChats()
    const { status, error } = await refusal(
      `{"model":"auto","stream":false,"messages":[{"role":"user","content":"${EXPLAIN}"}],` +
        `"options":{"deep":${nested}}}`,
    )
    expect(status).toBe(400)
    expect(error).toMatch(/nested more than \d+ levels deep/)
    expect(upstreamChats()).toBe(before)
    await expectFleetUnharmed()
  })

  it('a body of ordinary depth (a nested tool schema) passes', async () => {
    let schema: Record<string, unknown> = { type: 'string' }
    for (let i = 0; i < 10; i++) schema = { type: 'object', properties: { x: schema } }
    const res = await ollama.chat({
      model: 'auto',
      messages: [{ role: 'user', content: EXPLAIN }],
      format: schema,
      stream: false,
    })
    expect(res.done).toBe(true)
  })

  it('unknown options and well-typed ones pass through (newer servers know more)', async () => {
    const res = await ollama.chat({
      model: 'auto',
      messages: [{ role: 'user', content: EXPLAIN }],
      options: { num_ctx: 8192, temperature: 0.2, stop: ['END'], flash_attention: true } as never,
      stream: false,
    })
    expect(res.message.content.startsWith('[gemma3:12b@remote]')).toBe(true)
  })
})

describe('OpenAI face: mistakes of the request', () => {
  it.each([
    [{ temperature: 'hot' }, /"temperature" must be a number, got "hot"/],
    [{ max_tokens: '100' }, /"max_tokens" must be a number/],
    [{ stop: 7 }, /"stop" must be a string or an array of strings/],
  ])('%j → 400 naming the field', async (extra, message) => {
    const before = upstreamChats()
    const err = await openai.chat.completions
      .create({
        model: 'auto',
        messages: [{ role: 'user', content: EXPLAIN }],
        ...(extra as object),
      } as never)
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(OpenAI.BadRequestError)
    expect((err as Error).message).toMatch(message)
    expect(upstreamChats()).toBe(before)
  })
})

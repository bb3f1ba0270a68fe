/**
 * The client libraries people use, unchanged, against `serve` on a simulated fleet (issue 14, point 7):
 * LangChain's Ollama integration, the Vercel AI SDK with its community Ollama provider and its
 * OpenAI-compatible provider. Each check is a feature a user of that library relies on; when one fails,
 * the same client works against Ollama itself, so the gap is ours.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChatOllama, OllamaEmbeddings } from '@langchain/ollama'
import { embed, generateText, jsonSchema, streamText, tool } from 'ai'
import { createOllama } from 'ollama-ai-provider-v2'
import { createOpenAICompatible } from '@ai-sdk/openai-compatible'
import OpenAI from 'openai'
import { startServeFixture, type ServeFixture } from '../../helpers/serve-fixture'

const HI = 'Hi!'
const AUTH = 'Write an auth system with JWT, refresh tokens and rate limiting'
/** The simulator starts each answer with `[model@server]`: where it really went. */
const pairOf = (text: string): string | undefined => /^\[([^\]]+)\]/.exec(text)?.[1]

let fx: ServeFixture

beforeAll(async () => {
  fx = await startServeFixture()
})
afterAll(async () => {
  await fx?.close()
})

describe('LangChain ChatOllama', () => {
  const chat = (model = 'auto') => new ChatOllama({ baseUrl: fx.serve.url, model, maxRetries: 0 })

  it('auto routes a greeting to the small model and a coding task to the coder', async () => {
    expect(pairOf(String((await chat().invoke(HI)).content))).toBe('gemma3:1b@localhost')
    expect(pairOf(String((await chat().invoke(AUTH)).content))).toBe('qwen2.5-coder:14b@remote')
  })

  it('streams the answer in pieces', async () => {
    const pieces: string[] = []
    for await (const chunk of await chat().stream(HI)) pieces.push(String(chunk.content))
    expect(pieces.length).toBeGreaterThan(2)
    expect(pairOf(pieces.join(''))).toBe('gemma3:1b@localhost')
  })

  it('a named model answers there, and an unknown one fails with Ollama’s words', async () => {
    expect(pairOf(String((await chat('gemma3:12b').invoke(HI)).content))).toBe('gemma3:12b@remote')
    await expect(chat('no-such-model:7b').invoke(HI)).rejects.toThrow(/not found/)
  })

  it('calls tools on a model that supports them', async () => {
    const withTools = chat().bindTools([
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Current weather for a city',
          parameters: {
            type: 'object',
            properties: { city: { type: 'string' } },
            required: ['city'],
          },
        },
      },
    ])
    const answer = await withTools.invoke('What is the weather in Paris? Use the tool.')
    expect(answer.tool_calls?.[0]?.name).toBe('get_weather')
  })

  it('reports the backend’s token usage (usage_metadata)', async () => {
    // Read as LangChain documents it (its typings resolve the field to `never` here).
    const answer = (await chat('gemma3:1b').invoke(HI)) as unknown as {
      usage_metadata?: { input_tokens: number; output_tokens: number; total_tokens: number }
    }
    const usage = answer.usage_metadata
    expect(usage?.input_tokens).toBeGreaterThan(0)
    expect(usage?.output_tokens).toBeGreaterThan(0)
    expect(usage?.total_tokens).toBe((usage?.input_tokens ?? 0) + (usage?.output_tokens ?? 0))
  })

  it('embeds with OllamaEmbeddings', async () => {
    const embeddings = new OllamaEmbeddings({ baseUrl: fx.serve.url, model: 'nomic-embed-text' })
    const [one, two] = await embeddings.embedDocuments(['hello', 'world'])
    expect(one?.length).toBeGreaterThan(100)
    expect(two?.length).toBe(one?.length)
  })
})

describe('AI SDK with the Ollama provider (ollama-ai-provider-v2)', () => {
  const ollama = () => createOllama({ baseURL: `${fx.serve.url}/api` })

  it('generateText and streamText route through auto', async () => {
    const g = await generateText({ model: ollama()('auto'), prompt: AUTH })
    expect(pairOf(g.text)).toBe('qwen2.5-coder:14b@remote')
    expect(g.finishReason).toBe('stop')
    const s = streamText({ model: ollama()('auto'), prompt: HI })
    let text = ''
    for await (const piece of s.textStream) text += piece
    expect(pairOf(text)).toBe('gemma3:1b@localhost')
  })

  it('tool calls come back as tool calls', async () => {
    const g = await generateText({
      model: ollama()('auto'),
      prompt: 'What is the weather in Paris? Use the tool.',
      tools: {
        get_weather: tool({
          description: 'Current weather for a city',
          inputSchema: jsonSchema<{ city: string }>({
            type: 'object',
            properties: { city: { type: 'string' } },
            required: ['city'],
          }),
        }),
      },
    })
    expect(g.toolCalls[0]?.toolName).toBe('get_weather')
  })

  it('reports token usage, whole and streamed', async () => {
    const g = await generateText({ model: ollama()('gemma3:1b'), prompt: HI })
    expect(g.usage.inputTokens).toBeGreaterThan(0)
    expect(g.usage.outputTokens).toBeGreaterThan(0)
    const s = streamText({ model: ollama()('gemma3:1b'), prompt: HI })
    for await (const piece of s.textStream) void piece
    expect((await s.usage).outputTokens).toBeGreaterThan(0)
  })

  it('embeds', async () => {
    const e = await embed({ model: ollama().textEmbeddingModel('nomic-embed-text'), value: 'hi' })
    expect(e.embedding.length).toBeGreaterThan(100)
  })
})

describe('AI SDK with the OpenAI-compatible provider', () => {
  const openai = () => createOpenAICompatible({ name: 'aillm', baseURL: `${fx.serve.url}/v1` })

  it('generateText and streamText route through auto', async () => {
    const g = await generateText({ model: openai()('auto'), prompt: AUTH })
    expect(pairOf(g.text)).toBe('qwen2.5-coder:14b@remote')
    const s = streamText({ model: openai()('auto'), prompt: HI })
    let text = ''
    for await (const piece of s.textStream) text += piece
    expect(pairOf(text)).toBe('gemma3:1b@localhost')
    expect(await s.finishReason).toBe('stop')
  })

  it('streamed usage (include_usage) is the backend’s counts', async () => {
    const provider = createOpenAICompatible({
      name: 'aillm',
      baseURL: `${fx.serve.url}/v1`,
      includeUsage: true,
    })
    const s = streamText({ model: provider('gemma3:1b'), prompt: HI })
    for await (const piece of s.textStream) void piece
    const usage = await s.usage
    expect(usage.inputTokens).toBeGreaterThan(0)
    expect(usage.outputTokens).toBeGreaterThan(0)
  })
})

describe('openai SDK: the rest of the surface', () => {
  const openai = () =>
    new OpenAI({ baseURL: `${fx.serve.url}/v1`, apiKey: 'unused', maxRetries: 0 })

  it('completions with a suffix fill in the middle on a model with insert, whole and streamed', async () => {
    const before = fx.remote.requests.length
    const whole = await openai().completions.create({
      model: 'auto',
      prompt: 'def add(a, b):\n    ',
      suffix: '\n\nprint(add(1, 2))',
    })
    expect(pairOf(whole.choices[0]?.text ?? '')).toBe('qwen2.5-coder:14b@remote')
    const stream = await openai().completions.create({
      model: 'auto',
      prompt: 'def add(a, b):\n    ',
      suffix: '\n\nprint(add(1, 2))',
      stream: true,
    })
    let text = ''
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? ''
    expect(pairOf(text)).toBe('qwen2.5-coder:14b@remote')
    const asked = fx.remote.requests.slice(before).filter((r) => r.path === '/api/generate')
    expect(asked.map((r) => r.model)).toEqual(['qwen2.5-coder:14b', 'qwen2.5-coder:14b'])
  })

  it('a page on another origin may read the route headers (fetch with an Origin, as a browser sends)', async () => {
    const res = await fetch(`${fx.serve.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { Origin: 'http://localhost:5173', 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: HI }] }),
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173')
    // What a browser lets the page's script read: the safelisted headers and the exposed ones.
    const exposed = (res.headers.get('access-control-expose-headers') ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
    const readable = (name: string) =>
      exposed.includes(name.toLowerCase()) ? res.headers.get(name) : null
    expect(readable('X-AILLM-Model')).toBe('gemma3:1b')
    expect(readable('X-AILLM-Server')).toBe('localhost')
    expect(readable('X-AILLM-Complexity')).toBeTruthy()
    expect(readable('X-AILLM-Fallback')).toBe('false')
    await res.json()
  })

  it('streams a tool call as its own delta (index, call_ id) before finish_reason tool_calls', async () => {
    const stream = await openai().chat.completions.create({
      model: 'auto',
      messages: [{ role: 'user', content: 'What is the weather in Paris? Use the tool.' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } } },
          },
        },
      ],
      stream: true,
    })
    const chunks = []
    for await (const chunk of stream) chunks.push(chunk)
    const callAt = chunks.findIndex((c) => c.choices[0]?.delta.tool_calls?.length)
    const call = chunks[callAt]?.choices[0]?.delta.tool_calls?.[0]
    expect(call).toMatchObject({ index: 0, function: { name: 'get_weather' } })
    expect(call?.id).toMatch(/^call_[a-z0-9]{8}$/)
    expect(chunks[callAt]?.choices[0]?.finish_reason).toBeNull()
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('tool_calls')
  })

  it('a tool call made before the stream broke still reaches the SDK (it is sent as it comes)', async () => {
    // Every runner crashes after its first chunk (for a tool turn: the call itself).
    const boxes = [fx.remote, fx.local]
    await Promise.all(boxes.map((b) => b.setFault({ kind: 'crash', afterChunks: 1 })))
    try {
      const stream = await openai().chat.completions.create({
        model: 'auto',
        messages: [{ role: 'user', content: 'What is the weather in Paris? Use the tool.' }],
        tools: [{ type: 'function', function: { name: 'get_weather', parameters: {} } }],
        stream: true,
      })
      const names: (string | undefined)[] = []
      await (async () => {
        for await (const chunk of stream) {
          for (const call of chunk.choices[0]?.delta.tool_calls ?? [])
            names.push(call.function?.name)
        }
      })().catch(() => undefined)
      expect(names).toEqual(['get_weather'])
    } finally {
      await Promise.all(boxes.map((b) => b.setFault({ kind: 'none' })))
    }
  })
})

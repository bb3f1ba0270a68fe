/**
 * The OpenAI-compatible face (`/v1/models`, `/v1/chat/completions`, `/v1/completions` in
 * openai-completions.ts), on the same router and executor; usage is the backend's token counts.
 */
import { randomInt } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AppCore, ChatResult, ExecuteOptions } from '../app-core'
import type { ChatMessage } from '../../../shared/types'
import { normaliseTag } from '../routing/tiers'
import { answerHeaders, routeOrThrow, runCollected, runStreaming } from './chat-bridge'
import {
  ApiError,
  checkEmbeddedDepth,
  isBool,
  isObject,
  optional,
  readJsonBody,
  requireString,
  sendJson,
} from './http-util'
import { EDGE_LIMITS, type EdgeLimits } from './edge-limits'
import { VIRTUAL_MODELS, uniqueModels } from './ollama-face'
import { checkBase64Image } from './request-checks'
import { handleTextCompletions } from './openai-completions'
import { openAiOptions, openAiUsage, sse, sseError } from './openai-wire'

/** Handles the /v1 routes; returns false when the path is not one of them. */
export async function handleOpenAiRoute(
  core: AppCore,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  abort: AbortController,
  limits: Pick<EdgeLimits, 'maxCollectedChars'> = EDGE_LIMITS,
): Promise<boolean> {
  const route = `${req.method ?? 'GET'} ${path}`
  if (route === 'GET /v1/models') {
    const created = Math.floor(Date.now() / 1000)
    const ids = [...VIRTUAL_MODELS.map((v) => v.name), ...uniqueModels(core).map((m) => m.name)]
    sendJson(res, 200, {
      object: 'list',
      data: ids.map((id) => ({ id, object: 'model', created, owned_by: 'aillm' })),
    })
    return true
  }
  if (route.startsWith('GET /v1/models/')) {
    // Model ids may hold a slash (`hf.co/org/model`): everything after the prefix is the id.
    const id = decodeURIComponent(path.slice('/v1/models/'.length))
    const known =
      VIRTUAL_MODELS.some((v) => v.name === id) ||
      uniqueModels(core).some((m) => normaliseTag(m.name) === normaliseTag(id))
    if (!known) throw new ApiError(404, `The model '${id}' does not exist`)
    sendJson(res, 200, {
      id,
      object: 'model',
      created: Math.floor(Date.now() / 1000),
      owned_by: 'aillm',
    })
    return true
  }
  if (route === 'POST /v1/chat/completions') {
    await completions(core, req, res, abort, limits.maxCollectedChars)
    return true
  }
  if (route === 'POST /v1/completions') {
    await handleTextCompletions(core, req, res, abort, limits.maxCollectedChars)
    return true
  }
  return false
}

/**
 * OpenAI content may be a string or an array of parts: text parts are joined, `image_url` parts with a
 * `data:` URL become Ollama `images` (base64). AILLM fetches nothing from the web on a client's behalf.
 */
function contentOf(content: unknown, where: string): { text: string; images: string[] } {
  if (typeof content === 'string') return { text: content, images: [] }
  if (content === null || content === undefined) return { text: '', images: [] }
  if (!Array.isArray(content)) {
    throw new ApiError(400, `${where} must be a string or an array of content parts`)
  }
  let text = ''
  const images: string[] = []
  content.forEach((part, i) => {
    if (!isObject(part)) throw new ApiError(400, `${where}[${i}] must be an object`)
    if (part['type'] === 'text' && typeof part['text'] === 'string') text += part['text']
    else if (part['type'] === 'image_url') {
      const ref = part['image_url']
      const url = typeof ref === 'string' ? ref : isObject(ref) ? ref['url'] : undefined
      const match = typeof url === 'string' ? /^data:image\/[\w.+-]+;base64,(.+)$/s.exec(url) : null
      if (!match?.[1]) {
        throw new ApiError(
          400,
          `${where}[${i}].image_url must be a data:image/...;base64 URL (AILLM does not fetch images from the web)`,
        )
      }
      images.push(checkBase64Image(match[1], `${where}[${i}].image_url`))
    }
  })
  return { text, images }
}

/** OpenAI's `response_format` as Ollama's `format`: `json_object` → "json", `json_schema` → the schema. */
function formatOf(body: Record<string, unknown>): Pick<ExecuteOptions, 'format'> {
  const rf = body['response_format']
  if (rf === undefined || rf === null) return {}
  if (!isObject(rf)) throw new ApiError(400, '"response_format" must be an object')
  switch (rf['type']) {
    case 'text':
      return {}
    case 'json_object':
      return { format: 'json' }
    case 'json_schema': {
      const js = rf['json_schema']
      const schema = isObject(js) ? js['schema'] : undefined
      if (!isObject(schema)) {
        throw new ApiError(400, '"response_format.json_schema.schema" must be a JSON schema object')
      }
      return { format: schema }
    }
    default:
      throw new ApiError(
        400,
        `"response_format.type" must be text, json_object or json_schema (got ${JSON.stringify(rf['type'])})`,
      )
  }
}

/**
 * OpenAI messages → Ollama's: assistant `tool_calls` (arguments as a JSON string) become objects, and a
 * `tool` message's `tool_call_id` becomes the `tool_name` of the call it answers.
 */
function parseOpenAiMessages(value: unknown): ChatMessage[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new ApiError(400, '"messages" must be a non-empty array')
  }
  const toolNames = new Map<string, string>()
  return value.map((m, i) => {
    if (!isObject(m)) throw new ApiError(400, `messages[${i}] must be an object`)
    const role = m['role'] === 'developer' ? 'system' : m['role']
    if (role !== 'system' && role !== 'user' && role !== 'assistant' && role !== 'tool') {
      throw new ApiError(
        400,
        `messages[${i}].role must be system, developer, user, assistant or tool (got ${JSON.stringify(m['role'])})`,
      )
    }
    const { text, images } = contentOf(m['content'], `messages[${i}].content`)
    const msg: ChatMessage = { role, content: text }
    if (images.length > 0) msg.images = images
    const calls = m['tool_calls']
    if (Array.isArray(calls) && calls.length > 0) {
      msg.tool_calls = calls.map((call, j) => {
        const where = `messages[${i}].tool_calls[${j}]`
        const fn = isObject(call) ? call['function'] : undefined
        if (!isObject(fn) || typeof fn['name'] !== 'string') {
          throw new ApiError(
            400,
            `${where} must be {"id", "type": "function", "function": {"name", "arguments"}}`,
          )
        }
        if (isObject(call) && typeof call['id'] === 'string') toolNames.set(call['id'], fn['name'])
        return { function: { name: fn['name'], arguments: parseArguments(fn['arguments'], where) } }
      })
    }
    const callId = m['tool_call_id']
    if (role === 'tool' && typeof callId === 'string') {
      const name = toolNames.get(callId)
      if (name !== undefined) msg.tool_name = name
    }
    return msg
  })
}

/** OpenAI sends tool arguments as a JSON string; Ollama wants the object. */
function parseArguments(value: unknown, where: string): Record<string, unknown> {
  if (value === undefined || value === null || value === '') return {}
  if (isObject(value)) return value
  if (typeof value === 'string') {
    try {
      const parsed: unknown = JSON.parse(value)
      if (isObject(parsed)) {
        checkEmbeddedDepth(parsed, `${where}.function.arguments`)
        return parsed
      }
    } catch (err) {
      if (err instanceof ApiError) throw err
      // invalid JSON: reported below
    }
  }
  throw new ApiError(400, `${where}.function.arguments must be a JSON object (as a string)`)
}

/**
 * Ollama's tool calls in OpenAI's shape (openai.ToToolCalls): the backend's own id and index when it sent
 * them (Ollama gives each call a random `call_…` id), else ones made the same way — never `call_0` on
 * every turn, which clients matching results to calls across turns would confuse.
 */
function openAiToolCalls(calls: ChatResult['toolCalls'], firstIndex?: number) {
  return calls.map((c, i) => {
    const sent = c as { id?: unknown; function: { index?: unknown } }
    const own = typeof sent.function.index === 'number' ? sent.function.index : i
    return {
      id: typeof sent.id === 'string' && sent.id !== '' ? sent.id : toolCallId(),
      // Streamed, each call's delta index is its place in the whole answer (calls can come from
      // several chunks, or attempts, each counting from 0).
      index: firstIndex === undefined ? own : firstIndex + i,
      type: 'function',
      function: { name: c.function.name, arguments: JSON.stringify(c.function.arguments ?? {}) },
    }
  })
}

/** Ollama's `toolCallId()`: `call_` and 8 of [a-z0-9]. */
function toolCallId(): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz0123456789'
  let id = 'call_'
  for (let i = 0; i < 8; i++) id += letters[randomInt(letters.length)] ?? 'x'
  return id
}

/**
 * OpenAI's finish_reason from Ollama's done_reason: an answer cut by max_tokens says `length`, one that
 * called tools (and stopped) `tool_calls`, as Ollama's FinishChunk remaps only `stop`.
 */
function finishReason(r: ChatResult): 'tool_calls' | 'length' | 'stop' {
  if (r.doneReason === 'length') return 'length'
  return r.toolCalls.length > 0 ? 'tool_calls' : 'stop'
}

/** The tools of a request, passed to Ollama as they are (the function-tool shape is the same). */
function toolsOf(body: Record<string, unknown>): Pick<ExecuteOptions, 'tools'> {
  const tools = body['tools']
  if (tools === undefined || tools === null) return {}
  if (!Array.isArray(tools) || !tools.every(isObject)) {
    throw new ApiError(400, '"tools" must be an array of {"type": "function", "function": {...}}')
  }
  return tools.length > 0 ? { tools: tools as unknown as NonNullable<ExecuteOptions['tools']> } : {}
}

/** OpenAI's `reasoning_effort` as Ollama's `think` (as Ollama's own /v1 maps it): none turns it off. */
function thinkOf(body: Record<string, unknown>): Pick<ExecuteOptions, 'think'> {
  const effort = body['reasoning_effort']
  if (effort === undefined || effort === null) return {}
  if (effort === 'low' || effort === 'medium' || effort === 'high') return { think: effort }
  if (effort === 'none') return { think: false }
  throw new ApiError(
    400,
    `"reasoning_effort" must be low, medium, high or none (got ${JSON.stringify(effort)})`,
  )
}

async function completions(
  core: AppCore,
  req: IncomingMessage,
  res: ServerResponse,
  abort: AbortController,
  maxChars: number,
): Promise<void> {
  const body = await readJsonBody(req)
  const model = requireString(body, 'model')
  const messages = parseOpenAiMessages(body['messages'])
  const stream = optional(body, 'stream', isBool, 'true or false') ?? false
  const streamOptions = optional(body, 'stream_options', isObject, 'an object')
  const includeUsage = streamOptions?.['include_usage'] === true
  const tools = toolsOf(body)
  const extra = { options: openAiOptions(body), ...tools, ...formatOf(body), ...thinkOf(body) }
  const decision = routeOrThrow(core, model, messages, extra)
  const id = `chatcmpl-${decision.id.replace(/[^a-zA-Z0-9]/g, '').slice(0, 24)}`
  // One `created` for the whole stream, as OpenAI and Ollama's ChatWriter stamp it.
  const created = Math.floor(Date.now() / 1000)
  if (!stream) {
    const result = await runCollected(
      core,
      decision,
      messages,
      { ...extra, signal: abort.signal },
      maxChars,
    )
    sendJson(
      res,
      200,
      {
        id,
        object: 'chat.completion',
        created,
        model: result.metadata.model,
        system_fingerprint: 'fp_aillm',
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: result.content,
              ...(result.thinking ? { reasoning: result.thinking } : {}),
              ...(result.toolCalls.length ? { tool_calls: openAiToolCalls(result.toolCalls) } : {}),
            },
            finish_reason: finishReason(result),
          },
        ],
        usage: openAiUsage(result.usage),
        metadata: result.metadata,
      },
      answerHeaders(decision, result.metadata),
    )
    return
  }
  let first = true
  let callsSent = 0
  // The first delta says who speaks, whatever comes first (text, reasoning or a tool call):
  // LangChain's ChatOpenAI drops a tool-only answer whose deltas never name the assistant.
  const delta = (part: Record<string, unknown>): Record<string, unknown> => {
    const out = first ? { role: 'assistant', ...part } : part
    first = false
    return out
  }
  const chunk = (delta: Record<string, unknown>, finish: string | null, m: string) => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model: m,
    system_fingerprint: 'fp_aillm',
    choices: [{ index: 0, delta, finish_reason: finish }],
  })
  await runStreaming(
    core,
    res,
    decision,
    messages,
    extra,
    {
      contentType: 'text/event-stream',
      token: (text, m) => sse(chunk(delta({ content: text }), null, m)),
      // Ollama's /v1 streams reasoning as `reasoning` deltas before the content, with `content: ""`
      // beside it (and beside tool calls) as its ChatWriter does.
      thinking: (text, m) => sse(chunk(delta({ content: '', reasoning: text }), null, m)),
      // Each call as it comes, whole in one delta, as Ollama's ChatWriter streams them.
      toolCalls: (calls, m) => {
        const out = sse(
          chunk(delta({ content: '', tool_calls: openAiToolCalls(calls, callsSent) }), null, m),
        )
        callsSent += calls.length
        return out
      },
      done: (r) => {
        const m = r.metadata.model
        // A wholly empty answer still opens with the assistant's role.
        const opening = first ? sse(chunk(delta({ content: '' }), null, m)) : ''
        const finish = { ...chunk({}, finishReason(r), m), metadata: r.metadata }
        const usageChunk = includeUsage
          ? sse({ ...chunk({}, null, m), choices: [], usage: openAiUsage(r.usage) })
          : ''
        return `${opening}${sse(finish)}${usageChunk}data: [DONE]\n\n`
      },
      error: sseError,
    },
    abort,
  )
}

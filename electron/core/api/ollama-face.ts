/**
 * The Ollama-compatible face of the local API: any Ollama client pointed at AILLM gets routed.
 * Model `auto` routes by task; `auto:fast|balanced|powerful` forces a tier; a real tag goes to the best server that has it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Options as OllamaOptions } from 'ollama'
import type { AppCore, ChatResult, ExecuteOptions } from '../app-core'
import type { ChatMessage, ChatToolCall, ModelEntry, RoutingDecision } from '../../../shared/types'
import {
  answerHeaders,
  routeOrThrow,
  runCollected,
  runStreaming,
  type PiecePart,
} from './chat-bridge'
import { checkFormat, checkImages, checkOllamaOptions, checkThink } from './request-checks'
import { clientFor, proxiedError, serverWithModel, usableServers } from './upstream'
import {
  ApiError,
  isBool,
  isKeepAlive,
  isObject,
  isString,
  optional,
  readJsonBody,
  requireString,
  sendJson,
} from './http-util'
import { EDGE_LIMITS, type EdgeLimits } from './edge-limits'
import { planGenerate, type GeneratePlan } from './generate-face'
import { answerEmptyRequest, type LoadRoute } from './model-load'
import { showVirtual } from './virtual-show'

/** Virtual models listed beside the real ones. */
export const VIRTUAL_MODELS = [
  { name: 'auto', description: 'route by task' },
  { name: 'auto:fast', description: 'fastest adequate model' },
  { name: 'auto:balanced', description: 'balanced model' },
  { name: 'auto:powerful', description: 'most capable model' },
] as const

/** `details` of the virtual models in /api/tags and /api/show. */
const VIRTUAL_DETAILS = {
  parent_model: '',
  format: 'aillm',
  family: 'aillm',
  families: ['aillm'],
  parameter_size: '',
  quantization_level: '',
}

/** Every model of every usable server, one entry per name (the first server's details). */
export function uniqueModels(core: AppCore): ModelEntry[] {
  const seen = new Map<string, ModelEntry>()
  for (const server of usableServers(core)) {
    for (const m of server.models) if (!seen.has(m.name)) seen.set(m.name, m)
  }
  return [...seen.values()]
}

/** Parses `messages` in Ollama's shape, naming the bad field. */
export function parseMessages(value: unknown, key = 'messages'): ChatMessage[] {
  if (!Array.isArray(value)) throw new ApiError(400, `"${key}" must be an array of messages`)
  return value.map((m, i) => {
    if (!isObject(m)) throw new ApiError(400, `${key}[${i}] must be an object`)
    const role = m['role']
    if (role !== 'system' && role !== 'user' && role !== 'assistant' && role !== 'tool') {
      throw new ApiError(
        400,
        `${key}[${i}].role must be system, user, assistant or tool (got ${JSON.stringify(role)})`,
      )
    }
    const content = m['content'] ?? ''
    if (typeof content !== 'string')
      throw new ApiError(400, `${key}[${i}].content must be a string`)
    const images = m['images']
    const msg: ChatMessage = { role, content }
    if (images !== undefined && images !== null)
      msg.images = checkImages(images, `${key}[${i}].images`)
    if (m['tool_calls'] !== undefined && m['tool_calls'] !== null) {
      msg.tool_calls = parseToolCalls(m['tool_calls'], `${key}[${i}].tool_calls`)
    }
    if (typeof m['tool_name'] === 'string') msg.tool_name = m['tool_name']
    return msg
  })
}

/** Tool calls in Ollama's shape (`{function: {name, arguments: {...}}}`), naming the bad one. */
export function parseToolCalls(value: unknown, where: string): ChatToolCall[] {
  if (!Array.isArray(value)) throw new ApiError(400, `${where} must be an array`)
  return value.map((call, j) => {
    const fn = isObject(call) ? call['function'] : undefined
    if (!isObject(fn) || typeof fn['name'] !== 'string') {
      throw new ApiError(400, `${where}[${j}] must be {"function": {"name", "arguments"}}`)
    }
    const args = fn['arguments'] ?? {}
    if (!isObject(args))
      throw new ApiError(400, `${where}[${j}].function.arguments must be an object`)
    return { function: { name: fn['name'], arguments: args } }
  })
}

/** The generation options an Ollama request may carry, passed through unchanged. */
function passThrough(
  body: Record<string, unknown>,
): Omit<ExecuteOptions, 'signal' | 'onToken' | 'onSeam'> {
  const out: Omit<ExecuteOptions, 'signal' | 'onToken' | 'onSeam'> = {}
  const options = optional(body, 'options', isObject, 'an object')
  if (options) {
    checkOllamaOptions(options)
    out.options = options as Partial<OllamaOptions>
  }
  const format = body['format']
  checkFormat(format)
  if ((typeof format === 'string' && format !== '') || isObject(format)) out.format = format
  const keepAlive = optional(body, 'keep_alive', isKeepAlive, 'a number or a duration string')
  if (keepAlive !== undefined) out.keepAlive = keepAlive
  const think = body['think']
  checkThink(think)
  if (typeof think === 'boolean' || think === 'low' || think === 'medium' || think === 'high') {
    out.think = think
  }
  const tools = body['tools']
  if (tools !== undefined && tools !== null) {
    if (!Array.isArray(tools) || !tools.every(isObject)) {
      throw new ApiError(400, '"tools" must be an array of tool objects')
    }
    if (tools.length > 0) out.tools = tools as unknown as NonNullable<ExecuteOptions['tools']>
  }
  return out
}

function ns(ms: number): number {
  return Math.round(ms * 1e6)
}

/** Handles the Ollama routes; returns false when the path is not one of them. */
export async function handleOllamaRoute(
  core: AppCore,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  abort: AbortController,
  limits: Pick<EdgeLimits, 'maxCollectedChars'> = EDGE_LIMITS,
): Promise<boolean> {
  const method = req.method ?? 'GET'
  const route = `${method} ${path}`
  switch (route) {
    case 'GET /':
    case 'HEAD /':
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' })
      res.end(method === 'HEAD' ? undefined : 'Ollama is running')
      return true
    case 'GET /api/version':
    case 'HEAD /api/version': {
      const versions = usableServers(core)
        .map((s) => s.version)
        .filter((v): v is string => v !== null)
        .sort(compareVersions)
      sendJson(res, 200, { version: versions[0] ?? '0.12.3' })
      return true
    }
    case 'GET /api/tags':
    case 'HEAD /api/tags':
      sendJson(res, 200, { models: tagsList(core) })
      return true
    case 'GET /api/ps':
      sendJson(res, 200, { models: await psList(core) })
      return true
    case 'POST /api/show':
      sendJson(res, 200, await show(core, await readJsonBody(req)))
      return true
    case 'POST /api/chat':
      await chat(core, req, res, abort, limits.maxCollectedChars)
      return true
    case 'POST /api/generate':
      await generate(core, req, res, abort, limits.maxCollectedChars)
      return true
    default:
      return false
  }
}

/** Compares dotted versions numerically. */
function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0)
  const pb = b.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0)
    if (d !== 0) return d
  }
  return 0
}

function tagsList(core: AppCore) {
  const now = new Date().toISOString()
  const virtual = VIRTUAL_MODELS.map((v) => ({
    name: v.name,
    model: v.name,
    modified_at: now,
    size: 0,
    digest: '',
    details: VIRTUAL_DETAILS,
  }))
  const real = uniqueModels(core).map((m) => ({
    name: m.name,
    model: m.name,
    modified_at: now,
    size: m.sizeBytes,
    digest: '',
    details: {
      parent_model: '',
      format: 'gguf',
      family: m.family,
      families: [m.family],
      parameter_size: m.parameterSize,
      quantization_level: m.quantization,
    },
    ...(m.capabilities.length ? { capabilities: m.capabilities } : {}),
  }))
  return [...virtual, ...real]
}

async function psList(core: AppCore) {
  const lists = await Promise.all(
    usableServers(core).map(async (s) => {
      try {
        const ps = await clientFor(s.dialUrl ?? s.url).ps()
        return ps.models.map((m) => ({ ...m, aillm_server: s.name }))
      } catch {
        return []
      }
    }),
  )
  return lists.flat()
}

async function show(core: AppCore, body: Record<string, unknown>) {
  const model = isString(body['model']) ? body['model'] : requireString(body, 'name')
  const virtual = VIRTUAL_MODELS.find((v) => v.name === model)
  if (virtual) return showVirtual(core, virtual, VIRTUAL_DETAILS)
  const server = serverWithModel(core, model)
  if (!server) throw new ApiError(404, `model '${model}' not found`)
  try {
    return await clientFor(server.dialUrl ?? server.url).show({ model })
  } catch (err) {
    throw proxiedError(err, server)
  }
}

async function chat(
  core: AppCore,
  req: IncomingMessage,
  res: ServerResponse,
  abort: AbortController,
  maxChars: number,
): Promise<void> {
  const body = await readJsonBody(req)
  const model = requireString(body, 'model')
  const messages = parseMessages(body['messages'] ?? [])
  const stream = optional(body, 'stream', isBool, 'true or false') ?? true
  const piece = (content: string, part: PiecePart = {}) => {
    const calls = part.toolCalls ?? part.result?.toolCalls ?? []
    return {
      message: {
        role: 'assistant',
        content,
        ...(part.thinking ? { thinking: part.thinking } : {}),
        ...(calls.length ? { tool_calls: calls } : {}),
      },
    }
  }
  await answer(core, res, abort, {
    model,
    messages,
    stream,
    extra: passThrough(body),
    route: 'chat',
    piece,
    maxChars,
  })
}

async function generate(
  core: AppCore,
  req: IncomingMessage,
  res: ServerResponse,
  abort: AbortController,
  maxChars: number,
): Promise<void> {
  const body = await readJsonBody(req)
  const plan = planGenerate(core, res, body, passThrough(body))
  await answer(core, res, abort, { ...plan, route: 'generate', maxChars })
}

/**
 * One routed answer in Ollama's shape, streamed as NDJSON or as one object. `piece` is the part that differs
 * between /api/chat (`message`) and /api/generate (`response`).
 */
async function answer(
  core: AppCore,
  res: ServerResponse,
  abort: AbortController,
  req: {
    model: string
    messages: ChatMessage[]
    stream: boolean
    extra: ExecuteOptions
    /** Which route asked: an empty request is answered (and sent upstream) in its shape. */
    route: LoadRoute
    /** Routed already (generate routes itself: insert, a context's pair); else routed here. */
    decision?: RoutingDecision | null
    /** The answer's text (or thinking, or tool calls) in this route's shape. */
    piece: (text: string, part?: PiecePart) => Record<string, unknown>
    /** The most characters a `stream: false` answer may have. */
    maxChars: number
    /** A context's pair failed before answering: the request afresh without it (generate-face). */
    unpinned?: GeneratePlan['unpinned']
  },
): Promise<void> {
  const { model, messages, stream, extra, piece, maxChars } = req
  const createdAt = () => new Date().toISOString()
  if (messages.length === 0) {
    // Ollama: an empty request loads the model (keep_alive 0: unloads it).
    await answerEmptyRequest(core, res, abort, { route: req.route, model, extra })
    return
  }
  const decision = req.decision ?? routeOrThrow(core, model, messages, extra)
  const started = performance.now()
  // Not streamed, the thinking comes whole with the answer; streamed, it already went out as it came.
  const final = (r: ChatResult, content: string, thinking?: string) => ({
    model: r.metadata.model,
    created_at: createdAt(),
    ...piece(content, { result: r, thinking }),
    done: true,
    done_reason: r.doneReason ?? 'stop',
    // The backend's counts and durations (summed when the answer was continued elsewhere:
    // metadata.usage_summed); our own time only when the backend gave none.
    ...r.usage,
    total_duration: r.usage.total_duration || ns(performance.now() - started),
    metadata: r.metadata,
  })
  try {
    await answerOnce(decision, extra)
  } catch (err) {
    // A request kept on the pair its context came from, which failed before a byte went out: answered
    // elsewhere without the context (generate-face says so in X-AILLM-Context).
    if (!req.unpinned || res.headersSent || abort.signal.aborted) throw err
    const next = req.unpinned(err instanceof Error ? err.message : String(err))
    await answerOnce(next.decision, next.extra)
  }

  async function answerOnce(decision: RoutingDecision, extra: ExecuteOptions): Promise<void> {
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
        final(result, result.content, result.thinking),
        answerHeaders(decision, result.metadata),
      )
      return
    }
    const line = (o: unknown) => `${JSON.stringify(o)}\n`
    await runStreaming(
      core,
      res,
      decision,
      messages,
      extra,
      {
        contentType: 'application/x-ndjson',
        token: (text, m) =>
          line({ model: m, created_at: createdAt(), ...piece(text), done: false }),
        // Thinking streams as it comes, in the same shape as Ollama's own chunks.
        thinking: (text, m) =>
          line({
            model: m,
            created_at: createdAt(),
            ...piece('', { thinking: text }),
            done: false,
          }),
        // Tool calls went out in their own chunk as they came (as Ollama sends them): not again at the end.
        toolCalls: (calls, m) =>
          line({
            model: m,
            created_at: createdAt(),
            ...piece('', { toolCalls: calls }),
            done: false,
          }),
        done: (r) => line(final({ ...r, toolCalls: [] }, '')),
        error: (message) => line({ error: message }),
      },
      abort,
    )
  }
}

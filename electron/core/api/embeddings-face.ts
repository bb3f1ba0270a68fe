/**
 * Embeddings on both faces: Ollama's `/api/embed` and legacy `/api/embeddings`, OpenAI's `/v1/embeddings`.
 * They go only to embedding models, a whole batch to one server (vectors of one request must come from
 * one model instance to be comparable), failing over to the next server that holds the model when one
 * cannot be reached or fails (5xx); a client's own mistake (4xx) comes back as it is.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Options as OllamaOptions } from 'ollama'
import type { AppCore } from '../app-core'
import type { Priority, ServerView } from '../../../shared/types'
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
import { checkOllamaOptions } from './request-checks'
import { clientFor, modelOn, proxiedError, usableServers } from './upstream'

const PRIORITY_ORDER: Readonly<Record<Priority, number>> = { PRIMARY: 0, SECONDARY: 1, FALLBACK: 2 }

/** The routes of this face, for the 404/405 answers of the local API. */
export const EMBEDDING_PATHS = ['/api/embed', '/api/embeddings', '/v1/embeddings'] as const

/** What one embedding call carries upstream besides the model and the input. */
interface EmbedExtras {
  options?: Partial<OllamaOptions>
  keep_alive?: string | number
  truncate?: boolean
  dimensions?: number
}

const isEmbeddingModel = (server: ServerView, model: string): boolean => {
  const entry = modelOn(server, model)
  return (
    entry !== undefined &&
    (entry.capabilities.includes('embedding') || entry.specialisations.includes('embedding'))
  )
}

/**
 * The servers that may embed with `model`, best first: a closed breaker before an open one, then by
 * priority, then a server that has the model loaded. 404 when no server has the model, 400 when it is
 * not an embedding model (naming the ones that are).
 */
export function embeddingServers(core: AppCore, model: string): ServerView[] {
  const usable = usableServers(core)
  const holding = usable.filter((s) => modelOn(s, model) !== undefined)
  if (holding.length === 0) {
    if (model === 'auto' || model.startsWith('auto:')) {
      throw new ApiError(
        400,
        `embeddings need a named embedding model (${embeddingModelsText(usable)})`,
      )
    }
    throw new ApiError(404, `model '${model}' not found`)
  }
  const able = holding.filter((s) => isEmbeddingModel(s, model))
  if (able.length === 0) {
    throw new ApiError(400, `${model} is not an embedding model (${embeddingModelsText(usable)})`)
  }
  const rank = (s: ServerView): number[] => [
    s.breaker === 'closed' ? 0 : 1,
    PRIORITY_ORDER[s.priority],
    modelOn(s, model)?.loaded ? 0 : 1,
  ]
  return [...able].sort((a, b) => {
    const ra = rank(a)
    const rb = rank(b)
    return ra[0]! - rb[0]! || ra[1]! - rb[1]! || ra[2]! - rb[2]!
  })
}

function embeddingModelsText(servers: ServerView[]): string {
  const names = new Set<string>()
  for (const s of servers) {
    for (const m of s.models) if (isEmbeddingModel(s, m.name)) names.add(m.name)
  }
  return names.size === 0
    ? 'no server here has one'
    : `embedding models here: ${[...names].sort().join(', ')}`
}

/** A failure that says the server, not the request, is at fault: the next server may succeed. */
function isServerFault(err: unknown): boolean {
  const e = err as { name?: string; status_code?: number }
  return !(e.name === 'ResponseError' && typeof e.status_code === 'number' && e.status_code < 500)
}

/** Runs `call` on the best server for `model`, then the next ones while servers are at fault. */
async function onEmbeddingServer<T>(
  core: AppCore,
  model: string,
  call: (server: ServerView, timeoutMs: number) => Promise<T>,
): Promise<T> {
  // An embedding model may have to load first: allow what a cold chat model gets.
  const timeoutMs = core.config().llm.providers.ollama.timeouts.cold_first_token_ms
  let lastError: ApiError | null = null
  for (const server of embeddingServers(core, model)) {
    try {
      return await call(server, timeoutMs)
    } catch (err) {
      lastError = proxiedError(err, server)
      if (!isServerFault(err)) throw lastError
      core.logger.warn(`Embedding with ${model} failed on ${server.name}: ${lastError.message}`)
    }
  }
  throw lastError ?? new ApiError(503, `no server can embed with ${model} right now`)
}

function extrasOf(body: Record<string, unknown>, dimensionsKey = 'dimensions'): EmbedExtras {
  const out: EmbedExtras = {}
  const options = optional(body, 'options', isObject, 'an object')
  if (options) {
    checkOllamaOptions(options)
    out.options = options as Partial<OllamaOptions>
  }
  const keepAlive = optional(body, 'keep_alive', isKeepAlive, 'a number or a duration string')
  if (keepAlive !== undefined) out.keep_alive = keepAlive
  const truncate = optional(body, 'truncate', isBool, 'true or false')
  if (truncate !== undefined) out.truncate = truncate
  const dimensions = body[dimensionsKey]
  if (dimensions !== undefined && dimensions !== null) {
    if (typeof dimensions !== 'number' || !Number.isInteger(dimensions) || dimensions < 1) {
      throw new ApiError(
        400,
        `"${dimensionsKey}" must be a positive integer, got ${JSON.stringify(dimensions)}`,
      )
    }
    out.dimensions = dimensions
  }
  return out
}

function inputOf(body: Record<string, unknown>, key: string): string | string[] {
  const input = body[key]
  if (typeof input === 'string' || (Array.isArray(input) && input.every(isString))) return input
  if (Array.isArray(input) && input.some((v) => typeof v === 'number' || Array.isArray(v))) {
    throw new ApiError(400, `"${key}" as token ids is not supported here; send the text`)
  }
  throw new ApiError(400, `"${key}" must be a string or an array of strings`)
}

/** Ollama's `/api/embed`: `{model, input}` → `{model, embeddings, …counts}`. */
async function embed(core: AppCore, body: Record<string, unknown>) {
  const model = requireString(body, 'model')
  const input = inputOf(body, 'input')
  const extras = extrasOf(body)
  return onEmbeddingServer(core, model, (server, timeoutMs) =>
    clientFor(server.dialUrl ?? server.url, timeoutMs).embed({ model, input, ...extras }),
  )
}

/** Ollama's legacy `/api/embeddings`: `{model, prompt}` → `{embedding}` (not normalised). */
async function embeddings(core: AppCore, body: Record<string, unknown>) {
  const model = requireString(body, 'model')
  const prompt = optional(body, 'prompt', isString, 'a string') ?? ''
  const { options, keep_alive } = extrasOf(body)
  return onEmbeddingServer(core, model, (server, timeoutMs) =>
    clientFor(server.dialUrl ?? server.url, timeoutMs).embeddings({
      model,
      prompt,
      ...(options ? { options } : {}),
      ...(keep_alive !== undefined ? { keep_alive } : {}),
    }),
  )
}

/** A vector as OpenAI's `encoding_format: "base64"` sends it: little-endian float32, base64. */
export function float32Base64(vector: readonly number[]): string {
  const bytes = Buffer.alloc(vector.length * 4)
  vector.forEach((v, i) => bytes.writeFloatLE(v, i * 4))
  return bytes.toString('base64')
}

/** OpenAI's `/v1/embeddings`: `{model, input, encoding_format?, dimensions?}` → a list of embeddings. */
async function openAiEmbeddings(core: AppCore, body: Record<string, unknown>) {
  const model = requireString(body, 'model')
  const input = inputOf(body, 'input')
  if (input === '' || (Array.isArray(input) && input.length === 0)) {
    throw new ApiError(400, '"input" must not be empty')
  }
  const format = body['encoding_format'] ?? 'float'
  if (format !== 'float' && format !== 'base64') {
    throw new ApiError(
      400,
      `"encoding_format" must be "float" or "base64", got ${JSON.stringify(format)}`,
    )
  }
  const { dimensions } = extrasOf({ dimensions: body['dimensions'] })
  const r = await onEmbeddingServer(core, model, (server, timeoutMs) =>
    clientFor(server.dialUrl ?? server.url, timeoutMs).embed({
      model,
      input,
      ...(dimensions !== undefined ? { dimensions } : {}),
    }),
  )
  const tokens = r.prompt_eval_count ?? 0
  return {
    object: 'list',
    data: r.embeddings.map((embedding, index) => ({
      object: 'embedding',
      embedding: format === 'base64' ? float32Base64(embedding) : embedding,
      index,
    })),
    model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  }
}

/** Handles the embedding routes; returns false when the path is not one of them. */
export async function handleEmbeddingsRoute(
  core: AppCore,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<boolean> {
  if (req.method !== 'POST') return false
  switch (path) {
    case '/api/embed':
      sendJson(res, 200, await embed(core, await readJsonBody(req)))
      return true
    case '/api/embeddings':
      sendJson(res, 200, await embeddings(core, await readJsonBody(req)))
      return true
    case '/v1/embeddings':
      sendJson(res, 200, await openAiEmbeddings(core, await readJsonBody(req)))
      return true
    default:
      return false
  }
}

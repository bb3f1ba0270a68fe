/**
 * The embedding routes, after server/routes.go `EmbedHandler` and `EmbeddingsHandler` and
 * middleware/openai.go `EmbeddingsMiddleware`: POST /api/embed, the legacy POST /api/embeddings
 * and the OpenAI-shaped POST /v1/embeddings.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ResolvedModel } from './model-catalog'
import { readOptions, type RequestOptions } from './request-options'
import { embeddingFor } from './reply-text'
import {
  ctxDefaults,
  errorText,
  fail,
  isRecord,
  isWedged,
  keepAliveOf,
  lease,
  loadNsOf,
  MESSAGES,
  preambleFault,
  RequestError,
  tokenCount,
  unauthorized,
  type SimContext,
} from './serving'
import type { KeepAlive } from './keep-alive'
import type { SimRequestRecord } from './types'
import { abortOnClose, isAbort, JSON_TYPE, readJsonBody, sendJson, waitForAbort } from './wire'

/** Which of the three routes: they differ in their request, answer and error shapes. */
type EmbedRoute = 'embed' | 'embeddings' | 'openai'

/** An embedding request after validation. */
interface EmbedJob {
  route: EmbedRoute
  model: ResolvedModel
  requested: string
  texts: string[]
  keepAlive: KeepAlive | null
  options: RequestOptions
  /** false = refuse an input longer than the context instead of cutting it. */
  truncate: boolean
  /** Keep this many leading dimensions (renormalized); 0 = all. */
  dimensions: number
  encoding: 'float' | 'base64'
}

/** Go's json error for a field of the wrong type. */
function typeError(struct: string, field: string, value: unknown, goType: string): RequestError {
  const got = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value
  const kind = got === 'object' ? 'object' : got === 'boolean' ? 'bool' : got
  return new RequestError(
    400,
    `json: cannot unmarshal ${kind} into Go struct field ${struct}.${field} of type ${goType}`,
  )
}

/** Reads `input` as /api/embed does: a string or a list of strings; "" = nothing. */
function embedInput(input: unknown): string[] {
  if (input === undefined || input === null) return []
  if (typeof input === 'string') return input === '' ? [] : [input]
  if (Array.isArray(input) && input.every((i) => typeof i === 'string')) return input as string[]
  throw new RequestError(400, 'invalid input type')
}

function parseEmbedJob(ctx: SimContext, route: EmbedRoute, v: Record<string, unknown>): EmbedJob {
  const requested = v['model']
  if (typeof requested !== 'string' || requested === '') {
    throw new RequestError(400, MESSAGES.modelRequired)
  }
  let texts: string[]
  let encoding: EmbedJob['encoding'] = 'float'
  if (route === 'embeddings') {
    const prompt = v['prompt'] ?? ''
    if (typeof prompt !== 'string') throw typeError('EmbeddingRequest', 'prompt', prompt, 'string')
    texts = prompt === '' ? [] : [prompt]
  } else if (route === 'openai') {
    const format = v['encoding_format'] ?? ''
    if (typeof format !== 'string')
      throw typeError('EmbedRequest', 'encoding_format', format, 'string')
    if (format !== '' && !['float', 'base64'].includes(format.toLowerCase())) {
      throw new RequestError(
        400,
        `Invalid value for 'encoding_format' = ${format}. Supported values: ['float', 'base64'].`,
      )
    }
    if (format.toLowerCase() === 'base64') encoding = 'base64'
    const input = v['input'] === '' ? [''] : v['input']
    if (input === undefined || input === null || (Array.isArray(input) && input.length === 0)) {
      throw new RequestError(400, 'invalid input')
    }
    // Token arrays are not taken: /api/embed only reads strings.
    if (typeof input === 'string') texts = [input]
    else if (Array.isArray(input) && input.every((i) => typeof i === 'string')) texts = input
    else throw new RequestError(400, 'invalid input type')
  } else {
    texts = embedInput(v['input'])
  }
  const model = ctx.findModel(requested)
  if (!model) {
    // getModel fails inside handleScheduleError's os.ErrNotExist case on all three routes.
    throw new RequestError(404, `model "${requested}" not found, try pulling it first`)
  }
  const dimensions = v['dimensions'] ?? 0
  if (typeof dimensions !== 'number' || !Number.isInteger(dimensions)) {
    throw typeError('EmbedRequest', 'dimensions', dimensions, 'int')
  }
  const truncate = v['truncate'] ?? true
  if (typeof truncate !== 'boolean') throw typeError('EmbedRequest', 'truncate', truncate, 'bool')
  const keepAlive = keepAliveOf(v['keep_alive'])
  if (!keepAlive.ok) throw new RequestError(400, keepAlive.error)
  const options = readOptions(isRecord(v['options']) ? v['options'] : {}, ctxDefaults(ctx, model))
  if (!options.ok) throw new RequestError(500, options.error)
  return {
    route,
    model,
    requested,
    texts,
    keepAlive: keepAlive.value,
    options: options.value,
    truncate: route === 'embeddings' ? true : truncate,
    dimensions: route === 'embeddings' ? 0 : dimensions,
    encoding,
  }
}

/** The first `n` values of a unit vector, renormalized (Ollama's `dimensions`). */
function shorten(vector: number[], n: number): number[] {
  if (n <= 0 || n >= vector.length) return vector
  const head = vector.slice(0, n)
  const norm = Math.hypot(...head) || 1
  return head.map((x) => Number((x / norm).toFixed(7)))
}

/** A vector as OpenAI's base64: little-endian float32 bytes. */
function base64Floats(vector: number[]): string {
  const view = new DataView(new ArrayBuffer(vector.length * 4))
  vector.forEach((x, i) => view.setFloat32(i * 4, x, true))
  return Buffer.from(view.buffer).toString('base64')
}

/**
 * The legacy route returns the runner's raw vector, not normalized (EmbeddingsHandler skips
 * `normalize`): the unit vector scaled by a length that depends on the text.
 */
function rawVector(unit: number[], seed: string): number[] {
  let h = 0
  for (const ch of seed) h = (h * 31 + ch.charCodeAt(0)) >>> 0
  const length = 8 + (h % 1700) / 100
  return unit.map((x) => Number((x * length).toFixed(6)))
}

function answer(job: EmbedJob, vectors: number[][], promptTokens: number, loadNs: number) {
  if (job.route === 'embeddings') {
    const [first] = vectors
    return { embedding: first ? rawVector(first, `${job.model.name}|${job.texts[0]}`) : [] }
  }
  if (job.route === 'openai') {
    return {
      object: 'list',
      data: vectors.map((vector, index) => ({
        object: 'embedding',
        embedding: job.encoding === 'base64' ? base64Floats(vector) : vector,
        index,
      })),
      model: job.requested,
      usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
    }
  }
  return {
    model: job.requested,
    embeddings: vectors,
    total_duration: loadNs + promptTokens * 200_000,
    load_duration: loadNs,
    prompt_eval_count: promptTokens,
  }
}

/** Serves one request of an embedding route. */
export async function embedding(
  ctx: SimContext,
  route: EmbedRoute,
  req: IncomingMessage,
  res: ServerResponse,
  record: SimRequestRecord,
): Promise<void> {
  const api = route === 'openai' ? 'openai' : 'chat'
  const signal = abortOnClose(res)
  const body = await readJsonBody(req)
  if (await preambleFault(ctx, res, api, signal)) return
  if (!body.ok) return fail(res, api, 400, body.error)
  if (typeof body.value['model'] === 'string') record.model = body.value['model']
  let job: EmbedJob
  try {
    job = parseEmbedJob(ctx, route, body.value)
  } catch (err) {
    if (err instanceof RequestError) return fail(res, api, err.status, err.message)
    throw err
  }
  if (job.model.remote) return unauthorized(ctx, res, api)
  // Like Ollama, the model is loaded first, also for an empty input (that is how clients load it).
  const granted = await lease(ctx, job.model, job.options.runner, job.keepAlive, signal, () =>
    fail(res, api, 503, MESSAGES.queueFull),
  )
  if (!granted) return
  try {
    if (isWedged(ctx)) await waitForAbort(signal)
    if (job.texts.length === 0) {
      return sendJson(
        res,
        200,
        job.route === 'embeddings' ? { embedding: [] } : answer(job, [], 0, 0),
      )
    }
    const numCtx = job.options.runner.numCtx
    const counts = job.texts.map(tokenCount)
    if (!job.truncate && counts.some((n) => n > numCtx)) {
      return fail(res, api, 400, 'the input length exceeds the context length')
    }
    const promptTokens = counts.reduce((n, c) => n + Math.min(c, numCtx), 0)
    const fault = ctx.fault()
    if (fault.kind === 'drop-after') return void res.socket?.destroy()
    if (fault.kind === 'malformed-chunk') {
      res.writeHead(200, { 'Content-Type': JSON_TYPE })
      return void res.end(`{"model":"${job.requested}","embeddings":[[0.1,`)
    }
    if (fault.kind === 'http-error') return fail(res, api, fault.status, errorText(fault.status))
    if (fault.kind === 'crash') {
      granted.crash()
      return fail(res, api, 500, MESSAGES.modelError)
    }
    const vectors = job.texts.map((t) =>
      shorten(embeddingFor(job.model.name, t, job.model.embeddingLength), job.dimensions),
    )
    sendJson(res, 200, answer(job, vectors, promptTokens, loadNsOf(granted)))
  } catch (err) {
    if (!isAbort(err)) throw err
  } finally {
    granted.release()
  }
}

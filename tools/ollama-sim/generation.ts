/**
 * Generation routes (/api/chat, /api/generate, /v1/chat/completions): schedule the request, then
 * answer at the model's pace — silence for prompt processing, then the pieces — honouring the
 * faults that strike mid-answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { performance } from 'node:perf_hooks'
import { frames, isOpenAi, type Api, type Frames, type Piece, type Stats } from './frames'
import { parseGeneration, type Generation } from './generation-request'
import { contextTokens, replyPieces } from './reply-text'
import type { Lease } from './scheduler'
import {
  DEFAULT_REPLY_WORDS,
  errorText,
  fail,
  isWedged,
  lease,
  loadNsOf,
  MESSAGES,
  preambleFault,
  RequestError,
  timeScale,
  tokenCount,
  unauthorized,
  type SimContext,
} from './serving'
import { structuredText, textPieces } from './structured'
import type { SimRequestRecord } from './types'
import {
  abortOnClose,
  isAbort,
  JSON_TYPE,
  NDJSON_TYPE,
  readJsonBody,
  sendJson,
  sleep,
  SSE_TYPE,
  waitForAbort,
  writeFrame,
} from './wire'

/** Prompt processing is this many times faster than generation unless a fleet says otherwise. */
const PROMPT_SPEEDUP = 20

/** Serves one generation request of this API. */
export async function generation(
  ctx: SimContext,
  api: Api,
  req: IncomingMessage,
  res: ServerResponse,
  record: SimRequestRecord,
): Promise<void> {
  const signal = abortOnClose(res)
  const body = await readJsonBody(req)
  if (await preambleFault(ctx, res, api, signal)) return
  if (!body.ok) return fail(res, api, 400, body.error)
  if (typeof body.value['model'] === 'string') record.model = body.value['model']
  let g: Generation
  try {
    g = parseGeneration(ctx, api, body.value)
  } catch (err) {
    if (err instanceof RequestError) return fail(res, api, err.status, err.message)
    throw err
  }
  if (g.model.remote) return unauthorized(ctx, res, api)
  // GenerateHandler / ChatHandler: an empty request with keep_alive 0 expires the runner at once.
  if (g.unload) {
    ctx.scheduler.unloadSoon(g.model.name)
    return sendJson(res, 200, loadOnlyAnswer(g, 'unload'))
  }
  const granted = await lease(ctx, g.model, g.options.runner, g.keepAlive, signal, () =>
    fail(res, api, 503, MESSAGES.queueFull),
  )
  if (!granted) return
  try {
    // A wedged runner never starts: no token, no error, until the client gives up.
    if (isWedged(ctx)) await waitForAbort(signal)
    // An empty request answers once its model is loaded (scheduleRunner returned).
    if (g.loadOnly) {
      if (g.api !== 'completions') return sendJson(res, 200, loadOnlyAnswer(g, 'load'))
      const format = framesFor(g, null)
      if (!g.stream) return sendJson(res, 200, format.whole(wholeOf([], 'load', null)))
      await writeFrame(res, SSE_TYPE, format.final('load', NO_STATS))
      return void res.end()
    }
    if (g.promptTokens > g.options.runner.numCtx) {
      return fail(res, api, 400, MESSAGES.promptTooLong)
    }
    await emit(ctx, res, g, granted, signal)
  } catch (err) {
    if (!isAbort(err)) throw err
  } finally {
    granted.release()
  }
}

/** Metrics of an answer that generated nothing. */
const NO_STATS: Stats = {
  total_duration: 0,
  load_duration: 0,
  prompt_eval_count: 0,
  prompt_eval_duration: 0,
  eval_count: 0,
  eval_duration: 0,
}

/** Ollama's random tool-call id (routes.go `toolCallId`): `call_` and 8 of [a-z0-9]. */
function toolCallId(): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz0123456789'
  let id = ''
  for (let i = 0; i < 8; i++) id += letters[Math.floor(Math.random() * letters.length)] ?? 'x'
  return `call_${id}`
}

/** The renderer of this answer; /v1 ids are Ollama's `chatcmpl-<n>` / `cmpl-<n>` (n < 999). */
function framesFor(g: Generation, context: number[] | null): Frames {
  const n = Math.floor(Math.random() * 999)
  const id = g.api === 'completions' ? `cmpl-${n}` : `chatcmpl-${n}`
  return frames(g.api, g.requested, id, { includeUsage: g.includeUsage, context })
}

function loadOnlyAnswer(g: Generation, reason: 'load' | 'unload'): unknown {
  const head = { model: g.requested, created_at: new Date().toISOString() }
  if (g.api === 'generate') return { ...head, response: '', done: true, done_reason: reason }
  return { ...head, message: { role: 'assistant', content: '' }, done_reason: reason, done: true }
}

/** The pieces of the answer, in order: thinking, then a tool call, JSON or text. */
function plan(ctx: SimContext, g: Generation): Piece[] {
  const words = ctx.opts.replyWords ?? DEFAULT_REPLY_WORDS
  const reply = replyPieces(g.model.name, ctx.name, g.prompt, words)
  const pieces: Piece[] = g.think
    ? replyPieces(g.model.name, ctx.name, `thinking ${g.prompt}`, 6)
        .slice(1)
        .map((text) => ({ kind: 'thinking', text }))
    : []
  if (g.toolCall) {
    const tokens = tokenCount(JSON.stringify(g.toolCall.function))
    // Every call gets a fresh id, as Ollama's parser output does.
    pieces.push({ kind: 'tool', call: { ...g.toolCall, id: toolCallId() }, tokens })
  } else if (g.format.kind !== 'text') {
    const json = structuredText(g.format, reply.join(''))
    for (const text of textPieces(json)) pieces.push({ kind: 'content', text })
  } else {
    for (const text of reply) pieces.push({ kind: 'content', text })
  }
  return pieces
}

/**
 * Answers at the model's pace: prompt processing first (no bytes), then the pieces, streamed or
 * whole, honouring mid-answer faults.
 */
async function emit(
  ctx: SimContext,
  res: ServerResponse,
  g: Generation,
  granted: Lease,
  signal: AbortSignal,
): Promise<void> {
  let pieces = plan(ctx, g)
  let doneReason = g.toolCall && g.api === 'openai' ? 'tool_calls' : 'stop'
  const limit = g.options.numPredict
  if (limit !== null && limit < pieces.length) {
    pieces = pieces.slice(0, limit)
    doneReason = 'length'
  }
  const tokensOf = (p: Piece): number => (p.kind === 'tool' ? p.tokens : 1)
  const tps = ctx.opts.tokensPerSecond ?? g.model.tokensPerSecond
  const promptTps =
    ctx.opts.promptTokensPerSecond ?? g.model.promptTokensPerSecond ?? tps * PROMPT_SPEEDUP
  const loadNs = loadNsOf(granted)
  const promptEvalNs = Math.round((g.promptTokens / promptTps) * 1e9)
  const evalCount = pieces.reduce((n, p) => n + tokensOf(p), 0)
  const evalNs = Math.round((evalCount / tps) * 1e9)
  const stats: Stats = {
    total_duration: loadNs + promptEvalNs + evalNs + 1_000_000,
    load_duration: loadNs,
    prompt_eval_count: g.promptTokens,
    prompt_eval_duration: promptEvalNs,
    eval_count: evalCount,
    eval_duration: evalNs,
  }
  // A non-raw generate answer carries the token ids of prompt and answer (routes.go: Tokenize of
  // prompt + response); a context given in comes first, as its detokenized text led the prompt.
  const context =
    g.api === 'generate' && !g.raw
      ? [
          ...g.context,
          ...contextTokens(
            `${g.model.name}|${ctx.name}|${g.prompt}`,
            Math.max(0, g.promptTokens - g.imageTokens - g.context.length) + evalCount,
          ),
        ]
      : null
  const format = framesFor(g, context)
  const contentType = isOpenAi(g.api) ? SSE_TYPE : NDJSON_TYPE
  const scale = timeScale(ctx)
  // Prompt processing: the client sees nothing until the first token.
  await sleep((promptEvalNs / 1e6) * scale, signal)
  const perTokenMs = (1000 / tps) * scale
  const started = performance.now()
  let last = started
  let tokens = 0

  for (let i = 0; i <= pieces.length; i++) {
    await ctx.whileFrozen(signal)
    const fault = ctx.fault()
    if (fault.kind === 'crash' && i >= fault.afterChunks) {
      granted.crash()
      if (!g.stream || !res.headersSent) return fail(res, g.api, 500, MESSAGES.modelError)
      await writeFrame(res, contentType, format.crash(MESSAGES.modelError))
      return void res.end()
    }
    if (fault.kind === 'no-done' && i >= fault.afterChunks) {
      if (g.stream) {
        // Headers still go out when no chunk did: a 200 with an empty body.
        if (!res.headersSent) await writeFrame(res, contentType, '')
        return void res.end()
      }
      return sendJson(res, 200, format.whole(wholeOf(pieces.slice(0, i), null, null)))
    }
    const piece = pieces[i]
    if (!piece) break
    if (fault.kind === 'drop-after' && i >= fault.chunks) return drop(res)
    if (fault.kind === 'malformed-chunk' && i >= fault.after) {
      await writeFrame(res, g.stream ? contentType : JSON_TYPE, format.malformed)
      return void res.end()
    }
    if (fault.kind === 'http-error' && fault.afterChunks !== undefined && i >= fault.afterChunks) {
      if (!g.stream || !res.headersSent)
        return fail(res, g.api, fault.status, errorText(fault.status))
      await writeFrame(res, contentType, format.error(fault.status, errorText(fault.status)))
      return void res.end()
    }
    tokens += tokensOf(piece)
    const target =
      fault.kind === 'trickle'
        ? i === 0
          ? last
          : last + fault.msPerChunk
        : started + tokens * perTokenMs
    await sleep(target - performance.now(), signal)
    last = performance.now()
    if (g.stream) await writeFrame(res, contentType, format.piece(piece, i === 0))
  }
  await ctx.whileFrozen(signal)
  if (g.stream) {
    await writeFrame(res, contentType, format.final(doneReason, stats))
    res.end()
    return
  }
  sendJson(res, 200, format.whole(wholeOf(pieces, doneReason, stats)))
}

/** The whole answer made of these pieces. */
function wholeOf(pieces: Piece[], doneReason: string | null, stats: Stats | null) {
  const text = (kind: 'content' | 'thinking'): string =>
    pieces.map((p) => (p.kind === kind ? p.text : '')).join('')
  return {
    content: text('content'),
    thinking: text('thinking'),
    toolCalls: pieces.flatMap((p) => (p.kind === 'tool' ? [p.call] : [])),
    doneReason,
    stats,
  }
}

/** Cuts the connection mid-answer, after the bytes already written reached the socket. */
function drop(res: ServerResponse): void {
  res.socket?.destroy()
  res.destroy()
}

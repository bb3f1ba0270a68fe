/**
 * Shared by the Ollama and OpenAI faces: turns an API request into a routed, executed chat turn, streaming or not.
 * Neither face routes on its own (architecture.md point 5): both go through AppCore.route + AppCore.execute.
 */
import type { ServerResponse } from 'node:http'
import type { AppCore, ChatResult, ExecuteOptions } from '../app-core'
import { decisionHeaders, headerValue } from '../routing/router'
import type {
  ChatMessage,
  ResponseMetadata,
  RoutingDecision,
  RoutingMode,
  RoutingTarget,
} from '../../../shared/types'
import { REASON_CODES } from '../../../shared/types'
import { ApiError } from './http-util'
import { ChatFailedError, ChatRequestError } from '../chat'
import { CLOSE_AFTER_ANSWER_MS, EDGE_LIMITS } from './edge-limits'
import { pacedWriter } from './paced-writer'

/**
 * The X-AILLM-* headers. They name who really answers: after a non-streamed answer its metadata, on a
 * stream the pair that delivers the first text (sent with it, as Ollama sends its headers).
 */
export function answerHeaders(
  decision: RoutingDecision,
  actual?: ResponseMetadata | RoutingTarget,
): Record<string, string> {
  const headers = decisionHeaders(decision)
  if (actual && 'server_name' in actual) {
    headers['X-AILLM-Model'] = headerValue(actual.model)
    headers['X-AILLM-Server'] = headerValue(actual.server_name)
    headers['X-AILLM-Fallback'] = actual.fallback ? 'true' : 'false'
  } else if (actual) {
    const planned = decision.chosen
    const moved = planned?.serverId !== actual.serverId || planned?.model !== actual.model
    headers['X-AILLM-Model'] = headerValue(actual.model)
    headers['X-AILLM-Server'] = headerValue(actual.serverName)
    headers['X-AILLM-Fallback'] = moved || decision.fallback ? 'true' : 'false'
  }
  return headers
}

/**
 * Routes a request for `model` (a tag, `auto`, `auto:<tier>`): 404 for an unknown model, 400 when the
 * request carries tools and no model that takes them fits, 503 when nothing is up.
 */
export function routeOrThrow(
  core: AppCore,
  model: string,
  messages: ChatMessage[],
  needs: Pick<ExecuteOptions, 'tools' | 'think' | 'options'> & {
    /** Fill-in-the-middle (/api/generate `suffix`): only models with `insert`. */
    insert?: boolean
    /** Route as this mode instead of the global one (a `context` pinned to the pair that made it). */
    mode?: RoutingMode
  } = {},
): RoutingDecision {
  const needsTools = needs.tools !== undefined
  const needsThinking = needs.think !== undefined && needs.think !== false
  const numCtx = needs.options?.num_ctx
  const decision = core.route({
    messages,
    requestedModel: model,
    needsTools,
    needsThinking,
    ...(needs.insert ? { needsInsert: true } : {}),
    ...(needs.mode ? { mode: needs.mode } : {}),
    ...(typeof numCtx === 'number' ? { numCtx } : {}),
  })
  if (decision.chosen) return decision
  if (decision.reasons.includes(REASON_CODES.MODEL_NOT_FOUND)) {
    throw new ApiError(404, `model "${model}" not found, try pulling it first`)
  }
  for (const [code, feature] of [
    [REASON_CODES.NO_TOOL_SUPPORT, 'tools'],
    [REASON_CODES.NO_THINKING_SUPPORT, 'thinking'],
    [REASON_CODES.NO_INSERT_SUPPORT, 'insert'],
    [REASON_CODES.NO_VISION_SUPPORT, 'vision'],
  ] as const) {
    if (decision.candidates.some((c) => c.excludedBy === code)) {
      throw new ApiError(
        400,
        model.startsWith('auto')
          ? `the request asks for ${feature}, and no available model supports ${feature}`
          : `${model} does not support ${feature}`,
      )
    }
  }
  throw new ApiError(
    503,
    `no server can answer model "${model}" right now (${decision.reasons.join(', ') || 'no candidates'})`,
  )
}

/**
 * Runs a decision for a non-streaming answer. The text includes the seam notes, so an answer continued on
 * another server shows where, as a streamed one does. An answer (with its reasoning) longer than
 * `maxChars` is cut off: the upstream request is cancelled and the client told why (502).
 */
export async function runCollected(
  core: AppCore,
  decision: RoutingDecision,
  messages: ChatMessage[],
  opts: Omit<ExecuteOptions, 'onToken' | 'onSeam'>,
  maxChars: number = EDGE_LIMITS.maxCollectedChars,
): Promise<ChatResult> {
  let text = ''
  let thinkingChars = 0
  const seams = seamsVisible(opts)
  const cut = new AbortController()
  const signal = opts.signal ? AbortSignal.any([opts.signal, cut.signal]) : cut.signal
  const collected = (): void => {
    if (text.length + thinkingChars > maxChars) cut.abort()
  }
  try {
    const result = await core.execute(decision, messages, {
      ...opts,
      signal,
      onToken: (t) => {
        text += t
        collected()
      },
      onThinking: (t) => {
        thinkingChars += t.length
        collected()
        return opts.onThinking?.(t)
      },
      onSeam: (note) => {
        if (seams) text += `\n\n${note}\n\n`
      },
      // A structured answer that broke starts over elsewhere: only the new one is the answer.
      onRestart: () => (text = ''),
    })
    return { ...result, content: text }
  } catch (err) {
    if (cut.signal.aborted && !opts.signal?.aborted) {
      throw new ApiError(
        502,
        `the answer grew past ${maxChars} characters, the most AILLM collects for "stream": false; ` +
          'its generation was stopped. Ask with "stream": true for longer answers, or limit the length ' +
          '(options.num_predict, max_tokens)',
      )
    }
    throw asApiError(err)
  }
}

/**
 * The seam note goes into the text of free-form answers only: in JSON-mode, tool-using, raw and
 * fill-in-the-middle answers it would break what the client parses (or pastes into its code), so there
 * the continuation shows in `metadata.continued` and the headers.
 */
function seamsVisible(opts: Pick<ExecuteOptions, 'format' | 'tools' | 'generate'>): boolean {
  // A raw or fill-in-the-middle completion is pasted into the client's text (an editor's code) as it is.
  const verbatim = opts.generate?.raw === true || opts.generate?.suffix !== undefined
  return opts.format === undefined && opts.tools === undefined && !verbatim
}

/** A request the server refused (HTTP 400) goes back to the client as such; other failures as 502. */
function asApiError(err: unknown): unknown {
  if (err instanceof ChatRequestError) return new ApiError(err.status, err.message)
  if (err instanceof ChatFailedError) return new ApiError(502, err.message)
  return err
}

/** A running streamed answer: tokens are written by the face as they come; aborted when the client goes away. */
export async function runStreaming(
  core: AppCore,
  res: ServerResponse,
  decision: RoutingDecision,
  messages: ChatMessage[],
  opts: Omit<ExecuteOptions, 'signal' | 'onToken' | 'onSeam'>,
  face: {
    contentType: string
    /** One piece of answer text from `model` (the model that really answers it). */
    token(text: string, model: string): string
    /** One piece of a thinking model's reasoning, streamed as it comes. */
    thinking(text: string, model: string): string
    /** Tool calls, streamed as they come (each once); the final result still lists them all. */
    toolCalls?(calls: ChatResult['toolCalls'], model: string): string
    done(result: ChatResult): string
    error(message: string): string
  },
  abort: AbortController,
): Promise<void> {
  // Who delivers now: the planned pair until the executor names another one.
  let actual: RoutingTarget | null = decision.chosen
  const start = () => {
    if (!res.headersSent) {
      res.writeHead(200, {
        'Content-Type': face.contentType,
        'Cache-Control': 'no-cache',
        ...answerHeaders(decision, actual ?? undefined),
      })
    }
  }
  const model = (): string => actual?.model ?? ''
  res.on('close', () => {
    if (!res.writableFinished) abort.abort()
  })
  // A client that stops reading holds the upstream stream; one that stops for the stall limit loses it.
  const stallMs = core.config().llm.providers.ollama.timeouts.stall_ms
  const out = pacedWriter(res, stallMs, () => abort.abort())
  try {
    const result = await core.execute(decision, messages, {
      ...opts,
      signal: abort.signal,
      onTarget: (target) => (actual = target),
      onThinking: (text) => {
        start()
        return out.write(face.thinking(text, model()))
      },
      onToken: (text) => {
        start()
        return out.write(face.token(text, model()))
      },
      onToolCalls: (calls) => {
        if (!face.toolCalls) return undefined
        start()
        return out.write(face.toolCalls(calls, model()))
      },
      onSeam: (note) => {
        if (!seamsVisible(opts)) return
        start()
        void out.write(face.token(`\n\n${note}\n\n`, model()))
      },
    })
    start()
    res.end(face.done(result))
  } catch (err) {
    if (out.stalled) {
      const message = `the client read nothing for ${stallMs} ms (timeouts.stall_ms): the answer was stopped`
      core.logger.warn(`API answer by ${model()}: ${message}`)
      // Said in case it reads again; cut soon either way, its buffer is full.
      res.end(face.error(message))
      setTimeout(() => res.destroy(), CLOSE_AFTER_ANSWER_MS).unref()
      return
    }
    if (abort.signal.aborted) {
      res.destroy()
      return
    }
    const message = (err as Error).message
    if (!res.headersSent) {
      const mapped = asApiError(err)
      throw mapped instanceof ApiError ? mapped : new ApiError(502, message)
    }
    // After streaming started, errors arrive as a last line, as Ollama does.
    res.end(face.error(message))
  }
}

/** What a chunk carries besides its text: thinking, tool calls made as they came, or (on the last) the result. */
export interface PiecePart {
  /** The final chunk's result: its tool calls, and whether it was continued elsewhere (generate's `context`). */
  result?: ChatResult
  thinking?: string | undefined
  toolCalls?: ChatResult['toolCalls']
}

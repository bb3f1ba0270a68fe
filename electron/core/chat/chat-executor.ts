import { Ollama } from 'ollama'
import type { AbortableAsyncIterator, ChatResponse, Message, Options, Tool, ToolCall } from 'ollama'
import { REASON_CODES } from '../../../shared/types'
import type {
  Attempt,
  ChatMessage,
  ReasonCode,
  ResponseMetadata,
  RoutingDecision,
  RoutingTarget,
  TimeoutsConfig,
} from '../../../shared/types'
import type { Logger } from '../logger'
import {
  ChatAttemptError,
  ChatCancelledError,
  ChatFailedError,
  ChatRequestError,
} from './chat-errors'
import { buildResponseMetadata, tokensPerSecondOf } from './response-metadata'
import {
  ConnectTimeoutError,
  MALFORMED_CHUNK_MARK,
  createTimedFetch,
  fetchLimits,
} from './timed-fetch'

/** What the executor reports back to the server registry / circuit breaker. */
export interface ExecutionFeedback {
  requestStarted(serverId: string): void
  requestEnded(serverId: string): void
  recordSuccess(serverId: string, model: string, tokensPerSecond: number | null): void
  recordFailure(serverId: string, error: unknown): void
}

/** Options of one `ChatExecutor.run`; the Ollama request fields are passed through as given. */
export interface ChatRunOptions {
  signal?: AbortSignal
  /** Each piece of answer text as it arrives. */
  onToken?(text: string): void
  /** A visible note where an interrupted answer continues on another target. */
  onSeam?(note: string): void
  options?: Partial<Options>
  format?: string | object
  keepAlive?: string | number
  think?: boolean | 'high' | 'medium' | 'low'
  tools?: Tool[]
}

/** A finished answer. `content` is the whole text the caller received (seam notes excluded). */
export interface ChatRunResult {
  content: string
  metadata: ResponseMetadata
  /** Reasoning text of thinking models (not passed to `onToken`). */
  thinking: string
  toolCalls: ToolCall[]
  /** Ollama's `done_reason` of the final chunk (`stop`, `length`, …), null when absent. */
  doneReason: string | null
}

/** Options of the executor. */
export interface ChatExecutorOptions {
  feedback: ExecutionFeedback
  timeouts: () => TimeoutsConfig
  logger: Logger
}

/** Sent after the partial answer so the next model picks up mid-sentence instead of starting over. */
export const CONTINUE_INSTRUCTION =
  'Your previous answer was cut off. Continue it exactly where it stopped: do not repeat anything, do not add a preamble.'

/** Failures that say the server itself is unusable right now, not just this model. */
const SERVER_WIDE_FAILURES: ReadonlySet<ReasonCode> = new Set<ReasonCode>([
  REASON_CODES.CONNECT_FAILED,
  REASON_CODES.CONNECT_TIMEOUT,
  REASON_CODES.FIRST_TOKEN_TIMEOUT,
  REASON_CODES.STALL_TIMEOUT,
  REASON_CODES.STREAM_DROPPED,
])

/** The seam note shown where an answer continues on another target. */
export function seamNote(
  failedServer: string,
  reason: ReasonCode,
  next: Pick<RoutingTarget, 'model' | 'serverName'>,
): string {
  return `— answer interrupted on ${failedServer} (${reason}); continuing on ${next.model} @ ${next.serverName} —`
}

/** Why our own controller aborted an attempt. */
type AbortCause =
  { kind: 'first-token'; ms: number } | { kind: 'stall'; ms: number } | { kind: 'cancelled' }

/**
 * The abort reason of an attempt's requests. Not named `AbortError` on purpose: that name says "the
 * caller cancelled" to describeFailure, and the registry would then ignore a hung or stalled server.
 */
class AttemptAbort extends Error {
  constructor(readonly why: AbortCause) {
    // Stryker disable next-line StringLiteral: debugging text only; classify() reads `why`, and describeFailure reads the ChatAttemptError's own message
    super(`attempt aborted: ${why.kind}`)
  }
}

type AttemptResult =
  | {
      kind: 'ok'
      text: string
      thinking: string
      toolCalls: ToolCall[]
      final: ChatResponse | null
    }
  | { kind: 'failed'; text: string; error: ChatAttemptError }
  | { kind: 'cancelled'; text: string }

/**
 * Streams one answer along a routing decision's chain through the official `ollama` client, with
 * connect / first-token / stall timeouts, failover before the first token and a visible,
 * context-carrying continuation after it (style.md point 8: never a silent retry once text was sent).
 */
export class ChatExecutor {
  private readonly clients = new Map<string, Ollama>()
  private readonly fetch = createTimedFetch()

  constructor(private readonly opts: ChatExecutorOptions) {}

  /** Answers `messages` along `decision.chain`; rejects with ChatFailedError or ChatCancelledError. */
  async run(
    decision: RoutingDecision,
    messages: ChatMessage[],
    opts: ChatRunOptions = {},
  ): Promise<ChatRunResult> {
    const attempts: Attempt[] = []
    let streamed = ''
    let interruption: { serverName: string; reason: ReasonCode } | null = null
    if (opts.signal?.aborted) throw new ChatCancelledError(attempts)
    // Servers that failed as a whole (unreachable, hung, dropped) in this run: their other models are
    // skipped, so a dead box costs one timeout, not one per model in the chain.
    const deadServers = new Set<string>()
    const usable = (t: RoutingTarget): boolean => !deadServers.has(t.serverId)

    for (const [index, target] of decision.chain.entries()) {
      if (!usable(target)) continue
      const requestMessages: Message[] = messages.map(toOllamaMessage)
      if (streamed !== '') {
        requestMessages.push({ role: 'assistant', content: streamed })
        requestMessages.push({ role: 'user', content: CONTINUE_INSTRUCTION })
      }
      const pendingSeam = interruption
      const started = Date.now()
      this.opts.feedback.requestStarted(target.serverId)
      let result: AttemptResult
      try {
        result = await this.attempt(target, requestMessages, opts, (piece, first) => {
          if (first && pendingSeam)
            opts.onSeam?.(seamNote(pendingSeam.serverName, pendingSeam.reason, target))
          streamed += piece
          opts.onToken?.(piece)
        })
      } finally {
        this.opts.feedback.requestEnded(target.serverId)
      }
      const base = {
        model: target.model,
        serverName: target.serverName,
        serverUrl: target.serverUrl,
        chars: result.text.length,
        ms: Date.now() - started,
      }

      switch (result.kind) {
        case 'ok': {
          attempts.push({ ...base, outcome: 'ok', reason: null, error: null })
          const tps = tokensPerSecondOf(result.final)
          this.opts.feedback.recordSuccess(target.serverId, target.model, tps)
          return {
            content: streamed,
            thinking: result.thinking,
            toolCalls: result.toolCalls,
            doneReason: result.final?.done_reason || null,
            metadata: buildResponseMetadata({
              decision,
              finalTarget: target,
              attempts,
              continued: pendingSeam !== null,
              tokensPerSecond: tps,
            }),
          }
        }
        case 'cancelled':
          attempts.push({
            ...base,
            outcome: 'cancelled',
            reason: REASON_CODES.CANCELLED,
            error: null,
          })
          throw new ChatCancelledError(attempts, streamed)
        case 'failed': {
          const { error } = result
          const interrupted = result.text !== ''
          attempts.push({
            ...base,
            outcome: interrupted ? 'interrupted' : 'failed-before-first-token',
            reason: error.reason,
            error: error.detail,
          })
          // An HTTP status comes before any text, so a refusal is never an interruption.
          const refused = requestRefusal(error)
          if (refused) throw new ChatRequestError(refused.status, refused.message, attempts)
          this.opts.feedback.recordFailure(target.serverId, error)
          if (SERVER_WIDE_FAILURES.has(error.reason)) deadServers.add(target.serverId)
          const next = decision.chain.slice(index + 1).find(usable)
          const then = next ? `; trying ${next.model} @ ${next.serverName}` : ''
          this.opts.logger.warn(
            `Chat ${interrupted ? 'interrupted' : 'failed'} on ${target.model} @ ${target.serverName} (${error.reason}): ${error.detail}${then}`,
          )
          if (interrupted) interruption = { serverName: target.serverName, reason: error.reason }
          break
        }
      }
    }
    throw new ChatFailedError(attempts, streamed)
  }

  /** One try of one target. Expected failures come back as values; nothing escapes but bugs. */
  private async attempt(
    target: RoutingTarget,
    messages: Message[],
    opts: ChatRunOptions,
    deliver: (piece: string, first: boolean) => void,
  ): Promise<AttemptResult> {
    const timeouts = this.opts.timeouts()
    const controller = new AbortController()
    const abort = (cause: AbortCause): void => controller.abort(new AttemptAbort(cause))
    const onCancel = (): void => abort({ kind: 'cancelled' })
    opts.signal?.addEventListener('abort', onCancel)
    if (opts.signal?.aborted) onCancel()

    const firstTokenMs = target.loaded ? timeouts.first_token_ms : timeouts.cold_first_token_ms
    let timer: NodeJS.Timeout = setTimeout(
      () => abort({ kind: 'first-token', ms: firstTokenMs }),
      firstTokenMs,
    )
    const armStall = (): void => {
      clearTimeout(timer)
      timer = setTimeout(() => abort({ kind: 'stall', ms: timeouts.stall_ms }), timeouts.stall_ms)
    }

    let text = ''
    let thinking = ''
    const toolCalls: ToolCall[] = []
    let final: ChatResponse | null = null
    let stream: AbortableAsyncIterator<ChatResponse> | null = null
    let callerFailure: { err: unknown } | null = null
    try {
      // A `*.local` server is dialled at the address the registry resolved and probed.
      const client = this.clientFor(target.dialUrl ?? target.serverUrl)
      const limits = {
        connectMs: timeouts.connect_ms,
        signal: controller.signal,
        validateNdjson: true,
      }
      stream = await fetchLimits.run(limits, () =>
        client.chat({
          model: target.model,
          messages,
          stream: true,
          ...(opts.options !== undefined && { options: opts.options }),
          ...(opts.format !== undefined && { format: opts.format }),
          ...(opts.keepAlive !== undefined && { keep_alive: opts.keepAlive }),
          ...(opts.think !== undefined && { think: opts.think }),
          ...(opts.tools !== undefined && { tools: opts.tools }),
        }),
      )
      for await (const part of stream) {
        const piece = part.message?.content ?? ''
        const thought = part.message?.thinking ?? ''
        const calls = part.message?.tool_calls ?? []
        // Any sign of life ends the first-token wait; from then on only silence counts (stall).
        if (piece !== '' || thought !== '' || calls.length > 0) armStall()
        thinking += thought
        toolCalls.push(...calls)
        if (piece !== '') {
          const first = text === ''
          text += piece
          try {
            deliver(piece, first)
          } catch (err) {
            callerFailure = { err }
            throw err
          }
        }
        // The client ends the stream after the `done` chunk (and throws when none came): the last
        // part is the final one.
        final = part
      }
      return { kind: 'ok', text, thinking, toolCalls, final }
    } catch (err) {
      // The caller's own callback threw: a bug on its side, not a reason to blame the server.
      const failure = callerFailure as { err: unknown } | null
      if (failure) throw failure.err
      const reason: unknown = controller.signal.reason
      if (reason instanceof AttemptAbort && reason.why.kind === 'cancelled') {
        return { kind: 'cancelled', text }
      }
      const cause = reason instanceof AttemptAbort ? reason.why : null
      return { kind: 'failed', text, error: classify(target, err, cause, stream !== null) }
    } finally {
      clearTimeout(timer)
      opts.signal?.removeEventListener('abort', onCancel)
      // Ends the upstream request whatever happened (a no-op when a timeout or cancel already did).
      controller.abort()
    }
  }

  private clientFor(url: string): Ollama {
    let client = this.clients.get(url)
    if (!client) {
      client = new Ollama({ host: url, fetch: this.fetch })
      this.clients.set(url, client)
    }
    return client
  }
}

/** HTTP 400 before any answer: the server says the request itself is wrong (see ChatRequestError). */
function requestRefusal(error: ChatAttemptError): { status: number; message: string } | null {
  const cause = error.cause as { name?: string; status_code?: number; message?: string } | undefined
  if (cause?.name === 'ResponseError' && cause.status_code === 400) {
    return { status: 400, message: cause.message ?? error.detail }
  }
  return null
}

const STREAM_END_WITHOUT_DONE = 'Did not receive done or success response in stream.'

/** Turns whatever one attempt threw into a reason code and a short human detail. */
function classify(
  target: RoutingTarget,
  err: unknown,
  cause: AbortCause | null,
  headersReceived: boolean,
): ChatAttemptError {
  const make = (reason: ReasonCode, detail: string): ChatAttemptError =>
    new ChatAttemptError(target, reason, detail, { cause: err })
  if (cause?.kind === 'first-token') {
    const cold = target.loaded ? '' : ' (model not loaded)'
    return make(REASON_CODES.FIRST_TOKEN_TIMEOUT, `no first token within ${cause.ms} ms${cold}`)
  }
  if (cause?.kind === 'stall') {
    return make(REASON_CODES.STALL_TIMEOUT, `stream stalled for ${cause.ms} ms`)
  }
  const found = findInCauses(err)
  if (found.connectTimeout) {
    return make(REASON_CODES.CONNECT_TIMEOUT, `connect timeout after ${found.connectTimeout.ms} ms`)
  }
  const message = err instanceof Error ? err.message : String(err)
  // The fetch turns a malformed line into an `{"error"}` line starting with the mark (timed-fetch.ts).
  if (message.startsWith(MALFORMED_CHUNK_MARK)) {
    return make(REASON_CODES.MALFORMED_CHUNK, 'malformed chunk in the stream')
  }
  if (err instanceof Error && err.name === 'ResponseError') {
    const status = (err as Error & { status_code?: number }).status_code ?? 0
    if (status === 404) {
      return make(REASON_CODES.MODEL_NOT_FOUND, `model '${target.model}' not found (HTTP 404)`)
    }
    return make(REASON_CODES.UPSTREAM_ERROR, `HTTP ${status}: ${err.message}`)
  }
  if (found.code) {
    if (!headersReceived) {
      const detail =
        found.code === 'ECONNREFUSED' ? 'connection refused' : `connection failed (${found.code})`
      return make(REASON_CODES.CONNECT_FAILED, detail)
    }
    return make(REASON_CODES.STREAM_DROPPED, `connection dropped (${found.code})`)
  }
  if (message === STREAM_END_WITHOUT_DONE || message === 'aborted') {
    return make(REASON_CODES.STREAM_DROPPED, 'stream ended before the answer was done')
  }
  if (!headersReceived) return make(REASON_CODES.CONNECT_FAILED, message)
  // A `{"error": …}` line: Ollama's way to report a failure after streaming started.
  return make(REASON_CODES.UPSTREAM_ERROR, `server error: ${message}`)
}

function findInCauses(err: unknown): {
  connectTimeout: ConnectTimeoutError | null
  code: string | null
} {
  const found = {
    connectTimeout: null as ConnectTimeoutError | null,
    code: null as string | null,
  }
  let current: unknown = err
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current instanceof ConnectTimeoutError) found.connectTimeout ??= current
    const code = (current as Error & { code?: unknown }).code
    if (typeof code === 'string' && found.code === null) found.code = code
    current = current.cause
  }
  return found
}

function toOllamaMessage(m: ChatMessage): Message {
  // A copy: the client rewrites `images` in place.
  return {
    role: m.role,
    content: m.content,
    ...(m.images && { images: [...m.images] }),
    ...(m.tool_calls && { tool_calls: m.tool_calls }),
    ...(m.tool_name !== undefined && { tool_name: m.tool_name }),
  }
}

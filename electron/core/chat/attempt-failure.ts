/**
 * What a failed attempt says about the server (issue 12 point 4): a local exception blames no server, a
 * model-specific refusal moves to another model, a frozen or dropped box skips its other models.
 */
import { REASON_CODES } from '../../../shared/types'
import type { ReasonCode, RoutingTarget } from '../../../shared/types'
import { ChatAttemptError } from './chat-errors'
import { ConnectTimeoutError, MALFORMED_CHUNK_MARK } from './timed-fetch'

/** Why our own controller (or the silence watch) ended an attempt. */
export type AbortCause =
  | { kind: 'first-token'; ms: number; detail: string }
  | { kind: 'stall'; ms: number; detail: string }
  | { kind: 'frozen'; detail: string }
  | { kind: 'offline'; detail: string }
  | { kind: 'cancelled' }

/**
 * The abort reason of an attempt's requests. Not named `AbortError` on purpose: that name says "the
 * caller cancelled" to describeFailure, and the registry would then ignore a hung or stalled server.
 */
export class AttemptAbort extends Error {
  constructor(readonly why: AbortCause) {
    // Stryker disable next-line StringLiteral: debugging text only; classify() reads `why`, and describeFailure reads the ChatAttemptError's own message
    super(`attempt aborted: ${why.kind}`)
  }
}

/**
 * Failures that say the server itself is unusable right now, not just this model: its other models in
 * the chain are skipped. A malformed or `{"error"}` line mid-answer is a broken runner or box as well:
 * two more models on the same box would most likely fail the same way.
 */
export const SERVER_WIDE_FAILURES: ReadonlySet<ReasonCode> = new Set<ReasonCode>([
  REASON_CODES.CONNECT_FAILED,
  REASON_CODES.CONNECT_TIMEOUT,
  REASON_CODES.FIRST_TOKEN_TIMEOUT,
  REASON_CODES.STALL_TIMEOUT,
  REASON_CODES.STREAM_DROPPED,
  REASON_CODES.SERVER_FROZEN,
  REASON_CODES.SERVER_OFFLINE,
])

/** Failures after text was streamed that also mean "leave this box" (see SERVER_WIDE_FAILURES). */
export const SERVER_WIDE_WHEN_INTERRUPTED: ReadonlySet<ReasonCode> = new Set<ReasonCode>([
  REASON_CODES.MALFORMED_CHUNK,
  REASON_CODES.UPSTREAM_ERROR,
])

/** Failures that show the box cannot be reached at all: the breaker opens at once. */
export const HARD_FAILURES: ReadonlySet<ReasonCode> = new Set<ReasonCode>([
  REASON_CODES.CONNECT_FAILED,
  REASON_CODES.CONNECT_TIMEOUT,
  REASON_CODES.SERVER_FROZEN,
  REASON_CODES.SERVER_OFFLINE,
])

/** Real Ollama's 400s that belong to one model on one server; another model may accept the request. */
const MODEL_SPECIFIC_400 = /longer than the context|does not support|context length/i

/** How an HTTP 400 before any answer is to be taken: the request's fault, or this model's. */
export function refusalOf(
  error: ChatAttemptError,
): { status: number; message: string; modelSpecific: boolean } | null {
  const cause = error.cause as { name?: string; status_code?: number; message?: string } | undefined
  if (cause?.name === 'ResponseError' && cause.status_code === 400) {
    const message = cause.message ?? error.detail
    return { status: 400, message, modelSpecific: MODEL_SPECIFIC_400.test(message) }
  }
  return null
}

const STREAM_END_WITHOUT_DONE = 'Did not receive done or success response in stream.'

/**
 * An exception of our own making before anything was sent (the client failing to serialise a body, a
 * bug): JavaScript's own error types. Only asked once no network code was found in the causes (fetch's
 * own TypeError carries one there).
 */
function isLocalException(err: unknown): boolean {
  return err instanceof RangeError || err instanceof TypeError
}

/** Turns whatever one attempt threw into a reason code and a short human detail. */
export function classifyFailure(
  target: RoutingTarget,
  err: unknown,
  cause: AbortCause | null,
  headersReceived: boolean,
): ChatAttemptError {
  const make = (reason: ReasonCode, detail: string): ChatAttemptError =>
    new ChatAttemptError(target, reason, detail, { cause: err })
  switch (cause?.kind) {
    case 'first-token':
      return make(REASON_CODES.FIRST_TOKEN_TIMEOUT, cause.detail)
    case 'stall':
      return make(REASON_CODES.STALL_TIMEOUT, cause.detail)
    case 'frozen':
      return make(REASON_CODES.SERVER_FROZEN, cause.detail)
    case 'offline':
      return make(REASON_CODES.SERVER_OFFLINE, cause.detail)
    default:
      break
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
    if (status === 400 && MODEL_SPECIFIC_400.test(err.message)) {
      return make(REASON_CODES.MODEL_REFUSED, `HTTP 400: ${err.message}`)
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
  if (!headersReceived && isLocalException(err)) {
    return make(REASON_CODES.LOCAL_ERROR, `the request could not be sent: ${message}`)
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

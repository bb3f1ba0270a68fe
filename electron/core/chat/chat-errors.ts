import type { Attempt, ReasonCode, RoutingTarget } from '../../../shared/types'

/** Every target of the decision's chain failed; the message lists each attempt. */
export class ChatFailedError extends Error {
  override readonly name = 'ChatFailedError'
  constructor(
    readonly attempts: Attempt[],
    /** Text that already reached the caller before the last failure (empty when none). */
    readonly partialContent: string = '',
  ) {
    super(describeFailure(attempts))
  }
}

/**
 * The server refused the request itself (HTTP 400: bad options, a format or feature the model lacks):
 * the request's fault, not the server's, so it is neither retried elsewhere nor held against the server.
 */
export class ChatRequestError extends Error {
  override readonly name = 'ChatRequestError'
  constructor(
    readonly status: number,
    message: string,
    readonly attempts: Attempt[],
  ) {
    super(message)
  }
}

/** The caller cancelled the answer; named `AbortError` like every other abort in Node. */
export class ChatCancelledError extends Error {
  override readonly name = 'AbortError'
  constructor(
    readonly attempts: Attempt[],
    readonly partialContent: string = '',
  ) {
    super('The chat request was cancelled by the caller')
  }
}

/** One failed try of one target, with the reason code; handed to `ExecutionFeedback.recordFailure`. */
export class ChatAttemptError extends Error {
  override readonly name = 'ChatAttemptError'
  constructor(
    readonly target: RoutingTarget,
    readonly reason: ReasonCode,
    /** Short human text, e.g. `connection refused`. */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${target.model} @ ${target.serverName} (${target.serverUrl}): ${detail}`, options)
  }
}

function describeFailure(attempts: Attempt[]): string {
  if (attempts.length === 0) return 'no (model, server) pair to try: the routing chain is empty'
  const parts = attempts.map((a) => `${a.serverName}: ${a.error ?? a.outcome}`).join('; ')
  if (attempts.length === 1) return `the only server tried failed: ${parts}`
  return `all ${attempts.length} servers failed: ${parts}`
}

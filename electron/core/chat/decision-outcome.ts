/**
 * What became of a routed request, as a value on its decision (style.md point 5): the routing log shows
 * a failover as a failover, not as the "routed" the router said before the executor ran.
 */
import type { DecisionOutcome, ResponseMetadata, RoutingDecision } from '../../../shared/types'
import { ChatCancelledError } from './chat-errors'

/** The outcome of a finished answer: on the chosen pair, or failed over to the one that finished it. */
export function outcomeOfAnswer(
  decision: RoutingDecision,
  md: ResponseMetadata,
  at: number = Date.now(),
): DecisionOutcome {
  const from = decision.chosen
  const sameTarget = from !== null && from.model === md.model && from.serverName === md.server_name
  if (sameTarget) {
    return { kind: 'answered', at, model: md.model, serverName: md.server_name }
  }
  const failed = md.attempts.find((a) => a.outcome !== 'ok')
  return {
    kind: 'failed-over',
    at,
    model: md.model,
    serverName: md.server_name,
    fromModel: from?.model ?? failed?.model ?? md.model,
    fromServerName: from?.serverName ?? failed?.serverName ?? md.server_name,
    reason: failed?.reason ?? null,
    continued: md.continued,
  }
}

/** The outcome of a run that threw: cancelled by the caller, else failed with the error's words. */
export function outcomeOfError(err: unknown, at: number = Date.now()): DecisionOutcome {
  if (err instanceof ChatCancelledError) return { kind: 'cancelled', at }
  return { kind: 'failed', at, error: err instanceof Error ? err.message : String(err) }
}

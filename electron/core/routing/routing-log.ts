/**
 * The routing log: the newest decisions first, bounded in count and in memory (older entries keep only
 * their best candidates), each published when it is made and again when its outcome is known (the
 * routing log view's "Outcome" column and "Fallbacks only" filter).
 */
import type { DecisionOutcome, RoutingDecision } from '../../../shared/types'
import { Emitter } from '../emitter'

/** How many decisions the log keeps. */
export const ROUTING_LOG_SIZE = 500
/** The newest decisions keep every candidate; older ones keep the best few (memory stays bounded). */
export const ROUTING_LOG_FULL_DETAIL = 50
export const ROUTING_LOG_KEPT_CANDIDATES = 12

export class RoutingLog {
  private readonly entries: RoutingDecision[] = []
  private readonly changed = new Emitter<RoutingDecision>()
  /** A decision was added, or its outcome recorded (the same object, published again). */
  readonly onDidChange = this.changed.event

  /** The logged decisions, newest first (a copy of the list; the decisions themselves are shared). */
  snapshot(): RoutingDecision[] {
    return [...this.entries]
  }

  /** Logs a decision that was just made. */
  record(decision: RoutingDecision): void {
    this.entries.unshift(decision)
    if (this.entries.length > ROUTING_LOG_SIZE) this.entries.length = ROUTING_LOG_SIZE
    const aging = this.entries[ROUTING_LOG_FULL_DETAIL]
    if (aging) keepBestCandidates(aging, ROUTING_LOG_KEPT_CANDIDATES)
    this.changed.fire(decision)
  }

  /** Records how a decision ended and publishes it again. */
  recordOutcome(decision: RoutingDecision, outcome: DecisionOutcome): void {
    decision.outcome = outcome
    this.changed.fire(decision)
  }

  dispose(): void {
    this.changed.dispose()
  }
}

/**
 * Keeps only the best `n` candidates of a logged decision, as a plain property: the lazily built
 * list (and the server snapshot it was built from) can then be collected.
 */
export function keepBestCandidates(decision: RoutingDecision, n: number): void {
  const kept = decision.candidates.slice(0, n)
  Object.defineProperty(decision, 'candidates', {
    value: kept,
    enumerable: true,
    writable: true,
    configurable: true,
  })
}

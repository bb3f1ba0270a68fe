import type { Tier } from './model'
import type { Priority } from './server'
import type { ReasonCode } from './reason-codes'

/** How demanding a message is. */
export type Complexity = 'trivial' | 'simple' | 'moderate' | 'complex'

/** What kind of work a message asks for. */
export type TaskType = 'greeting' | 'chat' | 'explanation' | 'code' | 'reasoning' | 'writing'

/** The classifier's verdict on a conversation, with the reasons that decided it. */
export interface Classification {
  complexity: Complexity
  taskType: TaskType
  reasons: ReasonCode[]
}

/** How the router picks: by task (auto), only one server, or one model (optionally on one server). */
export type RoutingMode =
  | { kind: 'auto' }
  | { kind: 'server'; serverId: string }
  | { kind: 'model'; model: string; serverId: string | null }

/** What the router did: routed to the wanted tier, fell back to a lesser one, or found nothing. */
export type RoutingAction = 'routed' | 'fallback' | 'rejected'

/** The score of one candidate, term by term; `total` is their sum. Higher is better. */
export interface ScoreTerms {
  tierFit: number
  specialisation: number
  priority: number
  health: number
  latency: number
  loaded: number
  gpu: number
  speed: number
  inFlight: number
  preference: number
  total: number
}

/** One (model, server) pair to route to. */
export interface RoutingTarget {
  model: string
  serverId: string
  serverName: string
  serverUrl: string
  /** Where to connect when it differs from serverUrl (a probed mDNS address; ServerView.dialUrl). */
  dialUrl?: string
  tier: Tier
  priority: Priority
  /** Loaded in memory at decision time (the executor allows a longer first-token wait when not). */
  loaded: boolean
}

/** A scored candidate; ineligible ones stay listed with the reason they were excluded. */
export interface Candidate extends RoutingTarget {
  eligible: boolean
  excludedBy: ReasonCode | null
  terms: ScoreTerms
  reasons: ReasonCode[]
}

/**
 * The router's decision as a value (style.md point 5). Logs, the UI, response headers and the
 * `metadata` object are all renderings of this one value.
 */
export interface RoutingDecision {
  id: string
  /** Unix epoch ms. */
  at: number
  mode: RoutingMode
  /** The model the caller asked for (`auto`, `auto:fast`, a real tag) or null for the chat UI's Auto. */
  requestedModel: string | null
  classification: Classification
  /** The tier the task wants. */
  wantedTier: Tier
  action: RoutingAction
  /** First of `chain`, null when rejected. */
  chosen: RoutingTarget | null
  /** Ordered: chosen first, then the fallbacks the executor walks. */
  chain: RoutingTarget[]
  candidates: Candidate[]
  reasons: ReasonCode[]
  /** True when the chosen model is of a smaller tier than wanted. */
  fallback: boolean
  /** Human warning, e.g. "A simplified model is being used: qwen2.5:1.5b @ localhost". */
  warning: string | null
  /** First ~80 characters of the last user message, for the routing log (never logged at INFO). */
  promptExcerpt: string
  /** Time the decision took, in microseconds. */
  decisionMicros: number
  /**
   * What became of it once the request ended: set by the core when the executor finishes (absent while
   * the answer runs, for previews, and for decisions logged before outcomes were kept).
   */
  outcome?: DecisionOutcome
  /**
   * Expected load time (ms, the scheduler model's estimate) of the cold specialists (coder, reasoner,
   * vision) among the candidates, keyed `model@serverId`, so the explanation can say what waiting for
   * one would have cost. Absent on previews and older decisions.
   */
  loadEstimates?: Record<string, number>
}

/**
 * How a routed request ended: answered by the chosen pair, answered after failing over to another
 * pair (before the first token, or continued mid-answer), failed on every pair, or cancelled.
 */
export type DecisionOutcome =
  | { kind: 'answered'; at: number; model: string; serverName: string }
  | {
      kind: 'failed-over'
      at: number
      /** The pair that finished the answer. */
      model: string
      serverName: string
      /** The pair the answer started on (the decision's chosen one). */
      fromModel: string
      fromServerName: string
      /** Why the first pair failed, null when not known. */
      reason: ReasonCode | null
      /** True when text had already streamed from the first pair (a visible seam). */
      continued: boolean
    }
  | { kind: 'failed'; at: number; error: string }
  | { kind: 'cancelled'; at: number }

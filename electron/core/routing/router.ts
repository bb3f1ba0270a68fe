import { performance } from 'node:perf_hooks'
import { REASON_CODES } from '../../../shared/types'
import type {
  Candidate,
  ChatMessage,
  Classification,
  ModelEntry,
  OllamaProviderConfig,
  ReasonCode,
  RoutingAction,
  RoutingDecision,
  RoutingMode,
  RoutingTarget,
  ScoreTerms,
  ServerView,
  Tier,
} from '../../../shared/types'
import { classify } from './classifier'
import { preferenceMap, scoreModel, scoreServer, zeroTerms } from './scoring'
import type { ScoringContext } from './scoring'
import { normaliseTag, parseModelRequest, tierRank, wantedTier } from './tiers'

/** Everything one routing decision depends on; `decide` does no I/O beyond reading this. */
export interface RouteInput {
  messages: ChatMessage[]
  servers: ServerView[]
  config: OllamaProviderConfig
  mode: RoutingMode
  /** `auto`, `auto:fast|balanced|powerful`, a real tag, or null (the chat UI's Auto). */
  requestedModel: string | null
  /** Ask for at least this tier ("regenerate with a more powerful model"). */
  minTier?: Tier
  /** Unix epoch ms to stamp the decision with; defaults to Date.now(). */
  now?: number
  /** Use this verdict instead of running the classifier (tests, previews, re-routes). */
  classification?: Classification
}

/** Longest fallback chain handed to the executor. */
export const CHAIN_LIMIT = 8
/** At most this many chain entries per server, so a dead server does not fill the whole chain. */
export const CHAIN_PER_SERVER = 3
/** Chain slots kept for FALLBACK servers (they go last, but they must be reachable at all). */
const FALLBACK_SLOTS = 2
const EXCERPT_CHARS = 80

/** Which servers and models the mode (and the requested model) allow, and why. */
interface Scope {
  serverId: string | null
  serverReason: ReasonCode
  /** Normalised tag the request is limited to, or null. */
  model: string | null
  modelReason: ReasonCode
  /** The decision's first reason: how the scope came about. */
  modeReason: ReasonCode
  /** Route by explicit model (tag or pinned model): never a "fallback", the caller chose it. */
  explicitModel: boolean
}

/**
 * Picks the server plain one-server mode talks to: the configured primary, else the first
 * PRIMARY server, else the first one — preferring configured servers over discovered ones.
 */
export function singleServerOf(servers: readonly ServerView[]): ServerView | null {
  const configured = servers.filter((s) => s.source !== 'mdns')
  const pool = configured.length > 0 ? configured : servers
  return (
    pool.find((s) => s.id === 'primary') ??
    pool.find((s) => s.priority === 'PRIMARY') ??
    pool[0] ??
    null
  )
}

function scopeOf(input: RouteInput, tag: string | null): Scope {
  const { mode, servers, config } = input
  const scope: Scope = {
    serverId: null,
    serverReason: REASON_CODES.MODE_AUTO,
    model: null,
    modelReason: REASON_CODES.MODEL_REQUESTED,
    modeReason: REASON_CODES.MODE_AUTO,
    explicitModel: false,
  }
  if (mode.kind === 'server') {
    scope.serverId = mode.serverId
    scope.serverReason = REASON_CODES.MODE_SERVER_PINNED
    scope.modeReason = REASON_CODES.MODE_SERVER_PINNED
  } else if (mode.kind === 'model' && tag === null) {
    // A real tag from an API client names its own model and so overrides the pinned one.
    scope.model = normaliseTag(mode.model)
    scope.modelReason = REASON_CODES.MODE_MODEL_PINNED
    scope.modeReason = REASON_CODES.MODE_MODEL_PINNED
    scope.explicitModel = true
    if (mode.serverId !== null) {
      scope.serverId = mode.serverId
      scope.serverReason = REASON_CODES.MODE_MODEL_PINNED
    }
  }
  if (scope.serverId === null && (!config.distributed_mode || servers.length === 1)) {
    const single = singleServerOf(servers)
    if (single) {
      scope.serverId = single.id
      scope.serverReason = REASON_CODES.SINGLE_SERVER
      if (scope.modeReason === REASON_CODES.MODE_AUTO) scope.modeReason = REASON_CODES.SINGLE_SERVER
    }
  }
  if (tag !== null) {
    scope.model = normaliseTag(tag)
    scope.modelReason = REASON_CODES.MODEL_REQUESTED
    scope.explicitModel = true
  }
  return scope
}

/** Why a whole server is out, before looking at its models; null when it can take requests. */
function serverExclusion(server: ServerView): ReasonCode | null {
  if (!server.trusted) return REASON_CODES.SERVER_UNTRUSTED
  if (server.health.kind === 'offline') return REASON_CODES.SERVER_OFFLINE
  if (server.breaker === 'open') return REASON_CODES.BREAKER_OPEN
  return null
}

/** The last user message, the one being routed. */
function lastUserMessage(messages: readonly ChatMessage[]): ChatMessage | null {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]
    if (m && m.role === 'user') return m
  }
  return null
}

/** First ~80 characters of the message on one line, for the routing log. */
export function promptExcerpt(messages: readonly ChatMessage[]): string {
  const content = lastUserMessage(messages)?.content ?? ''
  const line = content.replace(/\s+/g, ' ').trim()
  return line.slice(0, EXCERPT_CHARS)
}

function toTarget(c: Candidate, dialUrl: string | undefined): RoutingTarget {
  return {
    model: c.model,
    serverId: c.serverId,
    serverName: c.serverName,
    serverUrl: c.serverUrl,
    // A `*.local` server is dialled at its probed mDNS address (ServerView.dialUrl).
    ...(dialUrl !== undefined ? { dialUrl } : {}),
    tier: c.tier,
    priority: c.priority,
    loaded: c.loaded,
  }
}

/** One literal with every field, so all candidates share a shape (spreads made decide 50× slower). */
function makeCandidate(
  server: ServerView,
  model: ModelEntry,
  eligible: boolean,
  excludedBy: ReasonCode | null,
  terms: ScoreTerms,
  reasons: ReasonCode[],
): Candidate {
  return {
    model: model.name,
    serverId: server.id,
    serverName: server.name,
    serverUrl: server.url,
    tier: model.tier,
    priority: server.priority,
    loaded: model.loaded,
    eligible,
    excludedBy,
    terms,
    reasons,
  }
}

/** Groups, best first: eligible non-FALLBACK, eligible FALLBACK (only after everything else), excluded. */
const GROUP_MAIN = 0
const GROUP_FALLBACK = 1
const GROUP_EXCLUDED = 2
const INDEX_BITS = 2 ** 20
const SCORE_SCALE = 1000
const GROUP_SPAN = 1e6

/**
 * Orders candidate indices by (group, total desc, index) with one native numeric sort: each key
 * packs all three into a float (totals quantised to 0.001, far finer than any weight), which is
 * many times faster than a comparator over objects for a thousand candidates.
 */
function rankOrder(groups: readonly number[], totals: readonly number[]): number[] {
  const n = groups.length
  const keys = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const g = groups[i] ?? GROUP_EXCLUDED
    const q = g === GROUP_EXCLUDED ? 0 : Math.round((totals[i] ?? 0) * SCORE_SCALE)
    const k =
      g * GROUP_SPAN + GROUP_SPAN / 2 - Math.max(-GROUP_SPAN / 2, Math.min(GROUP_SPAN / 2 - 1, q))
    keys[i] = k * INDEX_BITS + i
  }
  keys.sort()
  const order = new Array<number>(n)
  for (let i = 0; i < n; i++) {
    // Exact for keys below 2^53, and far cheaper than `%` on doubles (a libm fmod call per key).
    const k = keys[i] ?? 0
    order[i] = k - Math.floor(k / INDEX_BITS) * INDEX_BITS
  }
  return order
}

/** Builds the ordered chain: best first, FALLBACK servers last, deduped and bounded. */
function buildChain(
  order: readonly number[],
  groups: readonly number[],
  cands: readonly Candidate[],
) {
  let fallbackCount = 0
  for (const g of groups) if (g === GROUP_FALLBACK) fallbackCount++
  const mainLimit = CHAIN_LIMIT - Math.min(FALLBACK_SLOTS, fallbackCount)
  const chain: number[] = []
  const seen = new Set<string>()
  const perServer = new Map<string, number>()
  for (const i of order) {
    const g = groups[i]
    const c = cands[i]
    if (g === GROUP_EXCLUDED || c === undefined || chain.length >= CHAIN_LIMIT) break
    if (g === GROUP_MAIN && chain.length >= mainLimit) continue
    const key = `${c.model}\u0000${c.serverId}`
    const onServer = perServer.get(c.serverId) ?? 0
    if (onServer >= CHAIN_PER_SERVER || seen.has(key)) continue
    seen.add(key)
    perServer.set(c.serverId, onServer + 1)
    chain.push(i)
  }
  return chain
}

let decisionCounter = 0

function nextDecisionId(at: number): string {
  decisionCounter = (decisionCounter + 1) % 1_000_000
  const uuid = globalThis.crypto?.randomUUID?.()
  return uuid ?? `d-${at.toString(36)}-${decisionCounter.toString(36)}`
}

/**
 * Routes one message: every (model, server) pair becomes a candidate, ineligible ones are kept
 * with the reason, eligible ones are scored term by term, and the best form the fallback chain.
 * Pure apart from the id and the timing: the same input gives the same ranking.
 */
export function decide(input: RouteInput): RoutingDecision {
  const started = performance.now()
  const at = input.now ?? Date.now()
  const classification = input.classification ?? classify(input.messages)
  const request = parseModelRequest(input.requestedModel)
  const tag = request.kind === 'tag' ? request.tag : null
  const scope = scopeOf(input, tag)
  const forced = request.kind === 'tier' && !scope.explicitModel ? request.tier : null
  const wanted = wantedTier(classification.complexity, forced, input.minTier)
  const lastUser = lastUserMessage(input.messages)
  const ctx: ScoringContext = {
    wantedRank: tierRank(wanted),
    complexity: classification.complexity,
    taskType: classification.taskType,
    wantsVision: (lastUser?.images?.length ?? 0) > 0,
    preferences: preferenceMap(input.config.task_models, classification.taskType),
  }

  const cands: Candidate[] = []
  const groups: number[] = []
  const totals: number[] = []
  const effective: number[] = []
  let modelInScope = false
  for (const server of input.servers) {
    const outOfScope = scope.serverId !== null && server.id !== scope.serverId
    // The mode's own reason wins: "not the pinned server" says more than "offline" there.
    const scopeOut = outOfScope ? scope.serverReason : null
    const stateOut = outOfScope ? null : serverExclusion(server)
    const serverTerms = scopeOut === null && stateOut === null ? scoreServer(server) : null
    const group = server.priority === 'FALLBACK' ? GROUP_FALLBACK : GROUP_MAIN
    for (const model of server.models) {
      const nameMatches = scope.model === null || normaliseTag(model.name) === scope.model
      if (!outOfScope && scope.model !== null && nameMatches) modelInScope = true
      const excludedBy: ReasonCode | null =
        scopeOut ??
        (nameMatches ? null : scope.modelReason) ??
        stateOut ??
        (model.chatCapable ? null : REASON_CODES.NOT_CHAT_MODEL)
      if (excludedBy !== null || serverTerms === null) {
        const reason = excludedBy ?? REASON_CODES.NO_CANDIDATES
        cands.push(makeCandidate(server, model, false, reason, zeroTerms(), [reason]))
        groups.push(GROUP_EXCLUDED)
        totals.push(0)
        effective.push(0)
        continue
      }
      const scored = scoreModel(ctx, model, serverTerms)
      cands.push(makeCandidate(server, model, true, null, scored.terms, scored.reasons))
      groups.push(group)
      totals.push(scored.terms.total)
      effective.push(scored.effectiveRank)
    }
  }

  const order = rankOrder(groups, totals)
  const chainIdx = buildChain(order, groups, cands)
  const chain: RoutingTarget[] = []
  const dialUrls = new Map<string, string>()
  for (const s of input.servers) if (s.dialUrl !== undefined) dialUrls.set(s.id, s.dialUrl)
  for (const i of chainIdx) {
    const c = cands[i]
    if (c) chain.push(toTarget(c, dialUrls.get(c.serverId)))
  }
  const bestIdx = chainIdx[0]
  const best = bestIdx === undefined ? null : (cands[bestIdx] ?? null)
  const chosen = chain[0] ?? null

  const reasons: ReasonCode[] = [scope.modeReason]
  if (tag !== null) reasons.push(REASON_CODES.MODEL_REQUESTED)
  let action: RoutingAction
  let fallback = false
  let warning: string | null = null
  if (best === null || chosen === null || bestIdx === undefined) {
    action = 'rejected'
    reasons.push(
      scope.model !== null && !modelInScope
        ? REASON_CODES.MODEL_NOT_FOUND
        : REASON_CODES.NO_CANDIDATES,
    )
  } else {
    fallback = !scope.explicitModel && (effective[bestIdx] ?? 0) < ctx.wantedRank
    action = fallback ? 'fallback' : 'routed'
    if (fallback) {
      reasons.push(REASON_CODES.SMALLER_TIER_FALLBACK)
      warning = `A simplified model is being used: ${chosen.model} @ ${chosen.serverName}`
    }
    for (const r of best.reasons) if (!reasons.includes(r)) reasons.push(r)
  }

  return {
    id: nextDecisionId(at),
    at,
    mode: input.mode,
    requestedModel: input.requestedModel,
    classification,
    wantedTier: wanted,
    action,
    chosen,
    chain,
    candidates: order.map((i) => cands[i] as Candidate),
    reasons,
    fallback,
    warning,
    promptExcerpt: promptExcerpt(input.messages),
    decisionMicros: (performance.now() - started) * 1000,
  }
}

/** The spec's log line for a decision: `Distributed routing: gemma3:1b @ localhost (fallback: False)`. */
export function renderDecisionLog(decision: RoutingDecision): string {
  const chosen = decision.chosen
  if (chosen === null) {
    const why = decision.reasons[decision.reasons.length - 1] ?? REASON_CODES.NO_CANDIDATES
    return `Distributed routing: no model available (${why})`
  }
  return `Distributed routing: ${chosen.model} @ ${chosen.serverName} (fallback: ${decision.fallback ? 'True' : 'False'})`
}

/** The routing headers an HTTP answer carries; another rendering of the same decision. */
export function decisionHeaders(decision: RoutingDecision): Record<string, string> {
  const headers: Record<string, string> = {
    'X-AILLM-Complexity': decision.classification.complexity,
    'X-AILLM-Fallback': decision.fallback ? 'true' : 'false',
  }
  if (decision.chosen !== null) {
    headers['X-AILLM-Model'] = decision.chosen.model
    headers['X-AILLM-Server'] = decision.chosen.serverName
  }
  return headers
}

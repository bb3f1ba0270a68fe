import { randomUUID } from 'node:crypto'
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
import { preferenceMap, scoreModel, scoreModelInto, scoreServer, zeroTerms } from './scoring'
import type { ScoringContext, ServerTerms } from './scoring'
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
  /** The request carries tools: models known not to support them are out. */
  needsTools?: boolean
  /** The request asks the model to think (`think`): models known not to are out. */
  needsThinking?: boolean
  /**
   * The request fills in the middle (`suffix`, editor autocomplete): only models with `insert` may
   * take it, and it is a code task whatever the prompt looks like (a code prefix rarely has keywords).
   */
  needsInsert?: boolean
  /** The request's `options.num_ctx`: prefer runners loaded with that context length. */
  numCtx?: number
}

/** The classifier's verdict; a fill-in-the-middle request is a code task (the prefix alone may not say so). */
function classifyInput(input: RouteInput): Classification {
  const verdict = classify(input.messages)
  if (input.needsInsert !== true) return verdict
  return {
    ...verdict,
    taskType: 'code',
    reasons: [...verdict.reasons, REASON_CODES.CODE_COMPLETION],
  }
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
    // A null serverId pins no server, so its reason is never given (no server is out of scope).
    scope.serverId = mode.serverId
    scope.serverReason = REASON_CODES.MODE_MODEL_PINNED
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

/** Known to lack a capability: its capabilities are listed (from /api/show) and this one is not among them. */
function lacks(model: ModelEntry, capability: string): boolean {
  return model.capabilities.length > 0 && !model.capabilities.includes(capability)
}

/**
 * Whether a model can read images: /api/show says `vision` (the model index then gives it the vision
 * specialisation too), or a tier rule names it a vision model (llava, …). Stricter than {@link lacks}:
 * unknown capabilities do not pass, as a blind model given images answers about no picture.
 */
function seesImages(model: ModelEntry): boolean {
  return model.capabilities.includes('vision') || model.specialisations.includes('vision')
}

/** The last user message, the one being routed. */
function lastUserMessage(messages: readonly ChatMessage[]): ChatMessage | null {
  return messages.findLast((m) => m.role === 'user') ?? null
}

/** First ~80 characters of the message on one line, for the routing log. */
export function promptExcerpt(messages: readonly ChatMessage[]): string {
  const content = lastUserMessage(messages)?.content ?? ''
  const line = content.replace(/\s+/g, ' ').trim()
  return line.slice(0, EXCERPT_CHARS)
}

function toTarget(server: ServerView, model: ModelEntry): RoutingTarget {
  return {
    model: model.name,
    serverId: server.id,
    serverName: server.name,
    serverUrl: server.url,
    // A `*.local` server is dialled at its probed mDNS address (ServerView.dialUrl).
    ...(server.dialUrl !== undefined ? { dialUrl: server.dialUrl } : {}),
    tier: model.tier,
    priority: server.priority,
    loaded: model.loaded,
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
/** The largest quantised total a key holds: just under half a group's span, so groups never meet. */
const MAX_Q = 499_999

/**
 * Packs (group, total desc, index) into one float so candidates order with a plain numeric sort:
 * totals quantised to 0.001 (far finer than any weight), the index last so ties keep input order.
 * Excluded candidates are packed with a total of 0, so they keep input order.
 */
function packKey(group: number, total: number, index: number): number {
  // Real totals stay far inside ±500 (every weight is capped); the clamp keeps a nonsense input
  // (a negative latency) from carrying a candidate into the next group. Keys may be negative.
  const q = Math.max(-MAX_Q, Math.min(MAX_Q, Math.round(total * SCORE_SCALE)))
  return (group * GROUP_SPAN - q) * INDEX_BITS + index
}

/** The candidate index a key carries; exact below 2^53, and far cheaper than `%` on doubles. */
function indexOfKey(key: number): number {
  // Math.floor also for negative keys: key = k × INDEX_BITS + index with 0 ≤ index < INDEX_BITS.
  return key - Math.floor(key / INDEX_BITS) * INDEX_BITS
}

/** Every candidate index, best first (for the explanation). */
function fullOrder(keys: Float64Array): number[] {
  // Stryker disable next-line MethodExpression: keys are not read by position once an order is built, so sorting them in place would pass as well
  return Array.from(keys.slice().sort(), indexOfKey)
}

/** How many of the best candidates the chain is first built from (see `decide`). */
const TOP_K = 48

/**
 * The best `k` candidate indices of one group, in order, by insertion into a short sorted list: one
 * linear pass, no sort of the whole fleet. Exactly that group's first `k` entries of `fullOrder`.
 */
function topOrder(keys: Float64Array, groups: Uint8Array, group: number, k: number): number[] {
  const top = new Float64Array(k).fill(Infinity)
  // Stryker disable next-line ArithmeticOperator: a `last` past the end only loses the early skip below (writes past a typed array's end are dropped)
  const last = k - 1
  let worst = Infinity
  let found = 0
  // Stryker disable next-line EqualityOperator: one step past the end reads no group and is skipped
  for (let i = 0; i < keys.length; i++) {
    // Stryker disable next-line ConditionalExpression: keys order by group, so this group's entries come first anyway; others after them are repeated by their own pass (skipped as seen) or, when excluded, end the chain after every eligible one
    if (groups[i] !== group) continue
    const x = keys[i] ?? Infinity
    found++
    // Keys are unique (they end in the candidate's index), so > and >= agree here and just below.
    // Stryker disable next-line EqualityOperator: keys are unique
    if (x >= worst) continue
    let j = last
    // Stryker disable next-line EqualityOperator: keys are unique
    while (j > 0 && (top[j - 1] ?? Infinity) > x) {
      top[j] = top[j - 1] ?? Infinity
      j--
    }
    top[j] = x
    worst = top[last] ?? Infinity
  }
  const order = new Array<number>(Math.min(k, found))
  for (let i = 0; i < order.length; i++) order[i] = indexOfKey(top[i] ?? 0)
  return order
}

/** Builds the ordered chain: best first, FALLBACK servers last, deduped and bounded. */
function buildChain(
  order: readonly number[],
  groups: Uint8Array,
  mainLimit: number,
  targetAt: (i: number) => { model: string; serverId: string },
) {
  const chain: number[] = []
  const seen = new Set<string>()
  const perServer = new Map<string, number>()
  for (const i of order) {
    const g = groups[i]
    if (g === GROUP_EXCLUDED || chain.length >= CHAIN_LIMIT) break
    if (g === GROUP_MAIN && chain.length >= mainLimit) continue
    const { model, serverId } = targetAt(i)
    const key = `${model}\u0000${serverId}`
    const onServer = perServer.get(serverId) ?? 0
    if (onServer >= CHAIN_PER_SERVER || seen.has(key)) continue
    seen.add(key)
    perServer.set(serverId, onServer + 1)
    chain.push(i)
  }
  return chain
}

/**
 * Routes one message: every (model, server) pair becomes a candidate, ineligible ones are kept
 * with the reason, eligible ones are scored term by term, and the best form the fallback chain.
 * Pure apart from the id and the timing: the same input gives the same ranking.
 */
export function decide(input: RouteInput): RoutingDecision {
  const started = performance.now()
  const at = input.now ?? Date.now()
  const classification = input.classification ?? classifyInput(input)
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
    numCtx: input.numCtx ?? null,
  }

  // Hot loop: numbers only, into typed arrays sized once. The candidates' explanation (terms and
  // reasons per pair) is rebuilt from the same scoring function when `candidates` is read.
  const servers = input.servers
  let n = 0
  for (const server of servers) n += server.models.length
  const serverIdx = new Uint16Array(n)
  const modelIdx = new Uint16Array(n)
  const groups = new Uint8Array(n)
  const effective = new Int8Array(n)
  const keys = new Float64Array(n)
  /** Exclusion reason per candidate: 0 = eligible, else 1 + its index in `exclusions`. */
  const excludedCode = new Uint8Array(n)
  const exclusions: ReasonCode[] = []
  /** Per server, its scored terms, or null when none of its models is eligible. */
  const serverTerms: (ServerTerms | null)[] = []
  const scratch = zeroTerms()
  const needsTools = input.needsTools === true
  const needsThinking = input.needsThinking === true
  const needsInsert = input.needsInsert === true
  const needsVision = ctx.wantsVision
  const allowCloud = input.config.allow_cloud_models === true
  let modelInScope = false
  let eligible = 0
  let fallbackCount = 0
  let i = 0
  for (let si = 0; si < servers.length; si++) {
    const server = servers[si] as ServerView
    const outOfScope = scope.serverId !== null && server.id !== scope.serverId
    // The mode's own reason wins: "not the pinned server" says more than "offline" there.
    const scopeOut = outOfScope ? scope.serverReason : null
    const stateOut = outOfScope ? null : serverExclusion(server)
    // Scored on its first eligible model: a server with none is never scored.
    let terms: ServerTerms | null = null
    const group = server.priority === 'FALLBACK' ? GROUP_FALLBACK : GROUP_MAIN
    const models = server.models
    for (let mi = 0; mi < models.length; mi++) {
      const model = models[mi] as ModelEntry
      const nameMatches = scope.model === null || normaliseTag(model.name) === scope.model
      // Read only when the scope names a model (without one every name matches).
      if (!outOfScope && nameMatches) modelInScope = true
      const excludedBy: ReasonCode | null =
        scopeOut ??
        (nameMatches ? null : scope.modelReason) ??
        stateOut ??
        (model.chatCapable ? null : REASON_CODES.NOT_CHAT_MODEL) ??
        (model.cloud === true && scope.model === null && !allowCloud
          ? REASON_CODES.CLOUD_MODEL
          : null) ??
        (needsTools && lacks(model, 'tools') ? REASON_CODES.NO_TOOL_SUPPORT : null) ??
        (needsThinking && lacks(model, 'thinking') ? REASON_CODES.NO_THINKING_SUPPORT : null) ??
        (needsInsert && lacks(model, 'insert') ? REASON_CODES.NO_INSERT_SUPPORT : null) ??
        (needsVision && !seesImages(model) ? REASON_CODES.NO_VISION_SUPPORT : null)
      serverIdx[i] = si
      modelIdx[i] = mi
      if (excludedBy !== null) {
        let code = exclusions.indexOf(excludedBy)
        // Stryker disable next-line ConditionalExpression,EqualityOperator: listing a reason again only gives it a second code of the same value
        if (code < 0) code = exclusions.push(excludedBy) - 1
        excludedCode[i] = code + 1
        groups[i] = GROUP_EXCLUDED
        keys[i] = packKey(GROUP_EXCLUDED, 0, i)
      } else {
        terms ??= scoreServer(server)
        effective[i] = scoreModelInto(ctx, model, terms, scratch, null)
        groups[i] = group
        keys[i] = packKey(group, scratch.total, i)
        eligible++
        if (group === GROUP_FALLBACK) fallbackCount++
      }
      i++
    }
    serverTerms.push(terms)
  }

  const serverAt = (c: number) => servers[serverIdx[c] ?? 0] as ServerView
  const modelAt = (c: number) => serverAt(c).models[modelIdx[c] ?? 0] as ModelEntry
  const targetAt = (c: number) => ({ model: modelAt(c).name, serverId: serverAt(c).id })
  // The chain needs only the best few: build it from the top TOP_K of each group (FALLBACK after
  // the rest), and fall back to the full order only when a group's part of the chain came out
  // short while that group has more than its TOP_K (one server holding a whole shortlist). A short
  // non-FALLBACK part must be rebuilt even when FALLBACK entries filled the chain: they go last.
  let order: number[] | null = null
  const mainLimit = CHAIN_LIMIT - Math.min(FALLBACK_SLOTS, fallbackCount)
  const prefix = topOrder(keys, groups, GROUP_MAIN, TOP_K)
  // Stryker disable next-line ConditionalExpression,EqualityOperator: a shortcut; with no FALLBACK candidate the pass finds nothing
  if (fallbackCount > 0) prefix.push(...topOrder(keys, groups, GROUP_FALLBACK, TOP_K))
  let chainIdx = buildChain(prefix, groups, mainLimit, targetAt)
  // A rebuild from the full order gives the right chain every time, so only a missed one shows.
  // The marks below also mute the mutants that would skip a rebuild: the router tests with one
  // server holding a whole shortlist (with and without FALLBACK servers) are the ones that fail then.
  let inMain = 0
  // Stryker disable next-line ConditionalExpression,EqualityOperator,UpdateOperator: counting fewer only rebuilds more often
  for (const c of chainIdx) if (groups[c] === GROUP_MAIN) inMain++
  // Stryker disable next-line ConditionalExpression,EqualityOperator,ArithmeticOperator,LogicalOperator: only rebuilds more often
  const mainShort = inMain < mainLimit && eligible - fallbackCount > TOP_K
  // Stryker disable next-line ConditionalExpression,EqualityOperator,LogicalOperator: only rebuilds more often
  const fallbackShort = chainIdx.length < CHAIN_LIMIT && fallbackCount > TOP_K
  // Stryker disable next-line ConditionalExpression: only rebuilds more often
  if (mainShort || fallbackShort) {
    order = fullOrder(keys)
    chainIdx = buildChain(order, groups, mainLimit, targetAt)
  }
  const chain: RoutingTarget[] = chainIdx.map((c) => toTarget(serverAt(c), modelAt(c)))
  const candidateAt = (c: number): Candidate => {
    const server = serverAt(c)
    const model = modelAt(c)
    const code = excludedCode[c] ?? 0
    const terms = serverTerms[serverIdx[c] ?? 0] ?? null
    if (code !== 0 || terms === null) {
      const reason = exclusions[code - 1] ?? REASON_CODES.NO_CANDIDATES
      return makeCandidate(server, model, false, reason, zeroTerms(), [reason])
    }
    const scored = scoreModel(ctx, model, terms)
    return makeCandidate(server, model, true, null, scored.terms, scored.reasons)
  }
  const bestIdx = chainIdx[0]
  let chosen: RoutingTarget | null = null

  const reasons: ReasonCode[] = [scope.modeReason]
  if (tag !== null) reasons.push(REASON_CODES.MODEL_REQUESTED)
  let action: RoutingAction
  let fallback = false
  let warning: string | null = null
  if (bestIdx === undefined) {
    action = 'rejected'
    reasons.push(
      scope.model !== null && !modelInScope
        ? REASON_CODES.MODEL_NOT_FOUND
        : REASON_CODES.NO_CANDIDATES,
    )
  } else {
    chosen = chain[0] as RoutingTarget
    fallback = !scope.explicitModel && (effective[bestIdx] ?? 0) < ctx.wantedRank
    action = fallback ? 'fallback' : 'routed'
    if (fallback) {
      reasons.push(REASON_CODES.SMALLER_TIER_FALLBACK)
      warning = `A simplified model is being used: ${chosen.model} @ ${chosen.serverName}`
    }
    // The candidate's reasons (tier, resources, server) never repeat the decision's own.
    reasons.push(...candidateAt(bestIdx).reasons)
  }

  const decision: Omit<RoutingDecision, 'candidates'> = {
    id: randomUUID(),
    at,
    mode: input.mode,
    requestedModel: input.requestedModel,
    classification,
    wantedTier: wanted,
    action,
    chosen,
    chain,
    reasons,
    fallback,
    warning,
    promptExcerpt: promptExcerpt(input.messages),
    decisionMicros: 0,
  }
  // Every candidate with its score terms, built on first read (the log, the UI, the API) and kept:
  // choosing needs none of these objects, and for a large fleet they are most of the work.
  let candidates: Candidate[] | null = null
  Object.defineProperty(decision, 'candidates', {
    enumerable: true,
    configurable: true,
    get: () => (candidates ??= (order ?? fullOrder(keys)).map(candidateAt)),
    set: (value: Candidate[]) => {
      candidates = value
    },
  })
  decision.decisionMicros = (performance.now() - started) * 1000
  return decision as RoutingDecision
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
    headers['X-AILLM-Model'] = headerValue(decision.chosen.model)
    headers['X-AILLM-Server'] = headerValue(decision.chosen.serverName)
  }
  return headers
}

/**
 * A name as an HTTP header value: printable ASCII stays as it is, anything else is percent-encoded
 * ("Marc’s box" → "Marc%E2%80%99s box"), since Node refuses header values outside Latin-1.
 */
export function headerValue(text: string): string {
  return /^[\x20-\x7e]*$/.test(text) ? text : encodeURIComponent(text)
}

import { REASON_CODES } from '../../../shared/types'
import type {
  Complexity,
  ModelEntry,
  ReasonCode,
  ScoreTerms,
  ServerView,
  TaskType,
} from '../../../shared/types'
import { normaliseTag, tierRank } from './tiers'

/**
 * The weights of every score term, in one place so the acceptance cases can be reasoned about.
 * The tier steps dominate: resource terms (loaded, speed, latency, in-flight) reorder models of
 * the same fit but never make a wrong tier win on their own.
 */
export const SCORE_WEIGHTS = {
  /** A model of exactly the wanted (effective) tier. */
  tierMatch: 100,
  /** Per tier above the wanted one: a 12B model is "too big" for "Hi!" — more than PRIMARY's edge. */
  tooBigStep: 40,
  /** Per tier below the wanted one: worse than too big, a smaller model is only a fallback. */
  tooSmallStep: 60,
  /** Per billion parameters: smallest adequate wins below powerful, biggest wins when reaching up. */
  sizePerB: 0.05,
  sizeCap: 5,
  /** A code specialist on code work (on top of counting one tier up). */
  codeSpecialist: 20,
  /** A reasoning specialist on reasoning work: a bonus within its tier, never a tier lift. */
  reasoningSpecialist: 10,
  /** A code specialist on non-code work: general models win there, even cold against it loaded and measured fast (more than `loaded` + `speedCap`). */
  specialistOffTask: -30,
  /** Images in the message and a vision model. */
  visionMatch: 20,
  /** Images in the message and a model that cannot see them. */
  visionMissing: -50,
  priorityPrimary: 20,
  prioritySecondary: 10,
  priorityFallback: 0,
  degraded: -15,
  probing: -10,
  /** The breaker lets one trial through: usable, but only when nothing healthier fits as well. */
  halfOpen: -5,
  /** Per 10 ms of measured latency. */
  latencyPer10ms: -0.5,
  latencyCap: -20,
  /** Already in memory (/api/ps): a cold load costs 10–30 s. */
  loaded: 15,
  /** Loaded but partly in system RAM: noticeably slower generation. */
  partialGpu: -10,
  /** Measured tokens/s, log-scaled: speedFactor × log10(1 + tps), capped. */
  speedFactor: 4,
  speedCap: 10,
  /** Per request of ours already in flight to the server (Ollama runs one per model at a time). */
  inFlightEach: -8,
  inFlightCap: -32,
  /** A model listed in `task_models` for this task type: top rank, then less per rank. */
  preferenceTop: 15,
  preferenceStep: 4,
  preferenceMin: 3,
} as const

/** What scoring needs to know about the request, computed once per decision. */
export interface ScoringContext {
  wantedRank: number
  complexity: Complexity
  taskType: TaskType
  /** The last user message carries images. */
  wantsVision: boolean
  /** Normalised tag → rank in `task_models[taskType]` (0 = most preferred). */
  preferences: ReadonlyMap<string, number>
  /** The request's `options.num_ctx`: a runner loaded with another context length is reloaded. */
  numCtx: number | null
}

/** Builds the preference map for a task type from the config's `task_models`. */
export function preferenceMap(
  taskModels: Partial<Record<TaskType, string[]>>,
  taskType: TaskType,
): Map<string, number> {
  const map = new Map<string, number>()
  const list = taskModels[taskType] ?? []
  list.forEach((tag, rank) => {
    const key = normaliseTag(tag)
    if (!map.has(key)) map.set(key, rank)
  })
  return map
}

/** A candidate's score, term by term, with the reasons behind the notable terms. */
export interface ScoredModel {
  terms: ScoreTerms
  reasons: ReasonCode[]
  /** The tier rank the model counts as for this task (code specialists count one up for code, as `effectiveTierRank`). */
  effectiveRank: number
}

/** Server-level terms, the same for every model on a server: computed once per server. */
export interface ServerTerms {
  priority: number
  health: number
  latency: number
  inFlight: number
  reasons: ReasonCode[]
}

/** Scores the parts of a candidate that depend only on its server. */
export function scoreServer(server: ServerView): ServerTerms {
  const reasons: ReasonCode[] = []
  let priority: number
  switch (server.priority) {
    case 'PRIMARY':
      priority = SCORE_WEIGHTS.priorityPrimary
      reasons.push(REASON_CODES.PRIORITY_PRIMARY)
      break
    case 'SECONDARY':
      priority = SCORE_WEIGHTS.prioritySecondary
      reasons.push(REASON_CODES.PRIORITY_SECONDARY)
      break
    case 'FALLBACK':
      priority = SCORE_WEIGHTS.priorityFallback
      reasons.push(REASON_CODES.PRIORITY_FALLBACK)
      break
  }
  let health = 0
  if (server.health.kind === 'degraded') {
    health += SCORE_WEIGHTS.degraded
    reasons.push(REASON_CODES.SERVER_DEGRADED)
  } else if (server.health.kind === 'probing') {
    health += SCORE_WEIGHTS.probing
  }
  if (server.breaker === 'half-open') health += SCORE_WEIGHTS.halfOpen

  const ms = server.latencyMs ?? 0
  const latency = Math.max(SCORE_WEIGHTS.latencyCap, (ms / 10) * SCORE_WEIGHTS.latencyPer10ms)

  const inFlight =
    server.inFlight > 0
      ? Math.max(SCORE_WEIGHTS.inFlightCap, server.inFlight * SCORE_WEIGHTS.inFlightEach)
      : 0
  if (server.inFlight > 0) reasons.push(REASON_CODES.BUSY)
  return { priority, health, latency, inFlight, reasons }
}

/** The parts of a ModelEntry that scoring reads. */
export type ScorableModel = Pick<
  ModelEntry,
  | 'name'
  | 'tier'
  | 'specialisations'
  | 'parametersB'
  | 'loaded'
  | 'fullyInGpu'
  | 'tokensPerSecond'
  | 'loadedContextLength'
>

/** Scores one model on one server; `server` holds the precomputed server terms. */
export function scoreModel(
  ctx: ScoringContext,
  model: ScorableModel,
  server: ServerTerms,
): ScoredModel {
  const terms = zeroTerms()
  const reasons: ReasonCode[] = []
  const effectiveRank = scoreModelInto(ctx, model, server, terms, reasons)
  return { terms, reasons, effectiveRank }
}

/**
 * The scoring itself, writing into `terms` (and `reasons`, when given) and returning the effective
 * tier rank. The router's hot loop passes one reused `terms` and no reasons, so ranking a thousand
 * candidates allocates nothing; the explanation is built from the same function when it is read.
 */
export function scoreModelInto(
  ctx: ScoringContext,
  model: ScorableModel,
  server: ServerTerms,
  terms: ScoreTerms,
  reasons: ReasonCode[] | null,
): number {
  const W = SCORE_WEIGHTS
  // One pass over the (short) specialisation list instead of several `includes` per candidate.
  let isCoder = false
  let isReasoner = false
  let hasVision = false
  for (const sp of model.specialisations) {
    if (sp === 'code') isCoder = true
    else if (sp === 'reasoning') isReasoner = true
    else if (sp === 'vision') hasVision = true
  }
  const rank = tierRank(model.tier)
  const effectiveRank = ctx.taskType === 'code' && isCoder && rank < 2 ? rank + 1 : rank
  // The code specialist's lift only helps it reach a tier; it never makes a coder "too big":
  // too big counts the model's own tier, too small the lifted one.
  const diff = Math.max(0, rank - ctx.wantedRank) + Math.min(0, effectiveRank - ctx.wantedRank)

  let tierFit: number
  if (diff > 0) {
    tierFit = W.tierMatch - W.tooBigStep * diff
    reasons?.push(REASON_CODES.TIER_TOO_BIG)
  } else if (diff < 0) {
    tierFit = W.tierMatch + W.tooSmallStep * diff
    reasons?.push(REASON_CODES.TIER_TOO_SMALL)
  } else {
    tierFit = W.tierMatch
    reasons?.push(REASON_CODES.TIER_MATCH)
  }
  // Within a fit, size breaks the tie: the smallest adequate model for light work, the biggest
  // one when the task wants all it can get (powerful) or when only smaller models are left.
  const size = Math.min(W.sizeCap, (model.parametersB ?? 0) * W.sizePerB)
  tierFit += diff < 0 || ctx.wantedRank === 2 ? size : -size

  let specialisation = 0
  let matched = false
  if (ctx.taskType === 'code' && isCoder) {
    specialisation += W.codeSpecialist
    matched = true
  } else if (ctx.taskType === 'reasoning' && isReasoner) {
    specialisation += W.reasoningSpecialist
    matched = true
  } else if (isCoder) {
    specialisation += W.specialistOffTask
  }
  if (ctx.wantsVision) {
    if (hasVision) {
      specialisation += W.visionMatch
      matched = true
    } else {
      specialisation += W.visionMissing
    }
  }
  if (matched) reasons?.push(REASON_CODES.SPECIALISATION_MATCH)

  let loaded = 0
  let gpu = 0
  // Ollama reloads a runner whose context length differs from the request's num_ctx (needsReload),
  // so a model loaded with another one is as cold as one not loaded at all.
  const reloads =
    model.loaded &&
    ctx.numCtx !== null &&
    model.loadedContextLength != null &&
    model.loadedContextLength !== ctx.numCtx
  if (reloads) {
    reasons?.push(REASON_CODES.CONTEXT_RELOAD)
  } else if (model.loaded) {
    loaded = W.loaded
    reasons?.push(REASON_CODES.MODEL_LOADED)
    if (model.fullyInGpu === false) {
      gpu = W.partialGpu
      reasons?.push(REASON_CODES.PARTIAL_GPU)
    }
  } else {
    reasons?.push(REASON_CODES.MODEL_COLD)
  }

  // Unmeasured (null) counts as nothing, like 0 tokens/s (log10 of 1).
  const tps = Math.max(0, model.tokensPerSecond ?? 0)
  const speed = Math.min(W.speedCap, W.speedFactor * Math.log10(1 + tps))

  let preference = 0
  // Stryker disable next-line ConditionalExpression,EqualityOperator: a shortcut past normaliseTag; with no preferences get() finds nothing either
  if (ctx.preferences.size > 0) {
    const rank = ctx.preferences.get(normaliseTag(model.name))
    if (rank !== undefined) {
      preference = Math.max(W.preferenceMin, W.preferenceTop - W.preferenceStep * rank)
      reasons?.push(REASON_CODES.PREFERRED_MODEL)
    }
  }

  if (reasons) for (const r of server.reasons) reasons.push(r)
  const total =
    tierFit +
    specialisation +
    server.priority +
    server.health +
    server.latency +
    loaded +
    gpu +
    speed +
    server.inFlight +
    preference
  terms.tierFit = tierFit
  terms.specialisation = specialisation
  terms.priority = server.priority
  terms.health = server.health
  terms.latency = server.latency
  terms.loaded = loaded
  terms.gpu = gpu
  terms.speed = speed
  terms.inFlight = server.inFlight
  terms.preference = preference
  terms.total = total
  return effectiveRank
}

/** All-zero terms for candidates that were excluded before scoring. */
export function zeroTerms(): ScoreTerms {
  return {
    tierFit: 0,
    specialisation: 0,
    priority: 0,
    health: 0,
    latency: 0,
    loaded: 0,
    gpu: 0,
    speed: 0,
    inFlight: 0,
    preference: 0,
    total: 0,
  }
}

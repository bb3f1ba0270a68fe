import type {
  Attempt,
  ResponseMetadata,
  RoutingDecision,
  RoutingTarget,
  Tier,
} from '../../../shared/types'
import { ChatCancelledError } from './chat-errors'

const TIER_RANK: Record<Tier, number> = { fast: 0, balanced: 1, powerful: 2 }

/**
 * Whether the target that finished the answer is a step down. The reference is `decision.chosen`
 * rather than `wantedTier`, because the router may rightly pick e.g. a balanced code specialist for
 * a code task that "wants" powerful: that is adequate, not a fallback.
 */
export function isLowerTier(finalTarget: RoutingTarget, decision: RoutingDecision): boolean {
  if (decision.fallback) return true
  const reference = decision.chosen?.tier ?? decision.wantedTier
  return TIER_RANK[finalTarget.tier] < TIER_RANK[reference]
}

/** The product spec's warning text, naming the model and server that answered. */
export function simplifiedModelWarning(target: RoutingTarget): string {
  return `A simplified model is being used: ${target.model} @ ${target.serverName}`
}

/** Builds the metadata every answer carries from the decision and the target that finished it. */
export function buildResponseMetadata(input: {
  decision: RoutingDecision
  finalTarget: RoutingTarget
  attempts: Attempt[]
  continued: boolean
  tokensPerSecond: number | null
  /** The answer's token counts add up more than one attempt. */
  usageSummed?: boolean
}): ResponseMetadata {
  const { decision, finalTarget } = input
  const fallback = isLowerTier(finalTarget, decision)
  const servers = new Set(decision.candidates.map((c) => c.serverId))
  for (const t of decision.chain) servers.add(t.serverId)
  return {
    model: finalTarget.model,
    provider: 'ollama',
    distributed_routing: decision.mode.kind === 'auto' && servers.size > 1,
    server_used: finalTarget.serverUrl,
    complexity_level: decision.classification.complexity,
    used_fast_model: finalTarget.tier === 'fast',
    server_name: finalTarget.serverName,
    task_type: decision.classification.taskType,
    fallback,
    warning: fallback ? simplifiedModelWarning(finalTarget) : null,
    attempts: input.attempts,
    decision_id: decision.id,
    continued: input.continued,
    tokens_per_second: input.tokensPerSecond,
    usage_summed: input.usageSummed ?? false,
  }
}

/**
 * The metadata of an answer the person stopped: the pair that was answering (the last attempt's, else
 * the chosen one), so the stopped answer keeps its route badge. Null when nothing was chosen.
 */
export function stoppedAnswerMetadata(
  decision: RoutingDecision,
  /** What the run was stopped with; a ChatCancelledError carries its attempts. */
  stoppedWith: unknown,
): ResponseMetadata | null {
  const attempts = stoppedWith instanceof ChatCancelledError ? stoppedWith.attempts : []
  const last = attempts.at(-1)
  const target =
    (last &&
      decision.chain.find((t) => t.model === last.model && t.serverUrl === last.serverUrl)) ??
    decision.chosen
  if (!target) return null
  return buildResponseMetadata({
    decision,
    finalTarget: target,
    attempts,
    continued: attempts.filter((a) => a.chars > 0).length > 1,
    tokensPerSecond: null,
  })
}

/** Tokens per second from a final chunk's `eval_count` / `eval_duration` (ns); null when absent. */
export function tokensPerSecondOf(
  final: { eval_count?: number; eval_duration?: number } | null,
): number | null {
  const count = final?.eval_count
  const duration = final?.eval_duration
  if (typeof count !== 'number' || typeof duration !== 'number') return null
  if (!(count > 0) || !(duration > 0)) return null
  return (count / duration) * 1e9
}

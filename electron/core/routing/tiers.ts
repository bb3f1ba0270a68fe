import type { Complexity, TaskType, Tier } from '../../../shared/types'

/** Tiers from smallest to largest; a tier's index is its rank. */
export const TIER_ORDER: readonly Tier[] = ['fast', 'balanced', 'powerful']

const RANK: Record<Tier, number> = { fast: 0, balanced: 1, powerful: 2 }

/** Rank of a tier: fast 0, balanced 1, powerful 2. */
export function tierRank(tier: Tier): number {
  return RANK[tier]
}

/** The larger of two tiers. */
export function maxTier(a: Tier, b: Tier): Tier {
  return RANK[a] >= RANK[b] ? a : b
}

/** Whether a string names a tier. */
export function isTier(value: string): value is Tier {
  return value === 'fast' || value === 'balanced' || value === 'powerful'
}

/** The tier a task of this complexity wants: the smallest adequate one. */
export function tierForComplexity(complexity: Complexity): Tier {
  switch (complexity) {
    case 'trivial':
    case 'simple':
      return 'fast'
    case 'moderate':
      return 'balanced'
    case 'complex':
      return 'powerful'
  }
}

/** What `requestedModel` asks for: route by task, force a tier, or one real model tag. */
export type ModelRequest =
  { kind: 'auto' } | { kind: 'tier'; tier: Tier } | { kind: 'tag'; tag: string }

/**
 * Parses the caller's model field. `null`, `''` and `auto` route by task; `auto:<tier>` forces the
 * tier; anything else is a real tag. An unknown `auto:xyz` is treated as a tag so it ends in a
 * clear MODEL_NOT_FOUND instead of being silently ignored.
 */
export function parseModelRequest(requestedModel: string | null): ModelRequest {
  if (requestedModel === null) return { kind: 'auto' }
  const trimmed = requestedModel.trim()
  if (trimmed === '' || trimmed === 'auto' || trimmed === 'auto:latest') return { kind: 'auto' }
  if (trimmed.startsWith('auto:')) {
    const tier = trimmed.slice(5)
    if (isTier(tier)) return { kind: 'tier', tier }
  }
  return { kind: 'tag', tag: trimmed }
}

/**
 * The tier the router aims for: by complexity, unless the caller forced one with `auto:<tier>`;
 * `minTier` ("regenerate with a more powerful model") only ever raises it.
 */
export function wantedTier(complexity: Complexity, forced: Tier | null, minTier?: Tier): Tier {
  const base = forced ?? tierForComplexity(complexity)
  return minTier === undefined ? base : maxTier(base, minTier)
}

/**
 * Rank a model counts as for this task. A code specialist counts one tier up for code work only:
 * a 14B coder is adequate for complex code, though by size it is balanced.
 */
export function effectiveTierRank(
  tier: Tier,
  specialisations: readonly string[],
  taskType: TaskType,
): number {
  const rank = RANK[tier]
  if (taskType === 'code' && rank < 2 && specialisations.includes('code')) return rank + 1
  return rank
}

/** Normalises a model tag so `name` and `name:latest` compare equal (the rule lives with the model index). */
export { normaliseTag } from '../models/model-tag'

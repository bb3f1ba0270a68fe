import type { Specialisation, Tier, TierRule } from '../../../shared/types'
import { parameterSizeFromTag } from './parameter-size'
import {
  BUILTIN_TIER_RULES,
  CAPABILITY_SPECIALISATIONS,
  TIER_THRESHOLDS,
  UNKNOWN_SIZE_TIER,
} from './tier-rules'

/** A model's tier and what it is especially good at. */
export interface TierVerdict {
  tier: Tier
  specialisations: Specialisation[]
}

const SPECIALISATION_ORDER: readonly Specialisation[] = ['code', 'reasoning', 'vision', 'embedding']

// Rules are matched for every model on every probe: compile each pattern once.
const compiled = new Map<string, RegExp | null>()

function patternOf(match: string): RegExp | null {
  let re = compiled.get(match)
  if (re === undefined) {
    try {
      re = new RegExp(match, 'i')
    } catch {
      // Config validation reports bad patterns; here a bad one simply never matches.
      re = null
    }
    compiled.set(match, re)
  }
  return re
}

/** The tier a parameter count falls in (see TIER_THRESHOLDS). */
export function tierBySize(parametersB: number): Tier {
  if (parametersB < TIER_THRESHOLDS.fastBelow) return 'fast'
  if (parametersB > TIER_THRESHOLDS.powerfulAbove) return 'powerful'
  return 'balanced'
}

/**
 * Tier and specialisations of a model. `rules` (config's `tier_rules`) are checked before the
 * built-in table; for tier and for specialisations separately the first matching rule that sets
 * them wins. Without a rule the tier comes from the parameter count, else from the tag, else
 * UNKNOWN_SIZE_TIER. Capabilities (`thinking`, `vision`, `embedding`) always add their
 * specialisation, because Ollama's own word beats a name pattern.
 */
export function tierOf(
  name: string,
  parametersB: number | null,
  capabilities: readonly string[],
  rules: readonly TierRule[] = [],
): TierVerdict {
  let tier: Tier | undefined
  let named: readonly Specialisation[] | undefined
  for (const rule of [...rules, ...BUILTIN_TIER_RULES]) {
    if (tier !== undefined && named !== undefined) break
    if (!patternOf(rule.match)?.test(name)) continue
    if (tier === undefined && rule.tier !== undefined) tier = rule.tier
    if (named === undefined && rule.specialisations !== undefined) named = rule.specialisations
  }
  if (tier === undefined) {
    const size = parametersB ?? parameterSizeFromTag(name)
    tier = size === null ? UNKNOWN_SIZE_TIER : tierBySize(size)
  }
  const found = new Set<Specialisation>(named ?? [])
  for (const capability of capabilities) {
    const implied = CAPABILITY_SPECIALISATIONS[capability]
    if (implied !== undefined) found.add(implied)
  }
  return { tier, specialisations: SPECIALISATION_ORDER.filter((s) => found.has(s)) }
}

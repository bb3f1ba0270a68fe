import type { Specialisation, Tier, TierRule } from '../../../shared/types'

/**
 * Size thresholds in billions of parameters: below `fastBelow` is fast, above `powerfulAbove` is
 * powerful, in between (both ends included) balanced.
 */
export const TIER_THRESHOLDS = { fastBelow: 5, powerfulAbove: 30 } as const

/** Tier used when neither a rule, Ollama's details nor the tag tell the size. */
export const UNKNOWN_SIZE_TIER: Tier = 'balanced'

/**
 * Capabilities from /api/show (or /api/tags) that imply a specialisation whatever the name says.
 * `thinking` models reason before answering; `embedding` ones cannot chat.
 */
export const CAPABILITY_SPECIALISATIONS: Readonly<Record<string, Specialisation>> = {
  thinking: 'reasoning',
  vision: 'vision',
  embedding: 'embedding',
}

/**
 * The built-in tiering table: case-insensitive regexes over the model tag. For tier and for
 * specialisations separately, the first matching rule that sets them wins, and config's
 * `tier_rules` are checked before this table. More specific names come first (`qwen3-coder` is a
 * coder, not a thinking model; `qwen3-vl` is a vision model).
 */
export const BUILTIN_TIER_RULES: readonly TierRule[] = [
  // Embedding-only models: never routed chat.
  {
    match: 'embed|all-minilm|(^|/)bge([-:]|$)|paraphrase-multilingual',
    specialisations: ['embedding'],
  },
  // Code specialists.
  {
    match:
      'coder|codellama|code-llama|starcoder|codestral|devstral|codegemma|codeqwen|granite-code|stable-code|codegeex',
    specialisations: ['code'],
  },
  // Vision models.
  {
    match: 'llava|moondream|minicpm-v|vl\\b|vision',
    specialisations: ['vision'],
  },
  // Reasoning ("thinking") models.
  {
    match:
      'qwq|deepseek-r1|qwen3|phi4-reasoning|phi4-mini-reasoning|magistral|exaone-deep|openthinker|cogito|gpt-oss|marco-o1|smallthinker|deepscaler',
    specialisations: ['reasoning'],
  },
]

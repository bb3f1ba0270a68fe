/**
 * An answer's token counts and durations: the backend's own (its final chunk), never an estimate, summed
 * over the attempts that made one answer when it was continued on another server.
 */
import type { Attempt, AttemptUsage, TokenUsage } from '../../../shared/types'

/** The fields of a final chunk that make its usage, in Ollama's names; any may be absent. */
export type FinalCounts = { [K in keyof TokenUsage]?: number | undefined }

const FIELDS = [
  'prompt_eval_count',
  'eval_count',
  'total_duration',
  'load_duration',
  'prompt_eval_duration',
  'eval_duration',
] as const satisfies readonly (keyof TokenUsage)[]

/** No tokens, no time. */
export const NO_USAGE: TokenUsage = {
  prompt_eval_count: 0,
  eval_count: 0,
  total_duration: 0,
  load_duration: 0,
  prompt_eval_duration: 0,
  eval_duration: 0,
}

/** Ollama leaves a zero metric out of its JSON: an absent (or non-numeric) field counts as 0. */
function counted(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0
}

/**
 * One attempt's usage: its final chunk's counts when it got that far, else the chunks it streamed (Ollama
 * sends one generated token a chunk; the prompt count and durations are only ever in the final chunk).
 * Null when it produced nothing at all.
 */
export function attemptUsage(
  final: FinalCounts | null,
  streamedChunks: number,
): AttemptUsage | null {
  if (final) {
    const usage = { ...NO_USAGE, source: 'backend' as const }
    for (const k of FIELDS) usage[k] = counted(final[k])
    return usage
  }
  if (streamedChunks === 0) return null
  return { ...NO_USAGE, eval_count: streamedChunks, source: 'streamed' }
}

/** The usage of a whole answer: its attempts' counts added up, and whether more than one went in. */
export function answerUsage(attempts: readonly Attempt[]): { usage: TokenUsage; summed: boolean } {
  const usage = { ...NO_USAGE }
  let parts = 0
  for (const a of attempts) {
    if (!a.usage) continue
    parts += 1
    for (const k of FIELDS) usage[k] += a.usage[k]
  }
  return { usage, summed: parts > 1 }
}

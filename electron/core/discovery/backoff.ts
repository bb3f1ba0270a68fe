/** Delays for re-probing an offline server: 1 s, 2 s, 4 s … capped (default 60 s). */
export interface BackoffPolicy {
  baseMs: number
  maxMs: number
}

/** The default policy of the registry. */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 60_000 }

/**
 * Delay before the next probe after `failures` consecutive failed rounds (1 → base, 2 → 2 × base,
 * …, never above max). Zero or fewer failures → base.
 */
export function backoffDelayMs(failures: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const exponent = Math.max(0, Math.floor(failures) - 1)
  // 2 ** 1024 is Infinity: clamp the exponent before it can overflow.
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(exponent, 40))
}

/** Weight of the newest sample in the moving averages (latency, tokens/s). */
export const EWMA_ALPHA = 0.3

/**
 * Exponentially weighted moving average: the first sample is taken as is, later ones move the
 * average by `alpha` of the difference, so one slow probe does not swing routing.
 */
export function ewma(previous: number | null, sample: number, alpha: number = EWMA_ALPHA): number {
  if (previous === null || !Number.isFinite(previous)) return sample
  return previous + alpha * (sample - previous)
}

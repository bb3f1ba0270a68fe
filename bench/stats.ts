/** Small statistics for the benchmarks: medians, percentiles and trends of noisy samples. */

/** The p-th percentile (0–100) by nearest rank; NaN for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN
  const sorted = [...samples].sort((a, b) => a - b)
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? Number.NaN
}

/** The median (50th percentile, the mean of the middle two for an even count). */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN
  const sorted = [...samples].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? Number.NaN)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
}

/** Least-squares slope of y over x: the growth per unit of x (0 for fewer than two points). */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = Math.min(xs.length, ys.length)
  if (n < 2) return 0
  let sx = 0
  let sy = 0
  for (let i = 0; i < n; i++) {
    sx += xs[i] ?? 0
    sy += ys[i] ?? 0
  }
  const mx = sx / n
  const my = sy / n
  let num = 0
  let den = 0
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] ?? 0) - mx
    num += dx * ((ys[i] ?? 0) - my)
    den += dx * dx
  }
  return den === 0 ? 0 : num / den
}

/** Rounds to `digits` decimals, keeping the number a number (for JSON and tables). */
export function round(value: number, digits = 2): number {
  if (!Number.isFinite(value)) return value
  const f = 10 ** digits
  return Math.round(value * f) / f
}

/** Median and spread of a set of samples, as the report shows them. */
export interface Summary {
  n: number
  median: number
  p99: number
  min: number
  max: number
}

/** Summarises samples (rounded to 3 decimals). */
export function summarise(samples: readonly number[]): Summary {
  return {
    n: samples.length,
    median: round(median(samples), 3),
    p99: round(percentile(samples, 99), 3),
    min: round(samples.length ? Math.min(...samples) : Number.NaN, 3),
    max: round(samples.length ? Math.max(...samples) : Number.NaN, 3),
  }
}

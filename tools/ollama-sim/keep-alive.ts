/** Nanoseconds per unit of a Go duration string (time.ParseDuration). */
const UNIT_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
}

/** Parses a Go duration like `5m`, `1h30m`, `-1s`, `300ms`, `0` into milliseconds; null when invalid. */
export function parseGoDuration(text: string): number | null {
  const s = text.trim()
  if (s === '0' || s === '+0' || s === '-0') return 0
  const m = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(s)
  if (!m) return null
  const sign = m[1] === '-' ? -1 : 1
  let ns = 0
  for (const part of s
    .replace(/^[+-]/, '')
    .matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    ns += Number(part[1]) * (UNIT_NS[part[2] ?? ''] ?? 0)
  }
  return (sign * ns) / 1e6
}

/** How long a model stays loaded after a request: ms, or `forever` (negative keep_alive). */
export type KeepAlive = { kind: 'ms'; ms: number } | { kind: 'forever' }

/**
 * Reads a keep_alive value as Ollama does: a number is seconds, a string is a Go duration, anything
 * negative means forever. Returns the error text Ollama would answer for a bad value.
 */
export function parseKeepAlive(
  value: unknown,
): { ok: true; value: KeepAlive } | { ok: false; error: string } {
  if (typeof value === 'number' && Number.isFinite(value)) {
    return { ok: true, value: value < 0 ? { kind: 'forever' } : { kind: 'ms', ms: value * 1000 } }
  }
  if (typeof value === 'string') {
    const ms = parseGoDuration(value)
    if (ms === null) return { ok: false, error: `time: invalid duration "${value}"` }
    return { ok: true, value: ms < 0 ? { kind: 'forever' } : { kind: 'ms', ms } }
  }
  return {
    ok: false,
    error: `keep_alive must be a number of seconds or a duration string, got ${JSON.stringify(value)}`,
  }
}

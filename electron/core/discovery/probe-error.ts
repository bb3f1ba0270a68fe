/** What kind of failure a probe (or a chat request) met; decides how the registry reacts. */
export type FailureKind =
  'refused' | 'timeout' | 'dns' | 'http' | 'network' | 'cancelled' | 'bad-response'

/** A failure, described for people and for the registry. */
export interface FailureDescription {
  kind: FailureKind
  /** Short human text: "connection refused", "timed out after 2500 ms", "HTTP 500: boom". */
  reason: string
  /** HTTP status when the server answered with an error. */
  status: number | null
}

/** A probe of one server URL that failed; `message` is the short human reason. */
export class ProbeError extends Error {
  override readonly name = 'ProbeError'
  readonly kind: FailureKind

  constructor(
    readonly serverUrl: string,
    readonly status: number | null,
    opts: { kind: FailureKind; reason: string; cause?: unknown },
  ) {
    super(opts.reason, opts.cause === undefined ? undefined : { cause: opts.cause })
    this.kind = opts.kind
  }
}

const CODE_KINDS: Readonly<Record<string, [FailureKind, string]>> = {
  ECONNREFUSED: ['refused', 'connection refused'],
  ENOTFOUND: ['dns', 'DNS lookup failed'],
  EAI_AGAIN: ['dns', 'DNS lookup failed'],
  EAI_NONAME: ['dns', 'DNS lookup failed'],
  ETIMEDOUT: ['timeout', 'timed out'],
  UND_ERR_CONNECT_TIMEOUT: ['timeout', 'connect timed out'],
  UND_ERR_HEADERS_TIMEOUT: ['timeout', 'timed out waiting for response headers'],
  ECONNRESET: ['network', 'connection reset'],
  UND_ERR_SOCKET: ['network', 'connection closed'],
  EHOSTUNREACH: ['network', 'host unreachable'],
  ENETUNREACH: ['network', 'network unreachable'],
  EPIPE: ['network', 'connection closed'],
  // Reason codes our executor may attach (shared/types/reason-codes.ts).
  'connect-failed': ['refused', 'connection failed'],
  'connect-timeout': ['timeout', 'connect timed out'],
  // 'first-token-timeout' is left out on purpose: the server is reachable, only slow (cold load).
}

type Bag = Record<string, unknown>

function isBag(value: unknown): value is Bag {
  return typeof value === 'object' && value !== null
}

// fetch wraps the socket error: TypeError('fetch failed') → cause Error(code) or AggregateError.
function chainOf(err: unknown): unknown[] {
  const out: unknown[] = []
  const queue: unknown[] = [err]
  while (queue.length > 0 && out.length < 12) {
    const next = queue.shift()
    if (next === undefined || out.includes(next)) continue
    out.push(next)
    if (isBag(next)) {
      if (next.cause !== undefined) queue.push(next.cause)
      if (Array.isArray(next.errors)) queue.push(...(next.errors as unknown[]))
    }
  }
  return out
}

function clip(text: string, max = 160): string {
  const one = text.replace(/\s+/g, ' ').trim()
  return one.length > max ? `${one.slice(0, max - 1)}…` : one
}

/**
 * Describes any error from a call to an Ollama server (probe or chat) in a few words.
 * `timeoutMs` names the limit in "timed out after N ms" when the caller's own timer fired.
 */
export function describeFailure(
  err: unknown,
  opts: { timeoutMs?: number } = {},
): FailureDescription {
  if (err instanceof ProbeError) return { kind: err.kind, reason: err.message, status: err.status }
  const chain = chainOf(err)
  for (const item of chain) {
    if (!isBag(item)) continue
    if (item.name === 'ResponseError' && typeof item.status_code === 'number') {
      const text = typeof item.error === 'string' ? item.error : String(item.message ?? '')
      return {
        kind: 'http',
        reason: clip(`HTTP ${item.status_code}${text ? `: ${text}` : ''}`),
        status: item.status_code,
      }
    }
  }
  for (const item of chain) {
    if (!isBag(item)) continue
    for (const key of ['code', 'reason'] as const) {
      const code = item[key]
      if (typeof code !== 'string') continue
      const known = CODE_KINDS[code]
      if (known === undefined) continue
      const [kind, reason] = known
      if (kind === 'timeout' && opts.timeoutMs !== undefined) {
        return { kind, reason: `timed out after ${opts.timeoutMs} ms`, status: null }
      }
      return { kind, reason, status: null }
    }
  }
  for (const item of chain) {
    if (!isBag(item)) continue
    if (item.name === 'TimeoutError') {
      const reason =
        opts.timeoutMs === undefined ? 'timed out' : `timed out after ${opts.timeoutMs} ms`
      return { kind: 'timeout', reason, status: null }
    }
    if (item.name === 'AbortError') return { kind: 'cancelled', reason: 'cancelled', status: null }
    if (item instanceof SyntaxError) {
      return {
        kind: 'bad-response',
        reason: clip(`invalid response: ${item.message}`),
        status: null,
      }
    }
  }
  const message = err instanceof Error ? err.message : String(err)
  return { kind: 'network', reason: clip(message || 'request failed'), status: null }
}

/** Whether a failure means the server cannot be reached at all (so it is offline right now). */
export function isUnreachable(kind: FailureKind): boolean {
  return kind === 'refused' || kind === 'timeout' || kind === 'dns'
}

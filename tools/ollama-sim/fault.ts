import { FAULT_KINDS, type Fault } from './types'

/** A fault description that could not be read; `path` names the offending key. */
export class FaultError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`${path}: ${reason}`)
    this.name = 'FaultError'
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function nonNegativeInt(obj: Record<string, unknown>, key: string, path: string): number {
  const v = obj[key]
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new FaultError(`${path}.${key}`, `expected a whole number >= 0, got ${JSON.stringify(v)}`)
  }
  return v
}

/** Validates a fault value (from JSON, YAML or code); `path` prefixes the key in error messages. */
export function parseFault(value: unknown, path = 'fault'): Fault {
  if (typeof value === 'string') value = { kind: value }
  if (!isRecord(value))
    throw new FaultError(path, `expected an object with a "kind", got ${JSON.stringify(value)}`)
  const kind = value['kind']
  switch (kind) {
    case 'none':
    case 'stopped':
    case 'frozen':
    case 'hang':
    case 'wedged':
      return { kind }
    case 'crash':
    case 'no-done':
      return { kind, afterChunks: nonNegativeInt(value, 'afterChunks', path) }
    case 'slow-first-byte':
      return { kind, ms: nonNegativeInt(value, 'ms', path) }
    case 'http-error': {
      const status = value['status']
      if (status !== 500 && status !== 503) {
        throw new FaultError(`${path}.status`, `expected 500 or 503, got ${JSON.stringify(status)}`)
      }
      if (value['afterChunks'] === undefined) return { kind, status }
      return { kind, status, afterChunks: nonNegativeInt(value, 'afterChunks', path) }
    }
    case 'drop-after':
      return { kind, chunks: nonNegativeInt(value, 'chunks', path) }
    case 'malformed-chunk':
      return { kind, after: nonNegativeInt(value, 'after', path) }
    case 'trickle':
      return { kind, msPerChunk: nonNegativeInt(value, 'msPerChunk', path) }
    default:
      throw new FaultError(
        `${path}.kind`,
        `expected one of ${FAULT_KINDS.join(', ')}, got ${JSON.stringify(kind)}`,
      )
  }
}

/**
 * Reads the CLI form `kind[:arg]`: `stopped`, `frozen` (or `hang`), `wedged`, `slow-first-byte:2000`,
 * `http-error:503`, `drop-after:3`, `malformed-chunk:2`, `trickle:200`, `crash:3`, `no-done:3`.
 */
export function parseFaultShorthand(text: string): Fault {
  const [kind = '', arg] = text.split(':', 2)
  const n = arg === undefined ? undefined : Number(arg)
  const key: Record<string, string> = {
    'slow-first-byte': 'ms',
    'http-error': 'status',
    'drop-after': 'chunks',
    'malformed-chunk': 'after',
    trickle: 'msPerChunk',
    crash: 'afterChunks',
    'no-done': 'afterChunks',
  }
  const field = key[kind]
  if (field && n === undefined) throw new FaultError(`--fault ${text}`, `${kind} needs :<${field}>`)
  return parseFault(field ? { kind, [field]: n } : { kind }, `--fault ${text}`)
}

import type { SerializedError } from './chat'

/** Turns anything thrown into `{name, message}` for crossing a process boundary (style.md point 7). */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) return { name: err.name, message: err.message }
  return { name: 'Error', message: String(err) }
}

/** For exhaustive switches over tagged unions (style.md point 4). */
export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`)
}

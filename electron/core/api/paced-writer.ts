/**
 * Backpressure of a streamed answer (issue 13 point 2): a write that fills the client's buffer hands back
 * a promise the executor waits for before it reads the next chunk from the server, so a client that stops
 * reading stops the upstream stream instead of having the whole answer pulled into memory.
 */
import type { ServerResponse } from 'node:http'

/** Writes pieces of a streamed answer, pacing them by the client's reading. */
export interface PacedWriter {
  /** Writes `chunk`; a promise when the client's buffer is full (settles once it drained or gave up). */
  write(chunk: string): Promise<void> | undefined
  /** Whether the client stopped reading for longer than the stall limit. */
  readonly stalled: boolean
}

/**
 * A writer on `res`. A client that does not read for `stallMs` is given up: `onStall` runs (it cancels
 * the upstream request) and the pending promise settles, so the executor ends the attempt.
 */
export function pacedWriter(
  res: ServerResponse,
  stallMs: number,
  onStall: () => void,
): PacedWriter {
  let waiting: Promise<void> | null = null
  let stalled = false
  const drained = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const settle = (): void => {
        clearTimeout(timer)
        res.off('drain', settle)
        res.off('close', settle)
        waiting = null
        resolve()
      }
      const timer = setTimeout(() => {
        stalled = true
        settle()
        onStall()
      }, stallMs)
      res.on('drain', settle)
      res.on('close', settle)
    })
  return {
    write(chunk) {
      if (res.destroyed) return undefined
      res.write(chunk)
      if (!res.writableNeedDrain) return undefined
      waiting ??= drained()
      return waiting
    },
    get stalled() {
      return stalled
    },
  }
}

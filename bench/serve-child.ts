/**
 * `serve` in a child process for the resource benchmark, so its RSS is its own: started exactly as the
 * CLI starts it (stdout + log file logger) minus the web-UI build. Talks to the parent over IPC:
 * sends `{ kind: 'listening', url }`, answers `{ kind: 'memory' }` with `process.memoryUsage()`, stops on SIGTERM.
 * With `--baseline` it loads nothing of ours: the runtime's own RSS, for comparison.
 */
import { join } from 'node:path'

/** A message from the child to the parent. */
export type ChildMessage =
  | { kind: 'listening'; url: string }
  /** `heapUsed` is measured after a full GC (the child runs with --expose-gc): what is really retained. */
  /** `inFlight`: the API's requests in progress (0 in the baseline child). */
  | { kind: 'memory'; rss: number; heapUsed: number; external: number; inFlight: number }
  | { kind: 'failed'; message: string }

async function main(): Promise<void> {
  const [configPath, dataDir] = process.argv.slice(2)
  const send = (m: ChildMessage) => process.send?.(m)
  let inFlight = (): number => 0
  process.on('message', (m: { kind?: string }) => {
    if (m?.kind !== 'memory') return
    // RSS as the OS sees it first, untouched; then the live heap after a full collection.
    const rss = process.memoryUsage.rss()
    const gc = (globalThis as { gc?: () => void }).gc
    gc?.()
    const u = process.memoryUsage()
    send({ kind: 'memory', rss, heapUsed: u.heapUsed, external: u.external, inFlight: inFlight() })
  })
  if (configPath === '--baseline') {
    // The same runtime with nothing loaded: what Node costs before any of our code.
    process.on('disconnect', () => process.exit(0))
    process.on('SIGTERM', () => process.exit(0))
    send({ kind: 'listening', url: '' })
    return
  }
  if (!configPath || !dataDir) {
    send({ kind: 'failed', message: 'usage: serve-child.ts CONFIG DATA_DIR' })
    process.exit(2)
  }
  try {
    // Loaded only now, so the baseline child carries none of our modules.
    const { createLogger } = await import('../electron/core/logger')
    const { startServe } = await import('../electron/serve/serve')
    const serve = await startServe({
      configPath,
      dataDir,
      port: 0,
      buildUi: false,
      logger: createLogger({ file: join(dataDir, 'logs', 'aillm.log') }),
    })
    inFlight = () => serve.api.inFlight()
    const stop = () => void serve.close().then(() => process.exit(0))
    process.on('SIGTERM', stop)
    process.on('disconnect', stop)
    send({ kind: 'listening', url: serve.url })
  } catch (err) {
    send({ kind: 'failed', message: (err as Error).message })
    process.exit(1)
  }
}

void main()

/**
 * Model loads AILLM did not wait for (issue 12 point 2): when a message is answered elsewhere because its
 * model's load would take too long, the load still runs to its end, so the next message finds the model
 * in memory. Ollama aborts a load whose client leaves, so this keeps a client of its own waiting.
 */
import type { RoutingTarget } from '../../../shared/types'
import { Emitter } from '../emitter'
import type { Logger } from '../logger'
import type { FinalTimings, SchedulerModel } from '../scheduler/scheduler-model'

/** One background load, running or recently ended. */
export interface BackgroundLoad {
  serverId: string
  serverName: string
  model: string
  startedAt: number
  state: 'loading' | 'loaded' | 'failed'
  /** How long it took (ended loads). */
  ms: number | null
  error: string | null
}

export interface BackgroundLoadsOptions {
  /** Loads the model with an empty request (Ollama's "load" idiom) and resolves with its timings. */
  load(target: RoutingTarget, signal: AbortSignal): Promise<FinalTimings>
  /** The model's size on that server, for the scheduler model's load speed. */
  sizeOf(target: RoutingTarget): number
  scheduler: SchedulerModel
  logger: Logger
  /** Longest a background load may take before it is given up (default 10 min). */
  timeoutMs?: number
  now?: () => number
}

/** Ended loads kept in the snapshot, newest first. */
const KEEP_ENDED = 10

/** The loads running in the background; a snapshot and change events. */
export class BackgroundLoads {
  private readonly running = new Map<string, { load: BackgroundLoad; abort: AbortController }>()
  private ended: BackgroundLoad[] = []
  private readonly changes = new Emitter<BackgroundLoad[]>()
  readonly onDidChange = this.changes.event
  private readonly now: () => number

  constructor(private readonly opts: BackgroundLoadsOptions) {
    this.now = opts.now ?? Date.now
  }

  /** Starts loading target's model unless a load of it on that server already runs; says whether it started. */
  start(target: RoutingTarget): boolean {
    // The load's own request ends with the signal the tracker aborts: nothing else to give up.
    return this.track(
      target,
      () => undefined,
      (signal) =>
        this.opts.load(target, signal).then((timings) => {
          this.opts.scheduler.observe(
            target.serverId,
            target.model,
            this.opts.sizeOf(target),
            timings,
          )
        }),
    )
  }

  /**
   * Takes over a chat request that is still loading its model (the person was answered elsewhere):
   * `done` resolves true once the model answered, i.e. is loaded. Says whether it was taken over
   * (false when the same model already loads on that server; the caller then ends its request).
   */
  adopt(target: RoutingTarget, done: Promise<boolean>, abort: () => void): boolean {
    return this.track(target, abort, () =>
      done.then((loaded) => {
        if (!loaded) throw new Error('the server ended the request before the model answered')
      }),
    )
  }

  private track(
    target: RoutingTarget,
    giveUp: () => void,
    run: (signal: AbortSignal) => Promise<void>,
  ): boolean {
    const key = `${target.serverId}\u0000${target.model}`
    if (this.running.has(key)) return false
    const load: BackgroundLoad = {
      serverId: target.serverId,
      serverName: target.serverName,
      model: target.model,
      startedAt: this.now(),
      state: 'loading',
      ms: null,
      error: null,
    }
    const abort = new AbortController()
    abort.signal.addEventListener('abort', giveUp, { once: true })
    const timer = setTimeout(
      () => abort.abort(new Error('the load took too long')),
      this.opts.timeoutMs ?? 600_000,
    )
    // The timer must not keep a shutting-down process alive.
    timer.unref()
    this.running.set(key, { load, abort })
    this.opts.logger.info(`Loading ${target.model} on ${target.serverName} in the background`)
    this.changed()
    const stopped = new Promise<never>((_, reject) =>
      abort.signal.addEventListener('abort', () => reject(abort.signal.reason as Error), {
        once: true,
      }),
    )
    void Promise.race([run(abort.signal), stopped])
      .then(
        () => {
          this.finish(key, { state: 'loaded', error: null })
          this.opts.logger.info(
            `Loaded ${target.model} on ${target.serverName} in the background (${seconds(load)})`,
          )
        },
        (err: unknown) => {
          const error = err instanceof Error ? err.message : String(err)
          this.finish(key, { state: 'failed', error })
          this.opts.logger.warn(
            `Background load of ${target.model} on ${target.serverName} failed: ${error}`,
          )
        },
      )
      .finally(() => clearTimeout(timer))
    return true
  }

  /** Running loads first (oldest first), then the recently ended ones (newest first). */
  snapshot(): BackgroundLoad[] {
    return [...[...this.running.values()].map((r) => ({ ...r.load })), ...this.ended]
  }

  /** Gives up every running load (shutdown). */
  dispose(): void {
    for (const { abort } of this.running.values()) abort.abort(new Error('AILLM is shutting down'))
    this.changes.dispose()
  }

  private finish(key: string, end: Pick<BackgroundLoad, 'state' | 'error'>): void {
    const entry = this.running.get(key)
    if (!entry) return
    this.running.delete(key)
    const load = { ...entry.load, ...end, ms: this.now() - entry.load.startedAt }
    this.ended = [load, ...this.ended].slice(0, KEEP_ENDED)
    entry.load.ms = load.ms
    this.changed()
  }

  private changed(): void {
    this.changes.fire(this.snapshot())
  }
}

function seconds(load: BackgroundLoad): string {
  return `${Math.round((load.ms ?? 0) / 100) / 10} s`
}

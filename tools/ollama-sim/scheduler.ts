import type { KeepAlive } from './keep-alive'
import type { ResolvedModel } from './model-catalog'
import { needsReload, type RunnerOptions } from './request-options'
import type { SimLoadedModel } from './types'

/** Far enough to mean "forever" but still a valid date (Ollama reports ~292 years ahead too). */
const FOREVER_MS = 292 * 365 * 86_400_000

/** Raised when a request stops waiting for its turn (the client went away). */
export class QueueAbortedError extends Error {
  constructor(readonly model: string) {
    super(`request for ${model} left the queue: client disconnected`)
    this.name = 'QueueAbortedError'
  }
}

/** A first-come-first-served counting semaphore whose waits end when their signal aborts. */
export class Semaphore {
  private readonly waiters: (() => void)[] = []

  constructor(
    private free: number,
    private readonly label: string,
  ) {}

  /** Requests waiting for a unit. */
  get waiting(): number {
    return this.waiters.length
  }

  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(new QueueAbortedError(this.label))
    if (this.free > 0 && this.waiters.length === 0) {
      this.free -= 1
      return Promise.resolve()
    }
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const at = this.waiters.indexOf(wake)
        if (at >= 0) this.waiters.splice(at, 1)
        reject(new QueueAbortedError(this.label))
      }
      const wake = (): void => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }
      this.waiters.push(wake)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  release(): void {
    const next = this.waiters.shift()
    if (next) next()
    else this.free += 1
  }
}

/** A model in memory: Ollama's runner. */
interface Runner {
  model: ResolvedModel
  options: RunnerOptions
  /** Sticks to the runner: a request without keep_alive keeps the last one given. */
  keepAlive: KeepAlive
  sizeVram: number
  expiresAt: number | null
  /** Requests holding the runner (running or waiting for one of its slots). */
  refs: number
  slots: Semaphore
  /** Chosen for an unload (eviction, reload): new requests must not keep it busy. */
  draining: boolean
}

/** A request's hold on a loaded model. */
export interface Lease {
  /** Simulated ms this request spent loading the model (0 when it was loaded already). */
  loadMs: number
  /** Done with the model: its keep_alive clock starts now. */
  release(): void
  /** The runner died: the model is no longer loaded. */
  crash(): void
}

export interface SchedulerOptions {
  now: () => number
  /** Waits out a load of `ms` simulated ms (scaled, fault-aware); rejects when the signal aborts. */
  waitLoad: (ms: number, signal: AbortSignal) => Promise<void>
  /** Simulated load time of a model. */
  loadMs: (model: ResolvedModel) => number
  /** GPU memory budget in bytes; undefined = no limit. */
  vramBytes?: number | undefined
  /** At most this many models loaded; undefined or 0 = no limit. */
  maxLoadedModels?: number | undefined
  /** Slots per model (OLLAMA_NUM_PARALLEL). */
  numParallel: number
}

/**
 * One server's model scheduler, as Ollama's server/sched.go has it: loads run one at a time;
 * before a load, idle models are evicted until the new one fits the memory budget and the model
 * count, and a busy one is waited for when no idle one is left; a change of runner options reloads
 * the model once its requests are done; each loaded model serves `numParallel` requests at once,
 * the others wait for a slot in arrival order. Expiry is checked lazily on every read, so no timers
 * outlive the server.
 */
export class Scheduler {
  private readonly runners = new Map<string, Runner>()
  private readonly loadLock = new Semaphore(1, 'a load')
  private loadingName: string | null = null
  private watchers: (() => void)[] = []
  /** Finished loads by model. */
  readonly loads = new Map<string, number>()

  constructor(private readonly opts: SchedulerOptions) {}

  /** Requests waiting to be scheduled (for a load, an eviction or a reload). */
  get queued(): number {
    return this.loadLock.waiting
  }

  /** The model being loaded now; it is not listed as loaded until the load ends. */
  get loading(): string | null {
    return this.loadingName
  }

  /**
   * Waits until the model is loaded with these options and one of its slots is free, loading it
   * (after making room) when needed. `keepAlive` null = the request gave none: a loaded runner
   * keeps its own, a new one gets `defaultKeepAlive`.
   */
  async acquire(
    model: ResolvedModel,
    options: RunnerOptions,
    keepAlive: KeepAlive | null,
    defaultKeepAlive: KeepAlive,
    signal: AbortSignal,
  ): Promise<Lease> {
    let loadMs = 0
    let runner = this.usable(model.name, options)
    if (runner) {
      runner.refs += 1
    } else {
      await this.loadLock.acquire(signal)
      try {
        runner = this.usable(model.name, options)
        if (!runner) {
          await this.unloadForReload(model.name, signal)
          await this.makeRoom(model, signal)
          loadMs = this.opts.loadMs(model)
          this.loadingName = model.name
          try {
            await this.opts.waitLoad(loadMs, signal)
          } finally {
            this.loadingName = null
          }
          runner = {
            model,
            options,
            keepAlive: keepAlive ?? defaultKeepAlive,
            sizeVram: this.vramOf(model),
            expiresAt: null,
            refs: 0,
            slots: new Semaphore(Math.max(1, this.opts.numParallel), model.name),
            draining: false,
          }
          this.runners.set(model.name, runner)
          this.loads.set(model.name, (this.loads.get(model.name) ?? 0) + 1)
        }
        runner.refs += 1
      } finally {
        this.loadLock.release()
      }
    }
    const held = runner
    if (keepAlive) held.keepAlive = keepAlive
    held.expiresAt = this.expiry(held.keepAlive)
    try {
      await held.slots.acquire(signal)
    } catch (err) {
      this.letGo(held)
      throw err
    }
    let released = false
    return {
      loadMs,
      release: () => {
        if (released) return
        released = true
        held.slots.release()
        this.letGo(held)
      },
      crash: () => this.unload(held),
    }
  }

  /** Unloads a model now when idle, else as soon as its requests are done (keep_alive 0). */
  unloadSoon(name: string): void {
    const runner = this.runners.get(name)
    if (!runner) return
    if (runner.refs === 0) this.unload(runner)
    else runner.keepAlive = { kind: 'ms', ms: 0 }
  }

  /** Unloads every model for which `keep` says no (after a model list change). */
  retain(keep: (name: string) => boolean): void {
    for (const runner of [...this.runners.values()])
      if (!keep(runner.model.name)) this.unload(runner)
  }

  /** Loaded models, longest remaining time first (the order of /api/ps). */
  list(): SimLoadedModel[] {
    this.purge()
    return [...this.runners.values()]
      .map((r) => ({
        name: r.model.name,
        expiresAt: r.expiresAt,
        contextLength: r.options.numCtx,
        sizeVram: r.sizeVram,
        active: r.refs,
        waiting: r.slots.waiting,
      }))
      .sort((a, b) => (b.expiresAt ?? Infinity) - (a.expiresAt ?? Infinity))
  }

  /** The date /api/ps shows for a loaded model. */
  expiresAtIso(entry: SimLoadedModel): string {
    return new Date(entry.expiresAt ?? this.opts.now() + FOREVER_MS).toISOString()
  }

  /** A loaded runner that can serve these options, not about to be unloaded. */
  private usable(name: string, options: RunnerOptions): Runner | undefined {
    this.purge()
    const runner = this.runners.get(name)
    if (!runner || runner.draining || needsReload(runner.options, options)) return undefined
    return runner
  }

  /** A runner loaded with other options is unloaded once its requests are done. */
  private async unloadForReload(name: string, signal: AbortSignal): Promise<void> {
    const old = this.runners.get(name)
    if (!old) return
    await this.drain(old, signal)
  }

  /** Evicts idle models (soonest to expire first), waiting for busy ones, until `model` fits. */
  private async makeRoom(model: ResolvedModel, signal: AbortSignal): Promise<void> {
    const need = this.vramOf(model)
    for (;;) {
      this.purge()
      const all = [...this.runners.values()]
      const max = this.opts.maxLoadedModels ?? 0
      const countFits = max <= 0 || all.length < max
      const used = all.reduce((n, r) => n + r.sizeVram, 0)
      const budget = this.opts.vramBytes
      const vramFits = budget === undefined || used + need <= budget
      if (countFits && vramFits) return
      // Only models that take GPU memory make room for one that needs it.
      const candidates = countFits ? all.filter((r) => r.sizeVram > 0) : all
      const victim = candidates.sort(
        (a, b) =>
          Number(a.refs > 0) - Number(b.refs > 0) ||
          (a.expiresAt ?? Infinity) - (b.expiresAt ?? Infinity),
      )[0]
      // Stryker disable next-line ConditionalExpression: a budget smaller than the model alone is capped in vramOf, so some loaded model always takes memory here
      if (!victim) return
      await this.drain(victim, signal)
    }
  }

  /** Marks a runner for unloading, waits until no request holds it, then unloads it. */
  private async drain(runner: Runner, signal: AbortSignal): Promise<void> {
    runner.draining = true
    try {
      await this.until(() => runner.refs === 0, signal)
    } catch (err) {
      runner.draining = false
      throw err
    }
    this.unload(runner)
  }

  /** GPU memory a model takes once loaded: all of it, or the whole budget (partial offload). */
  private vramOf(model: ResolvedModel): number {
    const budget = this.opts.vramBytes
    return budget === undefined ? model.sizeVram : Math.min(model.sizeVram, budget)
  }

  private letGo(runner: Runner): void {
    runner.refs = Math.max(0, runner.refs - 1)
    runner.expiresAt = this.expiry(runner.keepAlive)
    const zero = runner.keepAlive.kind === 'ms' && runner.keepAlive.ms === 0
    if (runner.refs === 0 && zero) this.unload(runner)
    this.notify()
  }

  private unload(runner: Runner): void {
    if (this.runners.get(runner.model.name) === runner) this.runners.delete(runner.model.name)
    this.notify()
  }

  private expiry(keepAlive: KeepAlive): number | null {
    return keepAlive.kind === 'forever' ? null : this.opts.now() + keepAlive.ms
  }

  private purge(): void {
    const now = this.opts.now()
    for (const runner of [...this.runners.values()]) {
      if (runner.refs === 0 && runner.expiresAt !== null && runner.expiresAt <= now) {
        this.unload(runner)
      }
    }
  }

  /** Resolves once `ready()` holds, re-checked whenever a runner is let go or unloaded. */
  private until(ready: () => boolean, signal: AbortSignal): Promise<void> {
    if (ready()) return Promise.resolve()
    if (signal.aborted) return Promise.reject(new QueueAbortedError('an unload'))
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!ready()) return void this.watchers.push(check)
        signal.removeEventListener('abort', onAbort)
        resolve()
      }
      const onAbort = (): void => {
        this.watchers = this.watchers.filter((w) => w !== check)
        reject(new QueueAbortedError('an unload'))
      }
      this.watchers.push(check)
      signal.addEventListener('abort', onAbort, { once: true })
    })
  }

  private notify(): void {
    const watchers = this.watchers
    this.watchers = []
    for (const check of watchers) check()
  }
}

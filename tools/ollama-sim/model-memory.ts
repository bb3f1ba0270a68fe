import type { KeepAlive } from './keep-alive'
import type { SimLoadedModel } from './types'

/** Far enough to mean "forever" but still a valid date (Ollama reports ~292 years ahead too). */
const FOREVER_MS = 292 * 365 * 86_400_000

interface Slot {
  expiresAt: number | null
  /** Requests using the model right now; a model in use never expires under them. */
  active: number
}

/**
 * Which models are in memory and until when. Expiry is checked lazily on every read, so no timers
 * outlive the server and a negative keep_alive (forever) needs no special timer handling.
 */
export class ModelMemory {
  private readonly slots = new Map<string, Slot>()

  constructor(private readonly now: () => number = Date.now) {}

  /** True when the model is in memory now. */
  isLoaded(name: string): boolean {
    this.purge()
    return this.slots.has(name)
  }

  /** A request starts using the model (after loading it when it was cold). */
  begin(name: string, keepAlive: KeepAlive): void {
    this.purge()
    const slot = this.slots.get(name) ?? { expiresAt: null, active: 0 }
    slot.active += 1
    slot.expiresAt = this.expiry(keepAlive)
    this.slots.set(name, slot)
  }

  /** A request is done: the keep_alive clock starts now; keep_alive 0 unloads at once. */
  end(name: string, keepAlive: KeepAlive): void {
    const slot = this.slots.get(name)
    if (!slot) return
    slot.active = Math.max(0, slot.active - 1)
    slot.expiresAt = this.expiry(keepAlive)
    if (slot.active === 0 && keepAlive.kind === 'ms' && keepAlive.ms === 0) this.slots.delete(name)
  }

  /** Loads the model without a request (empty /api/chat or /api/generate). */
  load(name: string, keepAlive: KeepAlive): void {
    this.begin(name, keepAlive)
    this.end(name, keepAlive)
  }

  unload(name: string): void {
    this.slots.delete(name)
  }

  /** Keep only the models for which `keep` says yes (after a model list change). */
  retain(keep: (name: string) => boolean): void {
    for (const name of [...this.slots.keys()]) if (!keep(name)) this.slots.delete(name)
  }

  /** Loaded models, longest remaining time first (the order of /api/ps). */
  list(): SimLoadedModel[] {
    this.purge()
    return [...this.slots.entries()]
      .map(([name, slot]) => ({ name, expiresAt: slot.expiresAt }))
      .sort((a, b) => (b.expiresAt ?? Infinity) - (a.expiresAt ?? Infinity))
  }

  /** The date /api/ps shows for a loaded model. */
  expiresAtIso(entry: SimLoadedModel): string {
    return new Date(entry.expiresAt ?? this.now() + FOREVER_MS).toISOString()
  }

  private expiry(keepAlive: KeepAlive): number | null {
    return keepAlive.kind === 'forever' ? null : this.now() + keepAlive.ms
  }

  private purge(): void {
    const now = this.now()
    for (const [name, slot] of this.slots) {
      if (slot.active === 0 && slot.expiresAt !== null && slot.expiresAt <= now)
        this.slots.delete(name)
    }
  }
}

/** Raised when a request stops waiting for its turn (the client went away). */
export class QueueAbortedError extends Error {
  constructor(readonly model: string) {
    super(`request for ${model} left the queue: client disconnected`)
    this.name = 'QueueAbortedError'
  }
}

/**
 * One request at a time per model, first come first served (Ollama's OLLAMA_NUM_PARALLEL=1);
 * different models run side by side. `pending` counts waiting and running requests server-wide.
 */
export class ModelQueues {
  private readonly busy = new Set<string>()
  private readonly waiters = new Map<string, (() => void)[]>()
  pending = 0

  /** Waits for the model's turn; the returned function releases it. */
  acquire(model: string, signal?: AbortSignal): Promise<() => void> {
    this.pending += 1
    let released = false
    const release = (): void => {
      if (released) return
      released = true
      this.pending -= 1
      const next = this.waiters.get(model)?.shift()
      if (next) next()
      else this.busy.delete(model)
    }
    if (!this.busy.has(model)) {
      this.busy.add(model)
      return Promise.resolve(release)
    }
    return new Promise((resolve, reject) => {
      const queue = this.waiters.get(model) ?? []
      this.waiters.set(model, queue)
      const onAbort = (): void => {
        const at = queue.indexOf(wake)
        if (at >= 0) queue.splice(at, 1)
        this.pending -= 1
        reject(new QueueAbortedError(model))
      }
      const wake = (): void => {
        signal?.removeEventListener('abort', onAbort)
        resolve(release)
      }
      queue.push(wake)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }
}

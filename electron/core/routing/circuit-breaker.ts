import type { BreakerState } from '../../../shared/types'
import { Emitter } from '../emitter'

/** Options of a CircuitBreaker; every one has a default. */
export interface CircuitBreakerOptions {
  /** Consecutive soft failures (HTTP 500, a broken stream) that open the breaker. Default 3. */
  failureThreshold?: number
  /** Consecutive hard failures (connection refused, timeout) that open it. Default 1: at once. */
  hardFailureThreshold?: number
  /** How long the first opening lasts; each re-open without a success in between doubles it. */
  openMs?: number
  /** Longest opening. Default 2 minutes. */
  maxOpenMs?: number
  /** Clock in epoch ms, injectable for tests. */
  now?: () => number
  /**
   * Fire `onDidChange` when an opening expires even if nobody asks (a timer per open breaker),
   * so a server list shows "half-open" without polling. Default true; tests with a fake clock turn it off.
   */
  timers?: boolean
}

/** How a failure counts: hard ones (the server is not there) open the breaker sooner. */
export interface FailureKind {
  hard?: boolean
}

interface Entry {
  state: 'closed' | 'open' | 'half-open'
  soft: number
  hard: number
  /** Consecutive openings without a success; sets the doubling. */
  opens: number
  openUntil: number
  /** When the half-open trial was handed out; null while none is out. */
  trialAt: number | null
  timer: ReturnType<typeof setTimeout> | null
}

/**
 * A circuit breaker per server id: closed → open after failures → half-open after a while, when
 * `allow` lets exactly one trial through; its success closes the breaker, its failure re-opens
 * it for twice as long (up to `maxOpenMs`). Unknown ids are closed.
 */
export class CircuitBreaker {
  private readonly entries = new Map<string, Entry>()
  private readonly changed = new Emitter<string>()
  private readonly softThreshold: number
  private readonly hardThreshold: number
  private readonly openMs: number
  private readonly maxOpenMs: number
  private readonly now: () => number
  private readonly timers: boolean

  /** Fires the server id whenever that server's breaker state changes. */
  readonly onDidChange: Emitter<string>['event'] = this.changed.event

  constructor(opts: CircuitBreakerOptions = {}) {
    this.softThreshold = positiveInt(opts.failureThreshold ?? 3, 'failureThreshold')
    this.hardThreshold = positiveInt(opts.hardFailureThreshold ?? 1, 'hardFailureThreshold')
    this.openMs = positiveInt(opts.openMs ?? 10_000, 'openMs')
    this.maxOpenMs = Math.max(this.openMs, positiveInt(opts.maxOpenMs ?? 120_000, 'maxOpenMs'))
    this.now = opts.now ?? Date.now
    this.timers = opts.timers ?? true
  }

  /** The breaker's state now; an expired opening reads (and becomes) half-open. */
  state(serverId: string): BreakerState {
    const e = this.entries.get(serverId)
    if (!e) return 'closed'
    this.expire(serverId, e)
    return e.state
  }

  /**
   * Whether a request may go to this server now. In half-open only one trial is let through
   * until it reports; a trial that never reports (cancelled) is replaced after `openMs`.
   */
  allow(serverId: string): boolean {
    const e = this.entries.get(serverId)
    if (!e) return true
    this.expire(serverId, e)
    switch (e.state) {
      case 'closed':
        return true
      case 'open':
        return false
      case 'half-open': {
        const t = this.now()
        if (e.trialAt !== null && t - e.trialAt < this.openMs) return false
        e.trialAt = t
        return true
      }
    }
  }

  /** A request to the server succeeded: the breaker closes and forgets past failures. */
  recordSuccess(serverId: string): void {
    const e = this.entries.get(serverId)
    if (!e) return
    const was = e.state
    this.clearTimer(e)
    e.state = 'closed'
    e.soft = 0
    e.hard = 0
    e.opens = 0
    e.trialAt = null
    if (was !== 'closed') this.changed.fire(serverId)
  }

  /** A request to the server failed; `hard` for connect refused or timeouts. */
  recordFailure(serverId: string, kind: FailureKind = {}): void {
    const e = this.entry(serverId)
    this.expire(serverId, e)
    switch (e.state) {
      case 'open':
        // Requests that were already in flight when it opened: no news, and no longer opening.
        return
      case 'half-open':
        this.open(serverId, e)
        return
      case 'closed':
        if (kind.hard === true) e.hard++
        else e.soft++
        if (e.hard >= this.hardThreshold || e.soft + e.hard >= this.softThreshold) {
          this.open(serverId, e)
        }
    }
  }

  /** Every server with a known breaker and its state (closed ones included). */
  snapshot(): Record<string, BreakerState> {
    const out: Record<string, BreakerState> = {}
    for (const id of this.entries.keys()) out[id] = this.state(id)
    return out
  }

  /** Forgets a server (removed from config): its breaker reads closed again. */
  forget(serverId: string): void {
    const e = this.entries.get(serverId)
    if (!e) return
    this.clearTimer(e)
    this.entries.delete(serverId)
    if (e.state !== 'closed') this.changed.fire(serverId)
  }

  /** Stops the timers and drops the listeners. */
  dispose(): void {
    for (const e of this.entries.values()) this.clearTimer(e)
    this.changed.dispose()
  }

  private entry(serverId: string): Entry {
    let e = this.entries.get(serverId)
    if (!e) {
      e = { state: 'closed', soft: 0, hard: 0, opens: 0, openUntil: 0, trialAt: null, timer: null }
      this.entries.set(serverId, e)
    }
    return e
  }

  private open(serverId: string, e: Entry): void {
    const ms = Math.min(this.maxOpenMs, this.openMs * 2 ** Math.min(e.opens, 30))
    e.opens++
    e.state = 'open'
    e.soft = 0
    e.hard = 0
    e.trialAt = null
    e.openUntil = this.now() + ms
    this.clearTimer(e)
    if (this.timers) this.arm(serverId, e)
    this.changed.fire(serverId)
  }

  /** Wakes up when the opening ends; timers may fire a little early, so it re-arms until it has. */
  private arm(serverId: string, e: Entry): void {
    e.timer = setTimeout(
      () => {
        e.timer = null
        // Every way out of "open" clears this timer, so it only ever fires while open.
        if (this.now() < e.openUntil) this.arm(serverId, e)
        else this.state(serverId)
      },
      Math.max(1, e.openUntil - this.now()),
    )
    // Stryker disable next-line OptionalChaining: Node's timers (and Vitest's fake ones) always have unref; the ?. is defence for other hosts
    e.timer.unref?.()
  }

  private expire(serverId: string, e: Entry): void {
    if (e.state === 'open' && this.now() >= e.openUntil) {
      e.state = 'half-open'
      e.trialAt = null
      this.clearTimer(e)
      this.changed.fire(serverId)
    }
  }

  private clearTimer(e: Entry): void {
    if (e.timer !== null) {
      clearTimeout(e.timer)
      e.timer = null
    }
  }
}

function positiveInt(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`CircuitBreaker: ${name} must be a positive number, got ${value}`)
  }
  return value
}

/**
 * Watches one attempt's silence and tells legitimate waits from a broken server (ollama-behaviour.md,
 * "Silence is normal" and "Hung is different from slow"): a side probe on a short timeout finds a frozen
 * box within ~2 s; the scheduler model's prediction (queue + load + prompt) plus a margin bounds a wedged
 * runner; a wait longer than the person should sit through is handed elsewhere; and meanwhile the person
 * is told why it is quiet and for how long.
 */
import type { WaitProgress } from '../../../shared/types'
import type { WaitPrediction } from '../scheduler/scheduler-model'

/** The limits a watch works within (from `timeouts` in the config). */
export interface SilenceLimits {
  /** Extra time past the prediction before a silent runner counts as wedged (at least). */
  wedgeMarginMs: number
  /** Upper bound of a warm model's unexplained wait (the prediction's prompt and queue time extend it). */
  firstTokenMs: number
  /** Upper bound of a cold model's load wait; a predicted load + queue beyond it goes elsewhere at once. */
  coldFirstTokenMs: number
  /** Longest silence between chunks once the answer has started. */
  stallMs: number
  /** Silence after which the side probe starts, then its period and its own timeout. */
  probeAfterMs: number
  probeEveryMs: number
  probeTimeoutMs: number
}

/** Why the watch gave up on the attempt. */
export type SilenceVerdict =
  | { kind: 'frozen'; detail: string }
  | { kind: 'offline'; detail: string }
  /** `cold`: whether the model was (still) to be loaded when the deadline passed. */
  | { kind: 'wedged'; ms: number; detail: string; cold: boolean }
  | { kind: 'stall'; ms: number; detail: string }
  /** The predicted wait (load, queue) is longer than the person should sit through: answer elsewhere. */
  | { kind: 'too-long'; ms: number; detail: string }

export interface SilenceWatchOptions {
  model: string
  serverName: string
  prediction: WaitPrediction
  /** The model must be loaded first (the prediction's load may still be 0 when its size is unknown). */
  cold: boolean
  limits: SilenceLimits
  /** Whether another target could answer instead (no "too long" without one). */
  hasAlternative: boolean
  /**
   * A cheap status request to the server that rejects on failure (aborted on its timeout). It may
   * resolve to whether the model is resident (`/api/ps`): a "warm" model that is not was evicted, and
   * its wait becomes a load.
   */
  probe(signal: AbortSignal): Promise<boolean | undefined>
  /** The prediction should the model turn out to need a load after all (evicted meanwhile). */
  coldPrediction?: WaitPrediction
  /** The prediction should a "cold" model turn out to be in memory already (loaded since). */
  warmPrediction?: WaitPrediction
  /** Whether the registry already knows the server is offline. */
  isOffline(): boolean
  onProgress(progress: WaitProgress): void
  onVerdict(verdict: SilenceVerdict): void
  now?: () => number
}

/** How often the watch looks at the clock (phase changes, deadlines, probe schedule). */
export const SILENCE_TICK_MS = 250

const seconds = (ms: number): string => `${Math.max(1, Math.round(ms / 1000))} s`

/** One attempt's watch: `start`, then `sawLife` on every chunk, `stop` when the attempt ends. */
export class SilenceWatch {
  private readonly now: () => number
  private readonly startedAt: number
  private lastLifeAt: number
  private started = false
  private answering = false
  private thinking = false
  private phase: WaitProgress['phase'] | null = null
  private ticker: NodeJS.Timeout | null = null
  private deadlineTimer: NodeJS.Timeout | null = null
  private nextProbeAt: number
  private probing: AbortController | null = null
  private done = false
  /** Our own caller holds the stream (its client reads slowly): the server is not being read. */
  private paused = false
  /** When the first byte is due at the latest (ms after start). */
  deadlineMs = 0
  /** Whether a configured upper bound, not the prediction, set the deadline. */
  private capped = false
  /** Whether the load time (if any) is known from this server's own measured loads. */
  private loadKnown = true
  private boundText = ''
  private cold: boolean
  private prediction: WaitPrediction
  /** When the current prediction starts (ms after start): later than 0 once an eviction showed. */
  private offsetMs = 0

  constructor(private readonly o: SilenceWatchOptions) {
    this.now = o.now ?? Date.now
    this.startedAt = this.now()
    this.lastLifeAt = this.startedAt
    this.nextProbeAt = this.startedAt + o.limits.probeAfterMs
    this.cold = o.cold
    this.prediction = o.prediction
    this.plan()
  }

  /** Sets the deadline from the prediction and the limits. */
  private plan(): void {
    const { o, cold } = this
    const p = this.prediction
    const margin = Math.max(o.limits.wedgeMarginMs, Math.round(p.totalMs / 4))
    const bound =
      (cold ? o.limits.coldFirstTokenMs : o.limits.firstTokenMs) + p.promptMs + p.queueMs
    const predicted = p.totalMs + margin
    // A load of unknown length (the model's size or this server's disk speed not yet measured):
    // only the upper bound can tell. Without an alternative a long load is still worth its wait:
    // the bound gives way to a measured prediction.
    this.loadKnown = !cold || (p.loadMs > 0 && p.measured.load)
    this.capped = !this.loadKnown || (!(cold && !o.hasAlternative) && bound <= predicted)
    this.deadlineMs = this.offsetMs + (this.capped ? bound : predicted)
    // Checked on the dot, not at the next tick: the deadline is what the person waits for.
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer)
    if (this.started && !this.done) this.armDeadline()
    const limit = cold ? 'cold_first_token_ms' : 'first_token_ms'
    const extra = p.promptMs + p.queueMs
    this.boundText = `${limit} ${bound - extra} ms${extra > 0 ? ` + ${extra} ms for the queue and prompt` : ''}`
  }

  start(): void {
    if (this.started) return
    this.started = true
    const p = this.prediction
    // Only a measured load speed hands a message elsewhere before trying: an assumed one could be
    // far too pessimistic (the model may even sit in the page cache).
    const tooLong = p.queueMs + (this.loadKnown ? p.loadMs : 0) > this.o.limits.coldFirstTokenMs
    if (this.o.hasAlternative && tooLong) {
      const what = p.loadMs > 0 ? `loading ${this.o.model}` : `the queue for ${this.o.model}`
      this.finish({
        kind: 'too-long',
        ms: p.queueMs + p.loadMs,
        detail: `${what} on ${this.o.serverName} would take about ${seconds(p.queueMs + p.loadMs)}`,
      })
      return
    }
    this.report()
    this.ticker = setInterval(() => this.tick(), SILENCE_TICK_MS)
    this.armDeadline()
  }

  /** A chunk arrived: content, thinking or a tool call. */
  sawLife(kind: 'content' | 'thinking' | 'tool'): void {
    this.lastLifeAt = this.now()
    this.nextProbeAt = this.lastLifeAt + this.o.limits.probeAfterMs
    if (kind === 'thinking' && !this.answering && !this.thinking) {
      this.thinking = true
      this.emit('thinking', null, `${this.o.model} is thinking on ${this.o.serverName}…`)
    }
    if (kind !== 'thinking') this.answering = true
  }

  /** We stopped reading the server (our caller's client is slow): its silence does not count meanwhile. */
  pause(): void {
    this.paused = true
  }

  /** Reading again: the server's silence is counted from now. */
  resume(): void {
    if (!this.paused) return
    this.paused = false
    this.lastLifeAt = this.now()
    this.nextProbeAt = this.lastLifeAt + this.o.limits.probeAfterMs
  }

  private armDeadline(): void {
    const wait = Math.max(0, this.startedAt + this.deadlineMs - this.now())
    this.deadlineTimer = setTimeout(() => this.tick(), wait)
  }

  stop(): void {
    this.done = true
    if (this.ticker) clearInterval(this.ticker)
    this.ticker = null
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer)
    this.deadlineTimer = null
    this.probing?.abort()
    this.probing = null
  }

  private finish(verdict: SilenceVerdict): void {
    if (this.done) return
    this.stop()
    this.o.onVerdict(verdict)
  }

  private tick(): void {
    if (this.done || this.paused) return
    const now = this.now()
    const elapsed = now - this.startedAt
    const alive = this.answering || this.thinking
    if (!alive && elapsed >= this.deadlineMs) {
      const p = this.prediction
      const expected = this.capped
        ? ` (${this.boundText})`
        : p.totalMs > 0
          ? ` (expected ${p.totalMs < 1000 ? `${p.totalMs} ms` : `about ${seconds(p.totalMs)}`})`
          : ' (nothing explains the wait)'
      this.finish({
        kind: 'wedged',
        ms: this.deadlineMs,
        cold: this.cold,
        detail: `no first token within ${this.deadlineMs} ms${expected}`,
      })
      return
    }
    if (alive && now - this.lastLifeAt >= this.o.limits.stallMs) {
      this.finish({
        kind: 'stall',
        ms: this.o.limits.stallMs,
        detail: `stream stalled for ${this.o.limits.stallMs} ms`,
      })
      return
    }
    if (this.o.isOffline()) {
      this.finish({ kind: 'offline', detail: `${this.o.serverName} went offline` })
      return
    }
    if (now >= this.nextProbeAt && this.probing === null) this.sideProbe()
    if (!alive) this.report()
  }

  private sideProbe(): void {
    const controller = new AbortController()
    this.probing = controller
    const timer = setTimeout(() => controller.abort(), this.o.limits.probeTimeoutMs)
    const began = this.now()
    this.o.probe(controller.signal).then(
      (resident) => {
        clearTimeout(timer)
        if (this.probing !== controller) return
        this.probing = null
        this.nextProbeAt = this.now() + this.o.limits.probeEveryMs
        if (this.answering || this.thinking) return
        if (resident === false && !this.cold) this.evicted()
        else if (resident === true && this.cold) this.resident()
      },
      () => {
        clearTimeout(timer)
        if (this.probing !== controller || this.done) return
        this.probing = null
        const waited = this.now() - began
        this.finish({
          kind: 'frozen',
          detail: `${this.o.serverName} stopped answering (no reply to a status check within ${waited} ms)`,
        })
      },
    )
  }

  /** The model we thought loaded is not (evicted since): its wait is a load now. */
  private evicted(): void {
    this.cold = true
    this.prediction = this.o.coldPrediction ?? this.prediction
    // The load starts about now, not when the attempt did.
    this.offsetMs = this.now() - this.startedAt
    this.plan()
    this.emit(
      'loading',
      this.prediction.totalMs,
      `Loading ${this.o.model} on ${this.o.serverName} — it had been unloaded`,
    )
  }

  /** The model we thought cold is in memory (loaded since the router looked): no load to wait for. */
  private resident(): void {
    this.cold = false
    this.prediction = this.o.warmPrediction ?? { ...this.prediction, loadMs: 0 }
    this.prediction = {
      ...this.prediction,
      totalMs: this.prediction.queueMs + this.prediction.promptMs,
    }
    this.offsetMs = this.now() - this.startedAt
    this.plan()
  }

  /** Says what the wait is, when its phase changes. */
  private report(): void {
    const p = this.prediction
    const elapsed = this.now() - this.startedAt - this.offsetMs
    const { model, serverName } = this.o
    if (elapsed < p.queueMs) {
      const n = p.queueAhead
      this.emit(
        'queued',
        p.totalMs - elapsed,
        `${n} request${n === 1 ? '' : 's'} ahead on ${serverName} — about ${seconds(p.queueMs - elapsed)}`,
      )
    } else if (elapsed < p.queueMs + p.loadMs) {
      this.emit(
        'loading',
        p.totalMs - elapsed,
        `Loading ${model} on ${serverName} — about ${seconds(p.queueMs + p.loadMs - elapsed)}`,
      )
    } else if (elapsed < p.totalMs && p.promptMs >= 2000) {
      this.emit(
        'reading',
        p.totalMs - elapsed,
        `Reading a long conversation on ${serverName} — about ${seconds(p.totalMs - elapsed)}`,
      )
    } else if (elapsed >= Math.max(p.totalMs, 2000)) {
      const left = this.deadlineMs - this.offsetMs - elapsed
      this.emit(
        'waiting',
        null,
        `${model} on ${serverName} is slower than expected — waiting up to ${seconds(left)} more`,
      )
    }
  }

  private emit(phase: WaitProgress['phase'], etaMs: number | null, text: string): void {
    if (this.phase === phase) return
    this.phase = phase
    this.o.onProgress({
      phase,
      model: this.o.model,
      serverName: this.o.serverName,
      etaMs: etaMs === null ? null : Math.max(0, Math.round(etaMs)),
      ahead: this.prediction.queueAhead,
      text,
    })
  }
}

/**
 * What AILLM knows of each server as a scheduler (ollama-behaviour.md, "One server is a scheduler"): how
 * fast it loads models from disk, how fast each model reads a prompt, how long an answer takes, and our
 * own requests queued on each (server, model). From that it predicts how long a request may be silent
 * before its first byte for legitimate reasons — the executor waits that long, and no longer.
 */
import { Emitter } from '../emitter'

/** The timing fields of an Ollama final chunk (nanoseconds, as Ollama sends them). */
export interface FinalTimings {
  load_duration?: number | undefined
  prompt_eval_count?: number | undefined
  prompt_eval_duration?: number | undefined
  total_duration?: number | undefined
}

/** What one request asks of a server, for a prediction. */
export interface WaitQuestion {
  serverId: string
  model: string
  sizeBytes: number
  /** The model must be loaded first (not in /api/ps, or loaded with another context length). */
  cold: boolean
  promptTokens: number
}

/** Why a request may be silent, and for how long (ms). */
export interface WaitPrediction {
  /** Our own requests on this (server, model) that started earlier and still run. */
  queueAhead: number
  queueMs: number
  loadMs: number
  promptMs: number
  totalMs: number
  /** Whether the load and prompt figures come from this server's own answers or from defaults. */
  measured: { load: boolean; prompt: boolean }
}

/** A request in our own queue; give it back with `leave`. */
export interface QueueTicket {
  readonly serverId: string
  readonly model: string
  readonly seq: number
}

export interface SchedulerServerSnapshot {
  serverId: string
  /** Measured load speed in bytes per ms (1,000,000 = 1 GB/s); null before the first timed load. */
  loadBytesPerMs: number | null
  models: {
    model: string
    promptTokensPerSecond: number | null
    answerMs: number | null
    queued: number
  }[]
}

export interface SchedulerModelOptions {
  /** Load speed assumed before a server's first measured load: 0.5 GB/s, a SATA-class disk. */
  defaultLoadBytesPerMs?: number
  /** Prompt reading speed assumed before a model's first answer. */
  defaultPromptTokensPerSecond?: number
  /** How long one of our answers is assumed to take before one was measured. */
  defaultAnswerMs?: number
}

/** A load shorter than this was no load (the model was resident): it says nothing of the disk. */
const MIN_TIMED_LOAD_MS = 50
/** Weight of the newest sample in the moving averages. */
const ALPHA = 0.3

const ewma = (old: number | null, sample: number): number =>
  old === null ? sample : old + ALPHA * (sample - old)

interface ModelStats {
  promptTokensPerSecond: number | null
  answerMs: number | null
}

/** Roughly four characters a token, the usual figure for English and code. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4)
}

/** The scheduler model: measurements, our queue, predictions; a snapshot and change events. */
export class SchedulerModel {
  private readonly loadSpeed = new Map<string, number>()
  private readonly stats = new Map<string, ModelStats>()
  private readonly queue = new Map<string, number[]>()
  private seq = 0
  private readonly changes = new Emitter<SchedulerServerSnapshot[]>()
  readonly onDidChange = this.changes.event
  private readonly defaults: Required<SchedulerModelOptions>

  constructor(opts: SchedulerModelOptions = {}) {
    this.defaults = {
      defaultLoadBytesPerMs: opts.defaultLoadBytesPerMs ?? 500_000,
      defaultPromptTokensPerSecond: opts.defaultPromptTokensPerSecond ?? 300,
      defaultAnswerMs: opts.defaultAnswerMs ?? 10_000,
    }
  }

  /** Puts one of our requests in the queue of (server, model). */
  enter(serverId: string, model: string): QueueTicket {
    const ticket = { serverId, model, seq: ++this.seq }
    const key = keyOf(serverId, model)
    this.queue.set(key, [...(this.queue.get(key) ?? []), ticket.seq])
    this.changed()
    return ticket
  }

  /** Takes a request out of the queue (its answer ended, however it ended). */
  leave(ticket: QueueTicket): void {
    const key = keyOf(ticket.serverId, ticket.model)
    const rest = (this.queue.get(key) ?? []).filter((s) => s !== ticket.seq)
    if (rest.length > 0) this.queue.set(key, rest)
    else this.queue.delete(key)
    this.changed()
  }

  /** Our requests on the ticket's (server, model) that entered before it and are still there. */
  ahead(ticket: QueueTicket): number {
    return (this.queue.get(keyOf(ticket.serverId, ticket.model)) ?? []).filter(
      (s) => s < ticket.seq,
    ).length
  }

  /** Learns from a finished answer's timings: load speed from `load_duration`, prompt rate, answer time. */
  observe(serverId: string, model: string, sizeBytes: number, timings: FinalTimings): void {
    const loadMs = (timings.load_duration ?? 0) / 1e6
    if (loadMs >= MIN_TIMED_LOAD_MS && sizeBytes > 0) {
      this.loadSpeed.set(serverId, ewma(this.loadSpeed.get(serverId) ?? null, sizeBytes / loadMs))
    }
    const key = keyOf(serverId, model)
    const stats = this.stats.get(key) ?? { promptTokensPerSecond: null, answerMs: null }
    const promptMs = (timings.prompt_eval_duration ?? 0) / 1e6
    const promptCount = timings.prompt_eval_count ?? 0
    // A few tokens read in no time is a cached prompt: it says nothing of the reading speed.
    if (promptMs >= 1 && promptCount >= 32) {
      stats.promptTokensPerSecond = ewma(
        stats.promptTokensPerSecond,
        promptCount / (promptMs / 1000),
      )
    }
    const totalMs = (timings.total_duration ?? 0) / 1e6 - loadMs
    if (totalMs > 0) stats.answerMs = ewma(stats.answerMs, totalMs)
    this.stats.set(key, stats)
    this.changed()
  }

  /** The expected silence before the first byte: our queue ahead, the load if cold, the prompt. */
  predict(q: WaitQuestion, ticket?: QueueTicket): WaitPrediction {
    const stats = this.stats.get(keyOf(q.serverId, q.model))
    const measuredLoad = this.loadSpeed.get(q.serverId)
    const bytesPerMs = measuredLoad ?? this.defaults.defaultLoadBytesPerMs
    const loadMs = q.cold ? Math.round(q.sizeBytes / bytesPerMs) : 0
    const rate = stats?.promptTokensPerSecond ?? this.defaults.defaultPromptTokensPerSecond
    const promptMs = Math.round((q.promptTokens / rate) * 1000)
    const queueAhead = ticket ? this.ahead(ticket) : 0
    const queueMs = queueAhead * Math.round(stats?.answerMs ?? this.defaults.defaultAnswerMs)
    return {
      queueAhead,
      queueMs,
      loadMs,
      promptMs,
      totalMs: queueMs + loadMs + promptMs,
      measured: {
        load: measuredLoad !== undefined,
        prompt: (stats?.promptTokensPerSecond ?? null) !== null,
      },
    }
  }

  /** Per server: the measured load speed and, per model, prompt rate, answer time and our queue. */
  snapshot(): SchedulerServerSnapshot[] {
    const servers = new Map<string, SchedulerServerSnapshot>()
    const serverOf = (id: string): SchedulerServerSnapshot => {
      let s = servers.get(id)
      if (!s) {
        s = { serverId: id, loadBytesPerMs: this.loadSpeed.get(id) ?? null, models: [] }
        servers.set(id, s)
      }
      return s
    }
    for (const id of this.loadSpeed.keys()) serverOf(id)
    const keys = new Set([...this.stats.keys(), ...this.queue.keys()])
    for (const key of [...keys].sort()) {
      const [serverId, model] = splitKey(key)
      const stats = this.stats.get(key)
      serverOf(serverId).models.push({
        model,
        promptTokensPerSecond: stats?.promptTokensPerSecond ?? null,
        answerMs: stats?.answerMs ?? null,
        queued: this.queue.get(key)?.length ?? 0,
      })
    }
    return [...servers.values()].sort((a, b) => a.serverId.localeCompare(b.serverId))
  }

  /** Forgets a server's measurements (it was removed from the fleet). */
  forget(serverId: string): void {
    this.loadSpeed.delete(serverId)
    for (const key of [...this.stats.keys()]) {
      if (splitKey(key)[0] === serverId) this.stats.delete(key)
    }
    this.changed()
  }

  dispose(): void {
    this.changes.dispose()
  }

  private changed(): void {
    this.changes.fire(this.snapshot())
  }
}

const SEP = '\u0000'
const keyOf = (serverId: string, model: string): string => `${serverId}${SEP}${model}`
const splitKey = (key: string): [string, string] => {
  const at = key.indexOf(SEP)
  return [key.slice(0, at), key.slice(at + 1)]
}

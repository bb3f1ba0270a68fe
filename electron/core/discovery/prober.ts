import { Ollama } from 'ollama'
import type { LoadedModel, ShowInfo, TagModel } from '../models/model-index'
import { describeFailure, ProbeError } from './probe-error'

/** Options of one probe. */
export interface ProbeOptions {
  /** Limit for the whole probe (the three calls run in parallel). */
  timeoutMs: number
  /** Aborts the probe from outside (registry stopping); gives a `cancelled` failure. */
  signal?: AbortSignal
}

/** A server that answered: what it said, and what it failed to say (`problems`, for degraded). */
export interface ProbeSuccess {
  ok: true
  url: string
  /** Wall time of the whole probe in ms. */
  latencyMs: number
  /** Null when /api/version failed while /api/tags answered. */
  version: string | null
  /** Null when /api/tags failed: the models are unknown, not gone (keep what was known). */
  tags: TagModel[] | null
  ps: LoadedModel[]
  /** One short line per call that failed, e.g. `/api/tags: HTTP 500: boom`; empty when all went well. */
  problems: string[]
}

/** A server that could not be probed. */
export interface ProbeFailure {
  ok: false
  url: string
  error: ProbeError
}

/** The outcome of probeServer, as a value: expected failures never throw. */
export type ProbeResult = ProbeSuccess | ProbeFailure

/** Why an internal abort happened, so a timeout and a cancel read differently. */
class ProbeTimeout extends Error {
  override readonly name = 'TimeoutError'
}

/** A deadline plus an optional outer signal, joined into one AbortSignal. */
function deadline(
  timeoutMs: number,
  outer: AbortSignal | undefined,
): {
  signal: AbortSignal
  timedOut: () => boolean
  dispose: () => void
} {
  const controller = new AbortController()
  let fired = false
  const timer = setTimeout(() => {
    fired = true
    controller.abort(new ProbeTimeout(`timed out after ${timeoutMs} ms`))
  }, timeoutMs)
  const onOuter = (): void => controller.abort(outer?.reason)
  if (outer?.aborted) onOuter()
  else outer?.addEventListener('abort', onOuter, { once: true })
  return {
    signal: controller.signal,
    timedOut: () => fired,
    dispose: () => {
      clearTimeout(timer)
      outer?.removeEventListener('abort', onOuter)
    },
  }
}

/**
 * An `ollama` client whose every request carries `signal`: the client's non-streaming calls take
 * no AbortSignal, so the timeout has to ride on a custom fetch.
 */
export function clientWithSignal(url: string, signal: AbortSignal): Ollama {
  const fetchWithSignal: typeof fetch = (input, init) => fetch(input, { ...init, signal })
  return new Ollama({ host: url, fetch: fetchWithSignal })
}

function failureOf(url: string, err: unknown, timedOut: boolean, timeoutMs: number): ProbeError {
  const d = describeFailure(err, { timeoutMs })
  // Our deadline aborts the fetch, which surfaces as an AbortError: say "timed out", not
  // "cancelled". A call that failed on its own before the deadline keeps its own reason.
  if (timedOut && (d.kind === 'cancelled' || d.kind === 'timeout')) {
    return new ProbeError(url, null, {
      kind: 'timeout',
      reason: `timed out after ${timeoutMs} ms`,
      cause: err,
    })
  }
  return new ProbeError(url, d.status, { kind: d.kind, reason: d.reason, cause: err })
}

function arrayOf<T extends { name?: unknown }>(value: unknown): T[] {
  if (!Array.isArray(value)) return []
  return value.filter(
    (item): item is T => typeof item === 'object' && item !== null && typeof item.name === 'string',
  )
}

/**
 * Probes one server URL through the official client: /api/version, /api/tags and /api/ps in
 * parallel under one deadline. It is online when /api/version or /api/tags answered; a failed
 * call among the three goes to `problems`. Never throws.
 */
export async function probeServer(url: string, opts: ProbeOptions): Promise<ProbeResult> {
  const limit = deadline(opts.timeoutMs, opts.signal)
  const client = clientWithSignal(url, limit.signal)
  const started = performance.now()
  try {
    const [version, tags, ps] = await Promise.allSettled([
      client.version(),
      client.list(),
      client.ps(),
    ])
    const latencyMs = Math.max(0, Math.round(performance.now() - started))
    if (version.status === 'rejected' && tags.status === 'rejected') {
      return {
        ok: false,
        url,
        error: failureOf(url, version.reason, limit.timedOut(), opts.timeoutMs),
      }
    }
    const problems: string[] = []
    const note = (path: string, err: unknown): void => {
      problems.push(`${path}: ${failureOf(url, err, limit.timedOut(), opts.timeoutMs).message}`)
    }
    if (version.status === 'rejected') note('/api/version', version.reason)
    if (tags.status === 'rejected') note('/api/tags', tags.reason)
    if (ps.status === 'rejected') note('/api/ps', ps.reason)
    return {
      ok: true,
      url,
      latencyMs,
      version:
        version.status === 'fulfilled' && typeof version.value?.version === 'string'
          ? version.value.version
          : null,
      tags: tags.status === 'fulfilled' ? arrayOf<TagModel>(tags.value?.models) : null,
      ps: ps.status === 'fulfilled' ? arrayOf<LoadedModel>(ps.value?.models) : [],
      problems,
    }
  } finally {
    limit.dispose()
  }
}

/** Options of one round of /api/show calls for one server. */
export interface ShowOptions {
  /** Limit for each /api/show call. */
  timeoutMs: number
  signal?: AbortSignal
  /** Calls in flight at once per round; default 2 so a probe never floods one server. */
  concurrency?: number
}

/**
 * Capabilities from /api/show, fetched once per (server URL, model digest) and kept. Only models
 * whose /api/tags entry lacks capabilities are asked about. A failed call leaves the model's
 * capabilities unknown (null) and is retried next round; after a timeout or a lost connection
 * the round stops asking that server, so a hung server costs one timeout, not one per model.
 */
export class ShowCache {
  private readonly known = new Map<string, ShowInfo>()

  /** Number of cached answers (for tests and diagnostics). */
  get size(): number {
    return this.known.size
  }

  /** Capabilities of `models` on the server at `url`, keyed by model name; null = unknown. */
  async capabilities(
    url: string,
    models: readonly TagModel[],
    opts: ShowOptions,
  ): Promise<Map<string, ShowInfo | null>> {
    const out = new Map<string, ShowInfo | null>()
    const todo: TagModel[] = []
    for (const m of models) {
      if (Array.isArray(m.capabilities)) out.set(m.name, { capabilities: [...m.capabilities] })
      else {
        const hit = this.known.get(this.key(url, m))
        if (hit) out.set(m.name, hit)
        else todo.push(m)
      }
    }
    let giveUp = false
    const worker = async (): Promise<void> => {
      for (let m = todo.shift(); m !== undefined; m = todo.shift()) {
        if (giveUp || opts.signal?.aborted) {
          out.set(m.name, null)
          continue
        }
        const info = await this.showOne(url, m.name, opts)
        if (info === 'unreachable') {
          giveUp = true
          out.set(m.name, null)
        } else {
          out.set(m.name, info)
          if (info !== null) this.known.set(this.key(url, m), info)
        }
      }
    }
    const workers = Math.max(1, opts.concurrency ?? 2)
    await Promise.all(Array.from({ length: workers }, worker))
    return out
  }

  private key(url: string, m: TagModel): string {
    return `${url}\n${m.digest || m.name}`
  }

  private async showOne(
    url: string,
    model: string,
    opts: ShowOptions,
  ): Promise<ShowInfo | null | 'unreachable'> {
    const limit = deadline(opts.timeoutMs, opts.signal)
    try {
      const show = await clientWithSignal(url, limit.signal).show({ model })
      const caps: unknown = show?.capabilities
      return {
        capabilities: Array.isArray(caps) ? caps.filter((c) => typeof c === 'string') : [],
      }
    } catch (err) {
      if (limit.timedOut()) return 'unreachable'
      const d = describeFailure(err)
      return d.kind === 'http' || d.kind === 'bad-response' ? null : 'unreachable'
    } finally {
      limit.dispose()
    }
  }
}

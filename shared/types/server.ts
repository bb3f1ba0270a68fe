import type { ModelEntry } from './model'

/** Server priority as written in config.yaml: PRIMARY for all tasks, SECONDARY for fallback or specific tasks, FALLBACK only when nothing else is available. */
export type Priority = 'PRIMARY' | 'SECONDARY' | 'FALLBACK'

/** Where a server came from: the config file, one of the primary's `fallback_urls`, or mDNS discovery. */
export type ServerSource = 'config' | 'fallback_url' | 'mdns'

/**
 * Health of one server as a tagged union (style.md point 4).
 * `since` is a Unix epoch in milliseconds; `degraded` means it answers but slowly or partially.
 */
export type ServerHealth =
  | { kind: 'probing'; since: number }
  | { kind: 'online'; since: number; latencyMs: number }
  | { kind: 'degraded'; since: number; latencyMs: number; reason: string }
  | { kind: 'offline'; since: number; error: string; nextProbeAt: number }

/** State of a server's circuit breaker: open = skipped by routing until the next half-open trial. */
export type BreakerState = 'closed' | 'open' | 'half-open'

/** Everything the UI, the tray, the API and the router know about one server. */
export interface ServerView {
  /** Stable id: the configured name (or the mDNS service name). */
  id: string
  name: string
  /** The URL in use now (for the primary: whichever of base_url / fallback_urls answered last). */
  url: string
  /**
   * Where requests actually go when `url` names a host we resolved ourselves (mDNS `*.local`): the
   * same URL with the probed address in place of the name. Absent when `url` is dialled as it is.
   */
  dialUrl?: string
  /** Every address this server is known by, in the order they are tried. */
  urls: string[]
  /** The IP address the current URL resolved to, when we resolved it ourselves (mDNS) or know it. */
  resolvedAddress: string | null
  priority: Priority
  source: ServerSource
  /** Config servers are always trusted; discovered ones only once the user trusts them. */
  trusted: boolean
  health: ServerHealth
  /** Moving average of probe latency, null before the first answer. */
  latencyMs: number | null
  /** Ollama's version from /api/version, null until known. */
  version: string | null
  /** Our own requests in flight to this server right now. */
  inFlight: number
  breaker: BreakerState
  models: ModelEntry[]
}

/**
 * What "Test connection" found at one address (`servers:test`): reachable with Ollama's version, the
 * number of models and how long the probe took, or not, with `hostPort` and the cause in words.
 */
export type ServerTestResult =
  | {
      ok: true
      url: string
      hostPort: string
      /** Null when /api/version failed while /api/tags answered. */
      version: string | null
      /** Null when /api/tags failed while /api/version answered. */
      models: number | null
      latencyMs: number
    }
  | { ok: false; url: string; hostPort: string; error: string }

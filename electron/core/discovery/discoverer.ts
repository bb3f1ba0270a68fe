import type { Priority, ServerSource } from '../../../shared/types'

/** A server as a discoverer reports it, before any probe. */
export interface FoundServer {
  /** Stable id: the configured name (`primary` for base_url) or the mDNS service name. */
  id: string
  name: string
  /** Every address of this server, in the order they are tried; never empty. */
  urls: string[]
  priority: Priority
  source: ServerSource
  /** Config servers are trusted; discovered ones only once the user says so. */
  trusted: boolean
  /** The IP address the first URL resolves to, when the discoverer resolved it itself. */
  resolvedAddress?: string | null
}

/**
 * The port every source of servers implements (style.md point 6): static config now, mDNS later.
 * Expected failures are logged by the discoverer and give an empty list, not an exception.
 */
export interface Discoverer {
  discover(signal: AbortSignal): Promise<FoundServer[]>
}

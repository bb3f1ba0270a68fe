import { assertNever } from '../../shared/types'
import type { ConnectionState } from '../transport/connection'
import { useAppStore } from '../store/store-context'
import { isReachable } from '../format'
import '../styles/fleet.css'

/** Short words for the link to the core. */
export function connectionLabel(c: ConnectionState): string {
  switch (c.kind) {
    case 'connecting':
      return 'connecting…'
    case 'open':
      return 'connected'
    case 'reconnecting':
      // Lost: it was up, then closed or fell silent (no heartbeat); else it never came up yet.
      return c.lost ? 'connection lost — reconnecting…' : 'reconnecting…'
    case 'closed':
      return 'disconnected'
    default:
      return assertNever(c)
  }
}

/**
 * The small connection indicator in the header: the link to the core and, once it is up, whether any
 * Ollama server can be reached ("No server reachable" instead of a green "connected" that helps nobody).
 */
export function ConnectionStatus() {
  const c = useAppStore((s) => s.connection)
  const noServer = useAppStore(
    (s) => c.kind === 'open' && s.loaded && !s.servers.some((v) => isReachable(v)),
  )
  const label = noServer ? 'No server reachable' : connectionLabel(c)
  return (
    <span
      className={`conn conn-${noServer ? 'noserver' : c.kind}`}
      role="status"
      aria-label={`Core: ${connectionLabel(c)}${noServer ? ' — No server reachable' : ''}`}
      title={
        noServer ? 'Connected to AILLM, but no Ollama server answers: see the Dashboard' : undefined
      }
    >
      <span className="dot" aria-hidden="true" />
      {label}
    </span>
  )
}

/** A full-width banner while the core is unreachable, with what is happening and what to check. */
export function DisconnectedBanner() {
  const c = useAppStore((s) => s.connection)
  const loadError = useAppStore((s) => s.loadError)
  if (c.kind === 'reconnecting' || c.kind === 'closed') {
    return (
      <div className="banner banner-error" role="alert">
        <strong>
          {c.kind === 'reconnecting' && c.lost
            ? 'The connection to the AILLM core was lost — reconnecting…'
            : `Disconnected from the AILLM core — ${connectionLabel(c)}`}
        </strong>
        <span>
          {c.kind === 'reconnecting'
            ? ` Attempt ${c.attempt}${c.error ? ` (${c.error})` : ''}. `
            : ' '}
          Is <code>npm run serve</code> (or the AILLM app) still running? What you see may be out of
          date until it is back.
        </span>
      </div>
    )
  }
  if (loadError) {
    return (
      <div className="banner banner-error" role="alert">
        <strong>The core did not answer everything:</strong> {loadError}
      </div>
    )
  }
  return null
}

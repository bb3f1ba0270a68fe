import type { RestartNeeded } from '../../../shared/types'

/** How a value reads in the notice: a host as is, a port as a number. */
const shown = (v: string | number): string => String(v)

/**
 * "Restart needed": settings the config changed that the running local API applies only at the next
 * start (its address), fed by the config view's `restartNeeded`; gone once they match again.
 */
export function RestartNotice({ pending }: { pending: RestartNeeded[] }) {
  if (pending.length === 0) return null
  return (
    <div
      className="banner banner-warn restart-notice"
      role="status"
      aria-live="polite"
      aria-label="Restart needed"
    >
      <strong>Restart AILLM to apply:</strong>
      <ul className="issues">
        {pending.map((r) => (
          <li key={r.key}>
            <code>{r.key}</code>: {shown(r.configured)} in the config; the local API runs with{' '}
            {shown(r.running)} until AILLM is restarted
          </li>
        ))}
      </ul>
    </div>
  )
}

import { useId, useState } from 'react'
import type { ResponseMetadata, RoutingDecision } from '../../../shared/types'
import { DecisionDetails } from '../../components/decision-details'
import { routeLabelOfDecision, routeLabelOfMetadata } from '../../format'

/** Under each answer: `model @ server · complexity · task`; click for the full decision. */
export function RouteBadge({
  metadata,
  decision,
}: {
  metadata: ResponseMetadata | null
  decision: RoutingDecision | null
}) {
  const [open, setOpen] = useState(false)
  const id = useId()
  const label = metadata
    ? routeLabelOfMetadata(metadata)
    : decision
      ? routeLabelOfDecision(decision)
      : null
  if (!label) return null
  return (
    <div className="route">
      <button
        type="button"
        className="route-badge"
        aria-expanded={open}
        aria-controls={id}
        title="Show how this answer was routed"
        onClick={() => setOpen((o) => !o)}
      >
        {label}
      </button>
      {open && (
        <div id={id} className="route-details">
          {decision ? (
            <DecisionDetails decision={decision} />
          ) : (
            <p className="muted">This decision is no longer in the routing log.</p>
          )}
          {metadata && metadata.attempts.length > 0 && (
            <ol className="attempts" aria-label="Attempts">
              {metadata.attempts.map((a, i) => (
                <li key={i}>
                  {a.model} @ {a.serverName}: {a.outcome}
                  {a.reason ? ` (${a.reason})` : ''}
                  {a.error ? ` — ${a.error}` : ''} · {a.chars} chars · {a.ms} ms
                </li>
              ))}
            </ol>
          )}
        </div>
      )}
    </div>
  )
}

import { useId, useState } from 'react'
import type { ResponseMetadata, RoutingDecision } from '../../../shared/types'
import { DecisionDetails } from '../../components/decision-details'
import { failureWords, routeLabelOfDecision, routeLabelOfMetadata } from '../../format'

/**
 * The pair the answer started on when another one finished it (a failover), else null: from the
 * decision's chosen pair, or the first attempt when the decision has left the log.
 */
export function startedOn(
  md: ResponseMetadata,
  decision: RoutingDecision | null,
): { model: string; serverName: string } | null {
  const first = decision?.chosen ?? md.attempts[0] ?? null
  if (!first) return null
  return first.model === md.model && first.serverName === md.server_name ? null : first
}

/**
 * Under each answer: `model @ server · complexity · task` of the model that actually answered, and the
 * one it started on after a failover; click for the decision in words and its scores.
 */
export function RouteBadge({
  metadata,
  decision,
  onUseModel,
}: {
  metadata: ResponseMetadata | null
  decision: RoutingDecision | null
  /** Answer again pinned to this model (the decision's "use … anyway"); absent where it cannot. */
  onUseModel?: ((target: { model: string; serverId: string }) => void) | undefined
}) {
  const [open, setOpen] = useState(false)
  const id = useId()
  const label = metadata
    ? routeLabelOfMetadata(metadata)
    : decision
      ? routeLabelOfDecision(decision)
      : null
  if (!label) return null
  const started = metadata ? startedOn(metadata, decision) : null
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
        {started ? `${label} · started on ${started.model} @ ${started.serverName}` : label}
      </button>
      {open && (
        <div id={id} className="route-details">
          {decision ? (
            <DecisionDetails decision={decision} onUseModel={onUseModel} />
          ) : (
            <p className="muted">This decision is no longer in the routing log.</p>
          )}
          {metadata && metadata.attempts.length > 0 && (
            <ol className="attempts" aria-label="Attempts">
              {metadata.attempts.map((a, i) => (
                <li key={i}>
                  {a.model} @ {a.serverName}:{' '}
                  {a.outcome === 'ok'
                    ? 'answered'
                    : `${a.serverName} ${failureWords(a.reason)}${a.outcome === 'interrupted' ? ' mid-answer' : ''}`}
                  {a.error ? ` (${a.error})` : ''} · {a.chars} characters · {a.ms} ms
                </li>
              ))}
            </ol>
          )}
        </div>
      )}
    </div>
  )
}

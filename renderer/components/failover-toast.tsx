import { useEffect, useRef, useState } from 'react'
import type { DecisionOutcome, RoutingDecision } from '../../shared/types'
import { failoverWords } from '../format'
import { useAppStore } from '../store/store-context'
import '../styles/fleet.css'

/** How long a failover toast stays (it can be closed sooner; hovering or focusing it keeps it). */
export const TOAST_MS = 10_000

type FailedOver = Extract<DecisionOutcome, { kind: 'failed-over' }>

interface Toast {
  id: string
  text: string
}

/** Failovers that ended after `since`, newest first: the ones to announce. */
export function newFailovers(decisions: RoutingDecision[], since: number): Toast[] {
  return decisions.flatMap((d) =>
    d.outcome?.kind === 'failed-over' && d.outcome.at >= since
      ? [{ id: d.id, text: failoverWords(d.outcome as FailedOver) }]
      : [],
  )
}

/**
 * A toast in the window whenever an answer failed over to another server (from the chat or the local
 * API), on every view: "Failover: remote stopped answering — continued on localhost (gemma3:1b)".
 */
export function FailoverToast() {
  const decisions = useAppStore((s) => s.decisions)
  // Failovers that happened before this window opened are in the log, not announced.
  const [since] = useState(() => Date.now())
  const [dismissed, setDismissed] = useState<ReadonlySet<string>>(() => new Set())
  const [held, setHeld] = useState(false)
  const toasts = newFailovers(decisions, since).filter((t) => !dismissed.has(t.id))
  const newest = toasts[0]
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null)

  const ids = toasts.map((t) => t.id).join(' ')
  const dismissAll = () => setDismissed((d) => new Set([...d, ...ids.split(' ')]))

  useEffect(() => {
    if (ids === '' || held) return
    timer.current = setTimeout(
      () => setDismissed((d) => new Set([...d, ...ids.split(' ')])),
      TOAST_MS,
    )
    return () => {
      if (timer.current) clearTimeout(timer.current)
    }
  }, [ids, held])

  return (
    <div className="toast-region" role="status" aria-live="polite" aria-label="Routing notices">
      {newest && (
        <div
          className="toast toast-warn"
          onMouseEnter={() => setHeld(true)}
          onMouseLeave={() => setHeld(false)}
          onFocus={() => setHeld(true)}
          onBlur={() => setHeld(false)}
        >
          <p>
            <strong>Failover:</strong> {newest.text}.
            {toasts.length > 1 && <span className="muted"> ({toasts.length - 1} more)</span>}{' '}
            <a href="#/routing">Routing log</a>
          </p>
          <button
            type="button"
            className="toast-close"
            aria-label="Dismiss the failover notice"
            onClick={dismissAll}
          >
            ✕
          </button>
        </div>
      )}
    </div>
  )
}

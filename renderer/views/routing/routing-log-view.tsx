import { useState } from 'react'
import type { Complexity, RoutingDecision } from '../../../shared/types'
import { DecisionDetails } from '../../components/decision-details'
import { clock, isFallbackOrFailover, microsLabel, outcomeLabel } from '../../format'
import '../../styles/fleet.css'
import { useAppStore } from '../../store/store-context'

/** Filters of the routing log; empty string = any. */
export interface LogFilter {
  server: string
  model: string
  complexity: Complexity | ''
  fallbackOnly: boolean
}

/** Whether a decision passes the filters. */
export function matchesFilter(d: RoutingDecision, f: LogFilter): boolean {
  if (f.server && d.chosen?.serverName !== f.server) return false
  if (f.model && d.chosen?.model !== f.model) return false
  if (f.complexity && d.classification.complexity !== f.complexity) return false
  if (f.fallbackOnly && !isFallbackOrFailover(d)) return false
  return true
}

const COMPLEXITIES: Complexity[] = ['trivial', 'simple', 'moderate', 'complex']

function Row({ d }: { d: RoutingDecision }) {
  const [open, setOpen] = useState(false)
  return (
    <>
      <tr className={isFallbackOrFailover(d) ? 'fallback' : undefined}>
        <td>
          <time dateTime={new Date(d.at).toISOString()}>{clock(d.at)}</time>
        </td>
        <td className="excerpt">{d.promptExcerpt}</td>
        <td>{d.classification.complexity}</td>
        <td>{d.classification.taskType}</td>
        <td className="nowrap">{d.chosen ? `${d.chosen.model} @ ${d.chosen.serverName}` : '—'}</td>
        <td
          className={`outcome outcome-${d.outcome?.kind ?? (d.action === 'rejected' ? 'failed' : 'pending')}`}
        >
          {outcomeLabel(d)}
        </td>
        <td className="small">{d.chain.map((t) => `${t.model}@${t.serverName}`).join(' → ')}</td>
        <td className="num">{microsLabel(d.decisionMicros)}</td>
        <td>
          <button
            type="button"
            aria-expanded={open}
            aria-label={`${open ? 'Hide' : 'Show'} candidates of “${d.promptExcerpt}”`}
            onClick={() => setOpen((o) => !o)}
          >
            {open ? 'Hide' : 'Candidates'}
          </button>
        </td>
      </tr>
      {open && (
        <tr className="details-row">
          <td colSpan={9}>
            <DecisionDetails decision={d} />
          </td>
        </tr>
      )}
    </>
  )
}

/** Every routing decision, newest first, with filters and expandable candidate tables. */
export function RoutingLogView() {
  const decisions = useAppStore((s) => s.decisions)
  const [f, setF] = useState<LogFilter>({
    server: '',
    model: '',
    complexity: '',
    fallbackOnly: false,
  })
  const servers = [...new Set(decisions.flatMap((d) => (d.chosen ? [d.chosen.serverName] : [])))]
  const models = [...new Set(decisions.flatMap((d) => (d.chosen ? [d.chosen.model] : [])))]
  const shown = decisions.filter((d) => matchesFilter(d, f))
  return (
    <div className="view routing">
      <div className="view-header">
        <h2>Routing log</h2>
        <span className="muted">
          {shown.length} of {decisions.length} decisions
        </span>
      </div>
      <div className="filters" role="group" aria-label="Filters">
        <label>
          Server
          <select value={f.server} onChange={(e) => setF({ ...f, server: e.target.value })}>
            <option value="">any</option>
            {servers.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Model
          <select value={f.model} onChange={(e) => setF({ ...f, model: e.target.value })}>
            <option value="">any</option>
            {models.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </label>
        <label>
          Complexity
          <select
            value={f.complexity}
            onChange={(e) => setF({ ...f, complexity: e.target.value as Complexity | '' })}
          >
            <option value="">any</option>
            {COMPLEXITIES.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={f.fallbackOnly}
            onChange={(e) => setF({ ...f, fallbackOnly: e.target.checked })}
          />
          Fallbacks only
        </label>
      </div>
      {decisions.length === 0 ? (
        <div className="empty">
          <h3>No decisions yet</h3>
          <p>
            Send a message in the <a href="#/chat">Chat</a> (or through the local API on port 8000)
            and every routing decision appears here, with the candidates and why one won.
          </p>
        </div>
      ) : (
        <div
          className="table-scroll"
          role="region"
          aria-label="Routing decisions"
          // Focusable so a keyboard can scroll it sideways at narrow widths.
          tabIndex={0}
        >
          <table className="log">
            <caption className="visually-hidden">Routing decisions, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Prompt</th>
                <th scope="col">Complexity</th>
                <th scope="col">Task</th>
                <th scope="col">Chosen</th>
                <th scope="col">Outcome</th>
                <th scope="col">Chain</th>
                <th scope="col">Took</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((d) => (
                <Row key={d.id} d={d} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  )
}

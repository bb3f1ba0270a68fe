import { useId } from 'react'
import type { Candidate, RoutingDecision, ScoreTerms } from '../../shared/types'
import {
  clock,
  coldSpecialistPassedOver,
  explainDecision,
  failoverWords,
  failureWords,
  microsLabel,
  outcomeLabel,
} from '../format'
import '../styles/fleet.css'

/** The score terms in words, in the order they usually matter. */
const TERM_WORDS: [Exclude<keyof ScoreTerms, 'total'>, string][] = [
  ['tierFit', 'size fit'],
  ['specialisation', 'specialist'],
  ['priority', 'priority'],
  ['loaded', 'loaded'],
  ['speed', 'speed'],
  ['health', 'health'],
  ['latency', 'latency'],
  ['gpu', 'GPU'],
  ['inFlight', 'busy'],
  ['preference', 'preferred'],
]

const score = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(1))
const signed = (n: number): string => (n > 0 ? `+${score(n)}` : `−${score(-n)}`)

/** The terms that counted for a candidate, e.g. "size fit +99.4, priority +20, latency −4.3". */
export function termsWords(terms: ScoreTerms): string {
  const parts = TERM_WORDS.filter(([t]) => Math.abs(terms[t]) >= 0.05).map(
    ([t, words]) => `${words} ${signed(terms[t])}`,
  )
  return parts.join(', ') || 'nothing counted'
}

function CandidateRow({ c, chosen }: { c: Candidate; chosen: boolean }) {
  return (
    <tr className={c.eligible ? (chosen ? 'chosen' : undefined) : 'ineligible'}>
      <th scope="row">
        {c.model} <span className="muted">@ {c.serverName}</span>
        {chosen && <span className="badge chosen-mark">chosen</span>}
        <div className="muted small">
          {c.tier}
          {c.loaded ? ' · loaded' : ''}
        </div>
      </th>
      <td className="num">{c.eligible ? score(c.terms.total) : '—'}</td>
      <td>
        {c.eligible
          ? termsWords(c.terms)
          : `left out: ${c.serverName} ${failureWords(c.excludedBy)} (${c.excludedBy ?? '?'})`}
      </td>
    </tr>
  )
}

/**
 * A decision in plain words first — where it went and why, how it ended — then, one click further,
 * the scores of every candidate (three columns that wrap, readable at 420 px) and the raw details.
 */
export function DecisionDetails({
  decision,
  onUseModel,
}: {
  decision: RoutingDecision
  /** Offered when a cold specialist lost to a loaded model: answer again pinned to it. */
  onUseModel?: ((target: { model: string; serverId: string }) => void) | undefined
}) {
  const d = decision
  const { headline, why } = explainDecision(d)
  const passedOver = onUseModel ? coldSpecialistPassedOver(d) : null
  const tableId = useId()
  const o = d.outcome
  return (
    <div className="decision-details">
      <p className="explain-headline">{headline}</p>
      {why.length > 0 && (
        <ul className="explain-why">
          {why.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
      {passedOver && onUseModel && (
        <p>
          <button
            type="button"
            onClick={() => onUseModel({ model: passedOver.model, serverId: passedOver.serverId })}
          >
            Use {passedOver.model} anyway
          </button>{' '}
          <span className="muted small">
            answers again on {passedOver.serverName}, waiting for it to load; the model picker then
            stays on it
          </span>
        </p>
      )}
      {o?.kind === 'failed-over' && (
        <p className="explain-outcome" role="note">
          Failed over: {failoverWords(o)}.
        </p>
      )}
      {o?.kind === 'failed' && (
        <p className="explain-outcome" role="note">
          Failed: {o.error}
        </p>
      )}
      {d.warning && <p className="explain-outcome">{d.warning}</p>}
      <details className="score-disclosure">
        <summary>Scores of all {d.candidates.length} candidates</summary>
        <div
          className="table-scroll score-scroll"
          role="region"
          aria-labelledby={tableId}
          // Focusable so a keyboard can scroll it when it overflows (axe: scrollable-region-focusable).
          tabIndex={0}
        >
          <table className="candidates compact">
            <caption id={tableId}>Candidates, best first (higher scores win)</caption>
            <thead>
              <tr>
                <th scope="col">Model @ server</th>
                <th scope="col">Score</th>
                <th scope="col">What counted</th>
              </tr>
            </thead>
            <tbody>
              {d.candidates.map((c) => (
                <CandidateRow
                  key={`${c.model}@${c.serverId}`}
                  c={c}
                  chosen={c.model === d.chosen?.model && c.serverId === d.chosen.serverId}
                />
              ))}
            </tbody>
          </table>
        </div>
        <dl className="kv">
          <dt>Time</dt>
          <dd>{clock(d.at)}</dd>
          <dt>Classification</dt>
          <dd>
            {d.classification.complexity} · {d.classification.taskType} (wants {d.wantedTier}) —{' '}
            {d.classification.reasons.join(', ') || 'no reasons'}
          </dd>
          <dt>Outcome</dt>
          <dd>{outcomeLabel(d)}</dd>
          <dt>Chain</dt>
          <dd>
            {d.chain.length
              ? d.chain.map((t) => `${t.model} @ ${t.serverName}`).join(' → ')
              : 'empty: nothing could take it'}
          </dd>
          <dt>Reason codes</dt>
          <dd>{d.reasons.join(', ') || '—'}</dd>
          <dt>Decision time</dt>
          <dd>{microsLabel(d.decisionMicros)}</dd>
        </dl>
      </details>
    </div>
  )
}

import type { RoutingDecision, ScoreTerms } from '../../shared/types'
import { clock, microsLabel } from '../format'

const TERMS: (keyof ScoreTerms)[] = [
  'tierFit',
  'specialisation',
  'priority',
  'health',
  'latency',
  'loaded',
  'gpu',
  'speed',
  'inFlight',
  'preference',
  'total',
]

const score = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(2))

/** The full decision: classification, reasons, fallback chain and every candidate with its score terms. */
export function DecisionDetails({ decision }: { decision: RoutingDecision }) {
  const d = decision
  return (
    <div className="decision-details">
      <dl className="kv">
        <dt>Time</dt>
        <dd>{clock(d.at)}</dd>
        <dt>Classification</dt>
        <dd>
          {d.classification.complexity} · {d.classification.taskType} (wants {d.wantedTier}) —{' '}
          {d.classification.reasons.join(', ') || 'no reasons'}
        </dd>
        <dt>Action</dt>
        <dd>
          {d.action}
          {d.fallback ? ' (fallback)' : ''}
          {d.warning ? ` — ${d.warning}` : ''}
        </dd>
        <dt>Chain</dt>
        <dd>
          {d.chain.length
            ? d.chain.map((t) => `${t.model} @ ${t.serverName}`).join(' → ')
            : 'empty: nothing could take it'}
        </dd>
        <dt>Reasons</dt>
        <dd>{d.reasons.join(', ') || '—'}</dd>
        <dt>Decision time</dt>
        <dd>{microsLabel(d.decisionMicros)}</dd>
      </dl>
      <div className="table-scroll">
        <table className="candidates">
          <caption>Candidates (score terms; higher is better)</caption>
          <thead>
            <tr>
              <th scope="col">Model @ server</th>
              <th scope="col">Tier</th>
              <th scope="col">Eligible</th>
              {TERMS.map((t) => (
                <th scope="col" key={t}>
                  {t}
                </th>
              ))}
              <th scope="col">Reasons</th>
            </tr>
          </thead>
          <tbody>
            {d.candidates.map((c) => (
              <tr
                key={`${c.model}@${c.serverId}`}
                className={c.eligible ? undefined : 'ineligible'}
              >
                <th scope="row">
                  {c.model} @ {c.serverName}
                  {c.loaded ? ' (loaded)' : ''}
                </th>
                <td>{c.tier}</td>
                <td>{c.eligible ? 'yes' : `no: ${c.excludedBy ?? '?'}`}</td>
                {TERMS.map((t) => (
                  <td key={t} className="num">
                    {score(c.terms[t])}
                  </td>
                ))}
                <td>{c.reasons.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  )
}

import type { ModelEntry, ServerView, Tier } from '../../../shared/types'
import { LoadedMark, TierBadge } from '../../components/tier-badge'
import { STATUS_WORDS, fleetStatus, isReachable } from '../../format'
import '../../styles/fleet.css'

const TIER_ORDER: Record<Tier, number> = { fast: 0, balanced: 1, powerful: 2 }

/** Rows of the matrix: every model name once, fast ones first. */
export function matrixRows(servers: ServerView[]): string[] {
  const tiers = new Map<string, Tier>()
  for (const s of servers)
    for (const m of s.models) if (!tiers.has(m.name)) tiers.set(m.name, m.tier)
  return [...tiers.keys()].sort(
    (a, b) =>
      TIER_ORDER[tiers.get(a) ?? 'fast'] - TIER_ORDER[tiers.get(b) ?? 'fast'] || a.localeCompare(b),
  )
}

/**
 * The model × server matrix: rows models, columns servers with their status in words; cells tier and
 * loaded, "unavailable" when the server cannot be reached, or absent.
 */
export function ModelMatrix({ servers }: { servers: ServerView[] }) {
  const rows = matrixRows(servers)
  if (rows.length === 0) return null
  const cell = (s: ServerView, name: string): ModelEntry | undefined =>
    s.models.find((m) => m.name === name)
  return (
    <div className="table-scroll">
      <table className="matrix">
        <caption>Models × servers</caption>
        <thead>
          <tr>
            <th scope="col">Model</th>
            {servers.map((s) => (
              <th scope="col" key={s.id}>
                {s.name}
              </th>
            ))}
          </tr>
          <tr className="status-row">
            <th scope="row">Status</th>
            {servers.map((s) => (
              <td key={s.id} className={`status-${fleetStatus(s)}`}>
                <span className="status-word">{STATUS_WORDS[fleetStatus(s)]}</span>
              </td>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((name) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              {servers.map((s) => {
                const m = cell(s, name)
                const up = isReachable(s)
                return (
                  <td key={s.id} className={m && !up ? 'cell-offline' : undefined}>
                    {m && !up ? (
                      <span className="model-offline" title={`${s.name} is not reachable`}>
                        unavailable
                      </span>
                    ) : m ? (
                      <>
                        <TierBadge tier={m.tier} />
                        {m.loaded && <LoadedMark />}
                      </>
                    ) : (
                      <span className="muted" aria-label="absent">
                        —
                      </span>
                    )}
                  </td>
                )
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

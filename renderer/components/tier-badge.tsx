import type { Tier } from '../../shared/types'

/** A coloured tier badge: fast / balanced / powerful. */
export function TierBadge({ tier }: { tier: Tier }) {
  return <span className={`badge tier-${tier}`}>{tier}</span>
}

/** The "loaded in memory" mark. */
export function LoadedMark() {
  return (
    <span className="badge loaded" title="Loaded in memory: answers start at once">
      loaded
    </span>
  )
}

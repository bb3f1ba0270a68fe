import type { ServerView, Tier } from '../../../shared/types'
import { isReachable } from '../../format'

const RANK: Record<Tier, number> = { fast: 0, balanced: 1, powerful: 2 }

/**
 * Why "Regenerate with a more powerful model" cannot help right now, or null when it can: no server
 * is reachable, or no reachable server has a chat model of at least tier `up` (what the router is
 * then asked for). Pure; `servers` is the fleet as the store knows it.
 */
export function biggerModelUnavailable(servers: ServerView[], up: Tier): string | null {
  const reachable = servers.filter((s) => isReachable(s))
  if (reachable.length === 0) return 'No server is reachable right now.'
  const bigger = reachable.some((s) =>
    s.models.some((m) => m.chatCapable && RANK[m.tier] >= RANK[up]),
  )
  return bigger ? null : `No ${up} model on a reachable server.`
}

import type { RoutingDecision } from '../../shared/types'
import type { SliceCreator } from './store-types'

/** The routing log: every decision, newest first. */
export interface RoutingSlice {
  decisions: RoutingDecision[]
}

/** How many decisions the renderer keeps; older ones drop off the end. */
export const MAX_DECISIONS = 1000

/** Creates the routing slice. */
export const createRoutingSlice: SliceCreator<RoutingSlice> = () => () => ({
  decisions: [],
})

/**
 * Adds a decision at the top; one with the same id (published again with its outcome) is replaced
 * where it stands, so the log keeps its order. Pure.
 */
export function addDecision(list: RoutingDecision[], d: RoutingDecision): RoutingDecision[] {
  const i = list.findIndex((x) => x.id === d.id)
  if (i >= 0) return list.map((x, j) => (j === i ? d : x))
  return [d, ...list].slice(0, MAX_DECISIONS)
}

/** Sorts a snapshot newest first. */
export function sortDecisions(list: RoutingDecision[]): RoutingDecision[] {
  return [...list].sort((a, b) => b.at - a.at).slice(0, MAX_DECISIONS)
}

/**
 * Merges a routing:log snapshot into the decisions already held (events may have arrived while the
 * snapshot was on its way): union by id, the held copy winning, newest first. Pure.
 */
export function mergeDecisions(
  held: RoutingDecision[],
  snapshot: RoutingDecision[],
): RoutingDecision[] {
  const ids = new Set(held.map((d) => d.id))
  return sortDecisions([...held, ...snapshot.filter((d) => !ids.has(d.id))])
}

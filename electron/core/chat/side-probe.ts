/**
 * The status check a silence watch sends to a server that says nothing (architecture.md "Scheduler model
 * and silence"): is the box alive at all, and is the model it is waiting for resident? Kept apart from
 * the executor, which only wires it into each attempt's watch.
 */
import type { Ollama } from 'ollama'
import type { RoutingTarget } from '../../../shared/types'
import { normaliseTag } from '../routing/tiers'
import { fetchLimits } from './timed-fetch'

/** A silent server gets its first status check after this long, then one every SIDE_PROBE_EVERY_MS. */
export const SIDE_PROBE_AFTER_MS = 500
export const SIDE_PROBE_EVERY_MS = 2000

/**
 * The probe of `target`'s server: rejects when /api/version does not answer within `timeoutMs`
 * (frozen); else resolves whether /api/ps lists the model (undefined when /api/ps says nothing).
 */
export function sideProbe(
  client: Ollama,
  target: RoutingTarget,
  timeoutMs: number,
): (signal: AbortSignal) => Promise<boolean | undefined> {
  return async (signal) => {
    // Stryker disable next-line BooleanLiteral: NDJSON checks apply to NDJSON bodies; /api/version and /api/ps answer one JSON document
    const limits = { connectMs: timeoutMs, signal, validateNdjson: false }
    // /api/version answers at once on a healthy box, loading or not: no answer = frozen.
    await fetchLimits.run(limits, () => client.version())
    // A model we think loaded but /api/ps does not list was evicted: its wait is a load; one we
    // think cold but listed was loaded since: no load to wait for. /api/ps may be slow while a
    // model unloads, so its failure says nothing.
    try {
      const ps = await fetchLimits.run(limits, () => client.ps())
      return ps.models.some(
        (m) => sameModel(m.name, target.model) || sameModel(m.model, target.model),
      )
    } catch {
      return undefined
    }
  }
}

/** Ollama treats `name` and `name:latest` as one model. */
function sameModel(a: string | undefined, b: string): boolean {
  return a !== undefined && normaliseTag(a) === normaliseTag(b)
}

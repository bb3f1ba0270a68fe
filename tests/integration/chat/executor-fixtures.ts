import { ChatExecutor, type ExecutionFeedback } from '../../../electron/core/chat/chat-executor'
import { createMemoryLogger } from '../../../electron/core/logger'
import type { RoutingDecision, RoutingTarget, Tier, TimeoutsConfig } from '../../../shared/types'

/**
 * Short deadlines, so failing servers cost about a second, yet several times any pause a healthy
 * simulated stream makes on a loaded two-core machine (a tighter stall limit made healthy streams fail).
 */
export const TIMEOUTS: TimeoutsConfig = {
  connect_ms: 1_000,
  probe_ms: 1_000,
  first_token_ms: 1_000,
  cold_first_token_ms: 3_000,
  stall_ms: 800,
  side_probe_ms: 1_000,
  wedge_margin_ms: 1_000,
}

/** A real (small) feedback recorder: the boundary between the executor and the registry. */
export function recorder(): ExecutionFeedback & {
  inFlight: Map<string, number>
  successes: { serverId: string; model: string; tps: number | null }[]
  failures: { serverId: string; error: unknown }[]
} {
  const inFlight = new Map<string, number>()
  const successes: { serverId: string; model: string; tps: number | null }[] = []
  const failures: { serverId: string; error: unknown }[] = []
  return {
    inFlight,
    successes,
    failures,
    requestStarted: (id) => inFlight.set(id, (inFlight.get(id) ?? 0) + 1),
    requestEnded: (id) => inFlight.set(id, (inFlight.get(id) ?? 0) - 1),
    recordSuccess: (serverId, model, tps) => successes.push({ serverId, model, tps }),
    recordFailure: (serverId, error) => failures.push({ serverId, error }),
  }
}

export function target(
  server: { name: string; url: string },
  model: string,
  tier: Tier = 'balanced',
  loaded = true,
): RoutingTarget {
  return {
    model,
    serverId: server.name,
    serverName: server.name,
    serverUrl: server.url,
    tier,
    priority: 'PRIMARY',
    loaded,
  }
}

let decisionCounter = 0
export function decision(chain: RoutingTarget[], wantedTier: Tier = 'balanced'): RoutingDecision {
  return {
    id: `d-${++decisionCounter}`,
    at: 0,
    mode: { kind: 'auto' },
    requestedModel: null,
    classification: { complexity: 'moderate', taskType: 'explanation', reasons: [] },
    wantedTier,
    action: 'routed',
    chosen: chain[0] ?? null,
    chain,
    candidates: [],
    reasons: [],
    fallback: false,
    warning: null,
    promptExcerpt: '',
    decisionMicros: 1,
  }
}

export function executor(timeouts: Partial<TimeoutsConfig> = {}) {
  const feedback = recorder()
  const logger = createMemoryLogger()
  const exec = new ChatExecutor({
    feedback,
    logger,
    timeouts: () => ({ ...TIMEOUTS, ...timeouts }),
  })
  return { exec, feedback, logger }
}

/** Collects what the caller sees: tokens and seams, in order. */
export function sink() {
  const events: ({ kind: 'token'; text: string } | { kind: 'seam'; note: string })[] = []
  return {
    events,
    text: () => events.map((e) => (e.kind === 'token' ? e.text : '')).join(''),
    seams: () => events.flatMap((e) => (e.kind === 'seam' ? [e.note] : [])),
    /** The text the caller got before the n-th seam (0-based), from the start. */
    before: (seam: number) => {
      let seen = -1
      let text = ''
      for (const e of events) {
        if (e.kind === 'seam' && ++seen === seam) break
        if (e.kind === 'token') text += e.text
      }
      return text
    },
    onToken: (text: string) => events.push({ kind: 'token', text }),
    onSeam: (note: string) => events.push({ kind: 'seam', note }),
  }
}

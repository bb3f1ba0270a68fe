import type { ServerView } from '../../../shared/types'
import type { SchedulerModel } from '../scheduler/scheduler-model'

/**
 * The expected load time of every cold specialist model (code, reasoning, vision) on a reachable
 * server, keyed `model@serverId`: what the explanation quotes when a loaded model won over one ("the
 * coder was not loaded (~18 s)"). Specialists only, so a decision carries a handful of numbers.
 */
export function specialistLoadEstimates(
  servers: readonly ServerView[],
  scheduler: Pick<SchedulerModel, 'predict'>,
): Record<string, number> {
  const out: Record<string, number> = {}
  for (const s of servers) {
    if (s.health.kind !== 'online' && s.health.kind !== 'degraded') continue
    for (const m of s.models) {
      if (m.loaded || !m.chatCapable) continue
      if (!m.specialisations.some((sp) => sp !== 'embedding')) continue
      const p = scheduler.predict({
        serverId: s.id,
        model: m.name,
        sizeBytes: m.sizeBytes,
        cold: true,
        promptTokens: 0,
      })
      out[`${m.name}@${s.id}`] = p.loadMs
    }
  }
  return out
}

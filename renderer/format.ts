import type {
  ResponseMetadata,
  RoutingDecision,
  RoutingMode,
  ServerHealth,
  ServerView,
  Tier,
} from '../shared/types'
import { assertNever } from '../shared/types'

/** A server's health in words, e.g. "online · 12 ms" or "offline since 12:03: connection refused". */
export function healthLabel(h: ServerHealth): string {
  switch (h.kind) {
    case 'probing':
      return 'probing…'
    case 'online':
      return `online · ${Math.round(h.latencyMs)} ms`
    case 'degraded':
      return `degraded: ${h.reason}`
    case 'offline':
      return `offline since ${clock(h.since)}: ${h.error}`
    default:
      return assertNever(h)
  }
}

/** Wall-clock time of an epoch, HH:MM:SS in the user's locale. */
export function clock(epochMs: number): string {
  return new Date(epochMs).toLocaleTimeString([], {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  })
}

/** The route badge text: `model @ server · complexity · task`. */
export function routeLabel(m: {
  model: string
  server: string
  complexity: string
  task: string
}): string {
  return `${m.model} @ ${m.server} · ${m.complexity} · ${m.task}`
}

/** The route badge text of an answer's metadata. */
export function routeLabelOfMetadata(md: ResponseMetadata): string {
  return routeLabel({
    model: md.model,
    server: md.server_name,
    complexity: md.complexity_level,
    task: md.task_type,
  })
}

/** The route badge text of a decision (before the answer's metadata is known). */
export function routeLabelOfDecision(d: RoutingDecision): string | null {
  if (!d.chosen) return null
  return routeLabel({
    model: d.chosen.model,
    server: d.chosen.serverName,
    complexity: d.classification.complexity,
    task: d.classification.taskType,
  })
}

/** The quiet preview line under the composer: "→ gemma3:1b @ localhost · trivial greeting". */
export function previewLabel(d: RoutingDecision): string {
  const { complexity, taskType } = d.classification
  if (!d.chosen) return `→ no server can take this now · ${complexity} ${taskType}`
  const warn = d.fallback ? ' (simplified model)' : ''
  return `→ ${d.chosen.model} @ ${d.chosen.serverName} · ${complexity} ${taskType}${warn}`
}

/** The mode in words, as the tray's radio items say it. */
export function modeLabel(mode: RoutingMode, servers: ServerView[]): string {
  switch (mode.kind) {
    case 'auto':
      return 'Automatic (route by task)'
    case 'server':
      return `Only ${serverName(mode.serverId, servers)}`
    case 'model':
      return mode.serverId
        ? `Only ${mode.model} on ${serverName(mode.serverId, servers)}`
        : `Only ${mode.model}`
    default:
      return assertNever(mode)
  }
}

function serverName(id: string, servers: ServerView[]): string {
  return servers.find((s) => s.id === id)?.name ?? id
}

/** Encodes a mode as a <select> value (and back), so both pickers share one encoding. */
export function modeKey(mode: RoutingMode | null): string {
  if (!mode) return 'chat-auto'
  switch (mode.kind) {
    case 'auto':
      return 'auto'
    case 'server':
      return `server:${mode.serverId}`
    case 'model':
      return `model:${mode.serverId ?? ''}:${mode.model}`
    default:
      return assertNever(mode)
  }
}

/** Inverse of modeKey; null for the chat's "Auto". */
export function parseModeKey(key: string): RoutingMode | null {
  if (key === 'auto') return { kind: 'auto' }
  if (key.startsWith('server:')) return { kind: 'server', serverId: key.slice('server:'.length) }
  if (key.startsWith('model:')) {
    const rest = key.slice('model:'.length)
    const i = rest.indexOf(':')
    const serverId = rest.slice(0, i)
    return { kind: 'model', model: rest.slice(i + 1), serverId: serverId || null }
  }
  return null
}

const TIERS: Tier[] = ['fast', 'balanced', 'powerful']

/** The tier above this one, or null at the top ("regenerate with a more powerful model"). */
export function nextTier(t: Tier): 'balanced' | 'powerful' | null {
  const up = TIERS[TIERS.indexOf(t) + 1]
  return up === 'balanced' || up === 'powerful' ? up : null
}

/** Bytes as GB/MB for model sizes. */
export function sizeLabel(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`
  if (bytes >= 1e6) return `${Math.round(bytes / 1e6)} MB`
  return `${bytes} B`
}

/** A decision's duration: whole µs below a millisecond, else ms with one decimal. */
export function microsLabel(us: number): string {
  return us < 1000 ? `${Math.round(us)} µs` : `${(us / 1000).toFixed(1)} ms`
}

import type {
  Candidate,
  Classification,
  DecisionOutcome,
  ReasonCode,
  ResponseMetadata,
  RoutingDecision,
  RoutingMode,
  RoutingTarget,
  ScoreTerms,
  ServerView,
  Tier,
} from '../shared/types'
import { assertNever } from '../shared/types'

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
export function modeLabel(mode: RoutingMode, servers: Pick<ServerView, 'id' | 'name'>[]): string {
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

function serverName(id: string, servers: Pick<ServerView, 'id' | 'name'>[]): string {
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

// ——— Routing in plain words (issue 15) ———

/** What a task is, in words: "a coding task", "a greeting", "a demanding reasoning task". */
export function taskWords(c: Pick<Classification, 'complexity' | 'taskType'>): string {
  const big =
    c.complexity === 'complex' ? 'demanding ' : c.complexity === 'moderate' ? '' : 'short '
  switch (c.taskType) {
    case 'greeting':
      return 'a greeting'
    case 'chat':
      return `a ${big}chat message`
    case 'explanation':
      return c.complexity === 'complex'
        ? 'a request for a detailed explanation'
        : 'a request for an explanation'
    case 'code':
      return `a ${big}coding task`
    case 'reasoning':
      return `a ${big}reasoning task`
    case 'writing':
      return `a ${big}writing task`
    default:
      return assertNever(c.taskType)
  }
}

/** A server's role from its priority: "remote is the main server". */
export function serverRoleWords(t: Pick<RoutingTarget, 'serverName' | 'priority'>): string {
  switch (t.priority) {
    case 'PRIMARY':
      return `${t.serverName} is the main server`
    case 'SECONDARY':
      return `${t.serverName} is the secondary server`
    case 'FALLBACK':
      return `${t.serverName} is the fallback server`
    default:
      return assertNever(t.priority)
  }
}

/** Why a pair failed or was left out, as the end of a sentence about its server ("remote …"). */
const FAILURE_WORDS: Partial<Record<ReasonCode, string>> = {
  'connect-failed': 'could not be reached',
  'connect-timeout': 'did not answer in time',
  'first-token-timeout': 'took too long to start answering',
  'stall-timeout': 'went quiet in the middle of the answer',
  'stream-dropped': 'stopped answering',
  'server-frozen': 'froze',
  'wait-too-long': 'would have kept you waiting too long',
  'upstream-error': 'answered with an error',
  'malformed-chunk': 'sent a broken reply',
  'model-refused': 'refused the request',
  'server-offline': 'is offline',
  'server-degraded': 'is answering slowly',
  'server-untrusted': 'is not trusted yet',
  'breaker-open': 'failed recently and is left alone for a moment',
  busy: 'was busy',
  'local-error': 'could not be sent the request',
  cancelled: 'was stopped by you',
}

/** "stopped answering" for stream-dropped; unknown codes read "failed". */
export function failureWords(reason: ReasonCode | null | undefined): string {
  return (reason && FAILURE_WORDS[reason]) ?? 'failed'
}

const SEAM_NOTE = /^— answer interrupted on (.+?) \(([a-z-]+)\); continuing on (.+?) @ (.+?) —$/

/**
 * The seam between two attempts in words: the core's note
 * "— answer interrupted on remote (stream-dropped); continuing on gemma3:1b @ localhost —" reads
 * "remote stopped answering — continued on localhost (gemma3:1b)". Other text is returned as it is.
 */
export function seamWords(note: string): string {
  const m = SEAM_NOTE.exec(note.trim())
  if (!m) return note
  const [, failed = '', reason = '', model = '', server = ''] = m
  return `${failed} ${failureWords(reason as ReasonCode)} — continued on ${server} (${model})`
}

/** Every seam note inside a stored answer's text, in words (the stored text keeps the core's note). */
export function seamWordsInText(text: string): string {
  return text.replace(/— answer interrupted on [^\n]*? —/g, (note) => seamWords(note))
}

/** The empty chat's promise, true of the router: small and short things stay small, big ones go big. */
export const EMPTY_CHAT_PROMISE =
  'Each message goes to the model that fits it: a greeting or a short question to a small fast model, a larger coding task to a coder, hard reasoning to the biggest model. A model that is already loaded can win over one that would have to load first. The badge under each answer says where it went and why.'

/** A decision explained: one headline sentence, then the reasons behind it, each a short sentence. */
export interface DecisionExplanation {
  headline: string
  why: string[]
}

const TIER_WORDS: Record<Tier, string> = {
  fast: 'a small fast model',
  balanced: 'a mid-sized model',
  powerful: 'a large model',
}

/**
 * The decision in plain words: "Sent to qwen2.5-coder:14b on remote: a coding task, and remote is the
 * main server", then why (the specialist, loaded or not, a pinned mode) and why the specialist for
 * the task lost when it did ("Used gemma3:12b because the coder was not loaded").
 */
export function explainDecision(d: RoutingDecision): DecisionExplanation {
  const c = d.chosen
  const task = taskWords(d.classification)
  if (!c) {
    const why = d.candidates.length
      ? [`No server could take it: ${uniqueExclusions(d).join('; ')}.`]
      : ['No server with a chat model is known.']
    return { headline: `Not sent: no model and server can take ${task} right now.`, why }
  }
  const chosen = d.candidates.find((x) => x.model === c.model && x.serverId === c.serverId)
  const why: string[] = []
  let headline: string
  if (d.mode.kind === 'model') {
    headline = `Sent to ${c.model} on ${c.serverName}: you picked this model.`
  } else if (d.mode.kind === 'server') {
    headline = `Sent to ${c.model} on ${c.serverName}: the routing mode is “Only ${c.serverName}”.`
  } else if (d.fallback) {
    headline = `Used ${c.model} on ${c.serverName}, a simplified model: nothing bigger is reachable for ${task}.`
  } else {
    headline = `Sent to ${c.model} on ${c.serverName}: ${task}, and ${serverRoleWords(c)}.`
  }
  if (chosen?.reasons.includes('specialisation-match')) {
    why.push(`${c.model} is a specialist for this kind of task.`)
  }
  why.push(
    d.wantedTier === c.tier
      ? `${capitalise(task)} wants ${TIER_WORDS[c.tier]}, and ${c.model} is one.`
      : `${capitalise(task)} wants ${TIER_WORDS[d.wantedTier]}; ${c.model} is ${TIER_WORDS[c.tier]}.`,
  )
  if (c.loaded) why.push(`${c.model} is already loaded, so the answer starts at once.`)
  else if (chosen?.reasons.includes('context-reload'))
    why.push(`${c.model} has to be reloaded for this context length first.`)
  else why.push(`${c.model} is not loaded yet: the first answer waits for it to load.`)
  const specialist = bestSpecialist(d)
  if (specialist && chosen && specialist !== chosen) {
    const lost = whySpecialistLost(specialist, chosen, d)
    if (d.mode.kind === 'auto' && !d.fallback) {
      headline = `Used ${c.model} on ${c.serverName} for ${task} because the specialist ${specialist.model} ${lost}.`
    } else {
      why.push(`Not the specialist ${specialist.model} on ${specialist.serverName}: it ${lost}.`)
    }
  }
  return { headline, why }
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1)
}

function uniqueExclusions(d: RoutingDecision): string[] {
  const seen = new Set<string>()
  for (const x of d.candidates) {
    if (!x.eligible) seen.add(`${x.serverName} ${failureWords(x.excludedBy)}`)
  }
  return [...seen].slice(0, 3)
}

/** The best candidate the router marked as a specialist for the task (e.g. the coder), if any. */
function bestSpecialist(d: RoutingDecision): Candidate | null {
  const specialists = d.candidates.filter((x) => x.reasons.includes('specialisation-match'))
  return specialists.sort((a, b) => b.terms.total - a.terms.total)[0] ?? null
}

/** Why the specialist did not win ("was not loaded"), from the score term where it lost the most. */
function whySpecialistLost(s: Candidate, chosen: Candidate, d: RoutingDecision): string {
  if (!s.eligible) return `was left out: ${s.serverName} ${failureWords(s.excludedBy)}`
  const loadMs = d.loadEstimates?.[`${s.model}@${s.serverId}`]
  const gaps: [keyof ScoreTerms, string][] = [
    [
      'tierFit',
      s.reasons.includes('tier-too-small')
        ? 'is smaller than this task needs'
        : 'is bigger than this task needs',
    ],
    [
      'loaded',
      loadMs !== undefined && loadMs > 0
        ? `was not loaded (~${Math.max(1, Math.round(loadMs / 1000))} s to load)`
        : 'was not loaded and would have had to load first',
    ],
    ['speed', 'answers more slowly'],
    ['inFlight', `was busy on ${s.serverName}`],
    ['health', `is on ${s.serverName}, which is answering slowly`],
    ['latency', `is on ${s.serverName}, which answers with more delay`],
    ['priority', `is on ${s.serverName}, which has a lower priority`],
    ['gpu', 'does not fit in GPU memory'],
  ]
  let worst: [number, string] = [0, 'scored lower overall']
  for (const [term, words] of gaps) {
    const gap = chosen.terms[term] - s.terms[term]
    if (gap > worst[0]) worst = [gap, words]
  }
  return worst[1]
}

/**
 * The specialist that lost only because it was cold while a loaded model answered (the "use it
 * anyway" offer), or null. Only in Auto: a pinned mode or model was the person's own choice.
 */
export function coldSpecialistPassedOver(d: RoutingDecision): Candidate | null {
  const c = d.chosen
  if (!c || d.mode.kind !== 'auto' || !c.loaded) return null
  const chosen = d.candidates.find((x) => x.model === c.model && x.serverId === c.serverId)
  const specialist = bestSpecialist(d)
  if (!chosen || !specialist || specialist === chosen || !specialist.eligible || specialist.loaded)
    return null
  return chosen.terms.loaded - specialist.terms.loaded > 0 ? specialist : null
}

/** The routing log's outcome column: routed, failed over → where, failed, or still running. */
export function outcomeLabel(d: RoutingDecision): string {
  if (d.action === 'rejected') return 'failed: no server could take it'
  const o = d.outcome
  const simplified = d.fallback ? ' (simplified model)' : ''
  if (!o) return d.chosen ? `sent${simplified}` : '—'
  switch (o.kind) {
    case 'answered':
      return `routed${simplified}`
    case 'failed-over':
      return `failed over → ${o.model} @ ${o.serverName}`
    case 'failed':
      return 'failed'
    case 'cancelled':
      return 'stopped by you'
    default:
      return assertNever(o)
  }
}

/** Whether a decision counts for "Fallbacks only": a simplified model, a failover, or a failure. */
export function isFallbackOrFailover(d: RoutingDecision): boolean {
  if (d.fallback || d.action !== 'routed') return true
  return d.outcome?.kind === 'failed-over' || d.outcome?.kind === 'failed'
}

/** The failover in one sentence: "remote stopped answering — continued on localhost (gemma3:1b)". */
export function failoverWords(o: Extract<DecisionOutcome, { kind: 'failed-over' }>): string {
  const verb = o.continued ? 'continued' : 'answered'
  return `${o.fromServerName} ${failureWords(o.reason)} — ${verb} on ${o.serverName} (${o.model})`
}

// ——— Fleet state, one language for every view (issue 15) ———

/** The one status of a server every view colours and words the same way. */
export type FleetStatus = 'online' | 'degraded' | 'offline' | 'untrusted' | 'probing'

/**
 * A server's status. Offline wins over everything (an offline server is red whatever its breaker
 * says); a breaker that is not closed makes an answering server degraded; discovered servers are
 * untrusted until trusted.
 */
export function fleetStatus(s: Pick<ServerView, 'trusted' | 'health' | 'breaker'>): FleetStatus {
  if (!s.trusted) return 'untrusted'
  switch (s.health.kind) {
    case 'offline':
      return 'offline'
    case 'probing':
      return 'probing'
    case 'degraded':
      return 'degraded'
    case 'online':
      return s.breaker === 'closed' ? 'online' : 'degraded'
    default:
      return assertNever(s.health)
  }
}

/** The status word shown beside the colour: never the colour alone. */
export const STATUS_WORDS: Record<FleetStatus, string> = {
  online: 'Online',
  degraded: 'Degraded',
  offline: 'Offline',
  untrusted: 'Not trusted',
  probing: 'Checking…',
}

/** The status in a sentence: "Offline since 12:03: connection refused", "Degraded: recovering…". */
export function statusSentence(s: Pick<ServerView, 'trusted' | 'health' | 'breaker'>): string {
  const status = fleetStatus(s)
  const h = s.health
  switch (status) {
    case 'offline':
      return h.kind === 'offline' ? `Offline since ${clock(h.since)}: ${h.error}` : 'Offline'
    case 'degraded': {
      const why = [h.kind === 'degraded' ? h.reason : null, breakerWords(s.breaker)].filter(
        (x): x is string => x !== null,
      )
      return `Degraded: ${why.join('; ') || 'answering slowly'}`
    }
    case 'untrusted':
      return 'Not trusted: found on the LAN, not used until you trust it'
    case 'probing':
      return 'Checking…'
    case 'online':
      return 'Online'
    default:
      return assertNever(status)
  }
}

/** The circuit breaker in words, null when closed (nothing to say). */
export function breakerWords(b: ServerView['breaker']): string | null {
  switch (b) {
    case 'closed':
      return null
    case 'open':
      return 'paused after failures, trying again soon'
    case 'half-open':
      return 'recovering: trying again'
    default:
      return assertNever(b)
  }
}

/**
 * The latency to show once per card: the moving average, marked stale when the server no longer
 * answers (the number is then the last one measured) — null before the first answer.
 */
export function latencyWords(
  s: Pick<ServerView, 'latencyMs' | 'health'>,
): { text: string; stale: boolean } | null {
  if (s.latencyMs === null) return null
  const stale = s.health.kind === 'offline' || s.health.kind === 'probing'
  const ms = `${Math.round(s.latencyMs)} ms`
  return stale ? { text: `${ms} · stale`, stale } : { text: ms, stale }
}

/** Whether requests can go to a server now (the model picker offers its models only then). */
export function isReachable(s: Pick<ServerView, 'trusted' | 'health' | 'breaker'>): boolean {
  const status = fleetStatus(s)
  return status === 'online' || status === 'degraded'
}

/** What follows the status word on a card: "since 12:03: connection refused"; null when nothing. */
export function statusDetail(s: Pick<ServerView, 'trusted' | 'health' | 'breaker'>): string | null {
  const sentence = statusSentence(s)
  const word = STATUS_WORDS[fleetStatus(s)]
  if (!sentence.startsWith(word) || sentence === word) {
    return sentence.startsWith('Not trusted: ') ? sentence.slice('Not trusted: '.length) : null
  }
  return sentence.slice(word.length).replace(/^:\s*/, '').trim() || null
}

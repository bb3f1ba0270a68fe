/**
 * Ollama's /api/generate as a routed request: `raw`, `suffix` (fill-in-the-middle, only models with
 * `insert`, a code task), `context` in and out, `images`, `think`. It runs through the router and the
 * executor like a chat, sent upstream as /api/generate (the executor's generate mode).
 *
 * A `context` is token ids that only the (model, server) pair that made it can read back, so AILLM
 * remembers where each context it handed out came from and keeps a request that brings one back on
 * that pair; when the pair is unavailable (or the origin is unknown) the context is dropped and the
 * answer says so in `X-AILLM-Context`.
 */
import { createHash } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import type { AppCore, ExecuteOptions } from '../app-core'
import type { GenerateMode } from '../chat'
import { normaliseTag, parseModelRequest } from '../routing/tiers'
import type { ChatMessage, RoutingDecision, RoutingTarget } from '../../../shared/types'
import { routeOrThrow, type PiecePart } from './chat-bridge'
import { headerValue } from '../routing/router'
import { ApiError, isBool, isString, optional, requireString } from './http-util'
import { isUnloadKeepAlive } from './model-load'
import { checkImages } from './request-checks'
import { modelOn, usableServers } from './upstream'

/** How many handed-out contexts keep their origin (each entry is a hash and a pair). */
export const CONTEXT_ORIGINS_KEPT = 1024

/** Where a context came from. */
interface ContextOrigin {
  model: string
  serverId: string
  serverName: string
}

/** The origins of recently returned contexts, least recently used dropped first. */
export class ContextOrigins {
  private readonly byHash = new Map<string, ContextOrigin>()
  constructor(private readonly limit = CONTEXT_ORIGINS_KEPT) {}

  remember(context: readonly number[], origin: ContextOrigin): void {
    const key = hashOf(context)
    this.byHash.delete(key)
    this.byHash.set(key, origin)
    if (this.byHash.size > this.limit) {
      const oldest = this.byHash.keys().next().value
      if (oldest !== undefined) this.byHash.delete(oldest)
    }
  }

  find(context: readonly number[]): ContextOrigin | undefined {
    const key = hashOf(context)
    const origin = this.byHash.get(key)
    if (origin) {
      this.byHash.delete(key)
      this.byHash.set(key, origin)
    }
    return origin
  }
}

function hashOf(context: readonly number[]): string {
  return createHash('sha256').update(Int32Array.from(context)).digest('base64url')
}

// One map per running core (the face is stateless functions; the core owns no API state). A WeakMap
// so a stopped core's map goes with it.
const originsByCore = new WeakMap<AppCore, ContextOrigins>()
function originsOf(core: AppCore): ContextOrigins {
  let origins = originsByCore.get(core)
  if (!origins) originsByCore.set(core, (origins = new ContextOrigins()))
  return origins
}

/** A parsed /api/generate request, ready for the shared answer path of the Ollama face. */
export interface GeneratePlan {
  model: string
  messages: ChatMessage[]
  stream: boolean
  extra: ExecuteOptions
  /** Null for the empty (load / unload) request, which is not routed as an answer. */
  decision: RoutingDecision | null
  piece: (text: string, part?: PiecePart) => Record<string, unknown>
  /**
   * For a request pinned to a pair by its `context`: when that pair fails before answering, the same
   * request routed afresh without the context (and `X-AILLM-Context` says it was dropped, and why).
   */
  unpinned?: (failure: string) => { decision: RoutingDecision; extra: ExecuteOptions }
}

/** `context`: token ids, as Ollama binds `[]int`. */
function contextOf(value: unknown): number[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value) || !value.every((v) => Number.isInteger(v))) {
    throw new ApiError(400, '"context" must be an array of token ids (integers)')
  }
  return value as number[]
}

/**
 * Parses and routes one /api/generate request. `extra` are the options shared with /api/chat
 * (options, format, keep_alive, think), already checked.
 */
export function planGenerate(
  core: AppCore,
  res: ServerResponse,
  body: Record<string, unknown>,
  extra: ExecuteOptions,
): GeneratePlan {
  const model = requireString(body, 'model')
  const prompt = optional(body, 'prompt', isString, 'a string') ?? ''
  const system = optional(body, 'system', isString, 'a string')
  const template = optional(body, 'template', isString, 'a string')
  const suffix = optional(body, 'suffix', isString, 'a string') ?? ''
  const raw = optional(body, 'raw', isBool, 'true or false') ?? false
  const stream = optional(body, 'stream', isBool, 'true or false') ?? true
  const context = contextOf(body['context'])
  const images = body['images']
  const user: ChatMessage = { role: 'user', content: prompt }
  if (images !== undefined && images !== null) user.images = checkImages(images, 'images')
  // /api/generate takes no tools (Ollama ignores them there): they must not narrow the routing.
  const { tools: _tools, ...shared } = extra
  const unload = prompt === '' && isUnloadKeepAlive(shared.keepAlive)
  // Ollama's order: an unload is answered before raw is checked, a load after.
  if (!unload && raw && (system || template || context.length > 0)) {
    throw new ApiError(400, 'raw mode does not support template, system, or context')
  }
  if (prompt === '') {
    // Ollama: an empty prompt loads (keep_alive 0: unloads) the model, whatever else was sent.
    return { model, messages: [], stream, extra: shared, decision: null, piece: responsePiece() }
  }
  const messages: ChatMessage[] = [
    ...(system ? [{ role: 'system' as const, content: system }] : []),
    user,
  ]
  const insert = suffix !== ''
  const origins = originsOf(core)
  const kept = context.length > 0 ? contextPlacement(core, model, context, origins) : null
  if (kept && kept.kind === 'dropped') {
    core.logger.warn(`Generate with ${model}: the context was dropped (${kept.why})`)
    res.setHeader('X-AILLM-Context', `dropped; ${kept.why}`)
  }
  const pinned = kept?.kind === 'pinned' ? kept.origin : null
  const decision = routeOrThrow(core, pinned ? pinned.model : model, messages, {
    ...shared,
    insert,
    ...(pinned ? { mode: { kind: 'server' as const, serverId: pinned.serverId } } : {}),
  })
  if (pinned) res.setHeader('X-AILLM-Context', `kept; ${pinned.model} @ ${pinned.serverName}`)
  let returned: number[] | null = null
  const onContext = (ids: number[], target: RoutingTarget): void => {
    returned = ids
    origins.remember(ids, {
      model: target.model,
      serverId: target.serverId,
      serverName: target.serverName,
    })
  }
  const generate: GenerateMode = {
    prompt,
    messageCount: messages.length,
    ...(system !== undefined && { system }),
    ...(template !== undefined && { template }),
    ...(raw && { raw }),
    ...(insert && { suffix }),
    ...(kept?.kind !== 'dropped' && context.length > 0 && { context }),
    ...(user.images && { images: user.images }),
    onContext,
  }
  // The pair that made the context failed: the context means nothing elsewhere, so the request goes
  // where the router sends it without one, and says so (better than failing a request that can be answered).
  const unpinned = (failure: string) => {
    const where = pinned ? `${pinned.model} @ ${pinned.serverName}` : ''
    const why = `${where}, which made it, failed (${failure}); answered elsewhere without it`
    core.logger.warn(`Generate with ${model}: the context was dropped (${why})`)
    res.setHeader('X-AILLM-Context', `dropped; ${headerValue(why)}`)
    const { context: _context, ...withoutContext } = generate
    return {
      decision: routeOrThrow(core, model, messages, { ...shared, insert }),
      extra: { ...shared, generate: withoutContext },
    }
  }
  return {
    model,
    messages,
    stream,
    extra: { ...shared, generate },
    decision,
    piece: responsePiece(() => returned),
    ...(pinned && { unpinned }),
  }
}

/**
 * The `response` part of a generate chunk. The final one carries the upstream's `context` as it came,
 * unless the answer was continued elsewhere: those ids then cover only the continuation.
 */
function responsePiece(context: () => number[] | null = () => null) {
  return (response: string, { result, thinking }: PiecePart = {}): Record<string, unknown> => {
    const ids = result && !result.metadata.continued ? context() : null
    return { response, ...(thinking ? { thinking } : {}), ...(ids ? { context: ids } : {}) }
  }
}

type Placement = { kind: 'pinned'; origin: ContextOrigin } | { kind: 'dropped'; why: string }

/** Where a request carrying `context` may go: the pair that made it, else nowhere (dropped). */
function contextPlacement(
  core: AppCore,
  model: string,
  context: readonly number[],
  origins: ContextOrigins,
): Placement {
  const origin = origins.find(context)
  const holders = usableServers(core).filter((s) => modelOn(s, model) !== undefined)
  if (!origin) {
    // Not one of ours (AILLM restarted, or the client talked to a server directly): a model that only
    // one server has can only have made it there.
    const only = holders.length === 1 ? holders[0] : undefined
    if (only && parseModelRequest(model).kind === 'tag') {
      return {
        kind: 'pinned',
        origin: { model, serverId: only.id, serverName: only.name },
      }
    }
    return { kind: 'dropped', why: 'it was not made by a model and server AILLM knows' }
  }
  const where = `${origin.model} @ ${origin.serverName}`
  if (
    parseModelRequest(model).kind === 'tag' &&
    normaliseTag(model) !== normaliseTag(origin.model)
  ) {
    return { kind: 'dropped', why: `it was made by ${where}, not by ${model}` }
  }
  const server = usableServers(core).find((s) => s.id === origin.serverId)
  if (!server || server.breaker === 'open' || !modelOn(server, origin.model)) {
    return { kind: 'dropped', why: `${where}, which made it, is not available now` }
  }
  return { kind: 'pinned', origin }
}

/**
 * AILLM's own routes: server status (`/api/models/servers`, as in the product spec), a routing preview
 * (`/api/route`) and the spec's one-shot message endpoint (`/api/message`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AppCore } from '../app-core'
import type { ChatMessage, RoutingDecision, ServerView } from '../../../shared/types'
import { answerHeaders, runCollected } from './chat-bridge'
import { ApiError, isObject, isString, optional, readJsonBody, sendJson } from './http-util'
import { parseMessages } from './ollama-face'
import { checkOllamaOptions } from './request-checks'

/** One server as `/api/models/servers` shows it. */
export function serverStatus(s: ServerView) {
  const health = s.health
  return {
    name: s.name,
    url: s.url,
    urls: s.urls,
    resolved_address: s.resolvedAddress,
    priority: s.priority,
    source: s.source,
    trusted: s.trusted,
    status: health.kind,
    ...(health.kind === 'offline' ? { error: health.error } : {}),
    ...(health.kind === 'degraded' ? { reason: health.reason } : {}),
    since: new Date(health.since).toISOString(),
    latency_ms: s.latencyMs === null ? null : Math.round(s.latencyMs),
    version: s.version,
    in_flight: s.inFlight,
    breaker: s.breaker,
    models: s.models.map((m) => ({
      name: m.name,
      tier: m.tier,
      loaded: m.loaded,
      /** The loaded runner's num_ctx (/api/ps context_length); null when not loaded or not told. */
      context_length: m.loaded ? (m.loadedContextLength ?? null) : null,
      parameter_size: m.parameterSize,
      specialisations: m.specialisations,
      chat: m.chatCapable,
    })),
  }
}

/** The decision with the flat fields a script wants on top. */
export function decisionBody(d: RoutingDecision) {
  return {
    model: d.chosen?.model ?? null,
    server_name: d.chosen?.serverName ?? null,
    server_url: d.chosen?.serverUrl ?? null,
    complexity_level: d.classification.complexity,
    task_type: d.classification.taskType,
    fallback: d.fallback,
    action: d.action,
    warning: d.warning,
    reasons: d.reasons,
    classification_reasons: d.classification.reasons,
    chain: d.chain,
    candidates: d.candidates,
    decision: d,
  }
}

function messagesFrom(body: Record<string, unknown>, textKey: 'prompt' | 'message'): ChatMessage[] {
  if (body['messages'] !== undefined) {
    const messages = parseMessages(body['messages'])
    if (!messages.some((m) => m.role === 'user')) {
      throw new ApiError(400, '"messages" must contain at least one user message')
    }
    return messages
  }
  const text = body[textKey]
  if (!isString(text) || text.trim() === '') {
    throw new ApiError(400, `send {"${textKey}": "..."} or {"messages": [...]}`)
  }
  return [{ role: 'user', content: text }]
}

/** Handles AILLM's own routes; returns false when the path is not one of them. */
export async function handleAillmRoute(
  core: AppCore,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  abort: AbortController,
): Promise<boolean> {
  const route = `${req.method ?? 'GET'} ${path}`
  switch (route) {
    case 'GET /api/models/servers': {
      const servers = core.servers()
      const online = servers.filter(
        (s) => s.health.kind === 'online' || s.health.kind === 'degraded',
      )
      sendJson(res, 200, {
        servers: servers.map(serverStatus),
        available: online.length,
        total: servers.length,
        unique_models: new Set(online.flatMap((s) => s.models.map((m) => m.name))).size,
      })
      return true
    }
    case 'POST /api/route': {
      const body = await readJsonBody(req)
      const messages = messagesFrom(body, 'prompt')
      const model = isString(body['model']) ? body['model'] : 'auto'
      // Ollama-shaped options, as the request would carry them: num_ctx changes what counts as loaded.
      const options = optional(body, 'options', isObject, 'an object')
      if (options) checkOllamaOptions(options)
      const numCtx = options?.['num_ctx']
      sendJson(
        res,
        200,
        decisionBody(
          core.route({
            messages,
            requestedModel: model,
            ...(typeof numCtx === 'number' ? { numCtx } : {}),
          }),
        ),
      )
      return true
    }
    case 'POST /api/message': {
      const body = await readJsonBody(req)
      const messages = messagesFrom(body, 'message')
      const model = isString(body['model']) ? body['model'] : 'auto'
      const decision = core.route({ messages, requestedModel: model })
      if (!decision.chosen) {
        sendJson(res, 503, {
          success: false,
          message: '',
          error: `No server can answer right now (${decision.reasons.join(', ')})`,
          metadata: null,
        })
        return true
      }
      try {
        const result = await runCollected(core, decision, messages, { signal: abort.signal })
        sendJson(
          res,
          200,
          { success: true, message: result.content, metadata: result.metadata },
          answerHeaders(decision, result.metadata),
        )
      } catch (err) {
        sendJson(res, err instanceof ApiError ? err.status : 502, {
          success: false,
          message: '',
          error: (err as Error).message,
          metadata: null,
        })
      }
      return true
    }
    default:
      return false
  }
}

/**
 * Ollama's empty request on /api/chat and /api/generate: with no messages (no prompt) it loads the
 * model and answers `done_reason: "load"` once it is in memory; with `keep_alive: 0` it unloads it
 * and answers `"unload"`. AILLM loads the model the router would pick, on that server, and unloads a
 * named model on every server holding it loaded (`auto`: the pair auto would pick).
 */
import type { ServerResponse } from 'node:http'
import { Ollama } from 'ollama'
import type { AppCore, ExecuteOptions } from '../app-core'
import { buildResponseMetadata } from '../chat'
import { parseModelRequest } from '../routing/tiers'
import type { RoutingTarget } from '../../../shared/types'
import { answerHeaders, routeOrThrow } from './chat-bridge'
import { ApiError, sendJson } from './http-util'
import { clientFor, modelOn, proxiedError, usableServers } from './upstream'

/** Which route the empty request came on: the answer and the upstream call take its shape. */
export type LoadRoute = 'chat' | 'generate'

/** `keep_alive` that means "unload now": 0 as a number, or a zero Go duration ("0", "0s", "0m"). */
export function isUnloadKeepAlive(keepAlive: string | number | undefined): boolean {
  if (typeof keepAlive === 'number') return keepAlive === 0
  return typeof keepAlive === 'string' && /^\s*0+(\.0*)?(ns|us|µs|ms|s|m|h)?\s*$/.test(keepAlive)
}

/** Answers an empty request: load, or unload with `keep_alive: 0`. */
export async function answerEmptyRequest(
  core: AppCore,
  res: ServerResponse,
  abort: AbortController,
  req: { route: LoadRoute; model: string; extra: ExecuteOptions },
): Promise<void> {
  if (isUnloadKeepAlive(req.extra.keepAlive)) await unload(core, res, req)
  else await load(core, res, abort, req)
}

/** The empty part of the answer in the route's shape. */
function emptyPiece(route: LoadRoute): Record<string, unknown> {
  return route === 'chat' ? { message: { role: 'assistant', content: '' } } : { response: '' }
}

/** Sends the empty request to one server; resolves once the server answered (loaded or unloaded). */
function emptyRequest(
  client: Ollama,
  route: LoadRoute,
  model: string,
  extra: Pick<ExecuteOptions, 'options' | 'keepAlive'>,
) {
  const common = {
    model,
    stream: false as const,
    ...(extra.options !== undefined && { options: extra.options }),
    ...(extra.keepAlive !== undefined && { keep_alive: extra.keepAlive }),
  }
  return route === 'chat'
    ? client.chat({ ...common, messages: [] })
    : client.generate({ ...common, prompt: '' })
}

/**
 * Loads the model the router picks for an empty conversation, waiting until it is in memory (a cold
 * load takes as long as it takes, up to `cold_first_token_ms`). A server that cannot be reached or
 * fails (5xx) hands over to the next target of the chain; a refusal (4xx) comes back as it is.
 */
async function load(
  core: AppCore,
  res: ServerResponse,
  abort: AbortController,
  req: { route: LoadRoute; model: string; extra: ExecuteOptions },
): Promise<void> {
  const decision = routeOrThrow(core, req.model, [], req.extra)
  const timeoutMs = core.config().llm.providers.ollama.timeouts.cold_first_token_ms
  let lastError: ApiError | null = null
  for (const target of decision.chain) {
    const client = new Ollama({
      host: target.dialUrl ?? target.serverUrl,
      fetch: (input, init) =>
        fetch(input, {
          ...init,
          // Ollama aborts a load whose client leaves: so does AILLM when its own client leaves.
          signal: AbortSignal.any([abort.signal, AbortSignal.timeout(timeoutMs)]),
        }),
    })
    const started = Date.now()
    try {
      const r = await emptyRequest(client, req.route, target.model, req.extra)
      const attempt = attemptOf(target, started, 'ok', null)
      const metadata = buildResponseMetadata({
        decision,
        finalTarget: target,
        attempts: [attempt],
        continued: false,
        tokensPerSecond: null,
      })
      core.logger.info(`Loaded ${target.model} on ${target.serverName} for an empty request`)
      sendJson(
        res,
        200,
        {
          model: target.model,
          created_at: r.created_at,
          ...emptyPiece(req.route),
          done: true,
          done_reason: r.done_reason || 'load',
          metadata,
        },
        answerHeaders(decision, metadata),
      )
      return
    } catch (err) {
      if (abort.signal.aborted) throw err
      const server = core.servers().find((s) => s.id === target.serverId)
      lastError = server
        ? proxiedError(err, server)
        : new ApiError(502, `${target.serverName}: ${(err as Error).message}`)
      if (lastError.status < 500) throw lastError
      core.logger.warn(
        `Loading ${target.model} failed on ${target.serverName}: ${lastError.message}`,
      )
    }
  }
  throw lastError ?? new ApiError(503, `no server can load ${req.model} right now`)
}

function attemptOf(target: RoutingTarget, started: number, outcome: 'ok', error: null) {
  return {
    model: target.model,
    serverName: target.serverName,
    serverUrl: target.serverUrl,
    chars: 0,
    ms: Date.now() - started,
    outcome,
    reason: null,
    error,
  }
}

/**
 * Unloads a named model on every server where it is loaded (asked of /api/ps there now: the registry's
 * view may be a probe old), or, for `auto`, the pair auto would pick. The answer names them in
 * `metadata.unloaded` and `X-AILLM-Unloaded`.
 */
async function unload(
  core: AppCore,
  res: ServerResponse,
  req: { route: LoadRoute; model: string; extra: ExecuteOptions },
): Promise<void> {
  const pairs: { model: string; serverName: string; url: string }[] = []
  if (parseModelRequest(req.model).kind !== 'tag') {
    const chosen = routeOrThrow(core, req.model, [], req.extra).chosen
    if (chosen) {
      pairs.push({
        model: chosen.model,
        serverName: chosen.serverName,
        url: chosen.dialUrl ?? chosen.serverUrl,
      })
    }
  } else {
    const holders = usableServers(core).filter((s) => modelOn(s, req.model) !== undefined)
    if (holders.length === 0) throw new ApiError(404, `model '${req.model}' not found`)
    const loaded = await Promise.all(
      holders.map(async (s) => {
        const url = s.dialUrl ?? s.url
        const entry = modelOn(s, req.model)
        try {
          const ps = await clientFor(url).ps()
          const name = entry?.name ?? req.model
          return ps.models.some((m) => m.name === name || m.model === name) ? s : null
        } catch {
          return entry?.loaded ? s : null
        }
      }),
    )
    for (const s of loaded) {
      if (s)
        pairs.push({
          model: modelOn(s, req.model)?.name ?? req.model,
          serverName: s.name,
          url: s.dialUrl ?? s.url,
        })
    }
  }
  await Promise.all(
    pairs.map(async (p) => {
      try {
        await emptyRequest(clientFor(p.url), req.route, p.model, { keepAlive: 0 })
      } catch (err) {
        const server = usableServers(core).find((s) => s.name === p.serverName)
        throw server ? proxiedError(err, server) : err
      }
    }),
  )
  const where = pairs.map((p) => `${p.model} @ ${p.serverName}`)
  core.logger.info(
    `Unload of ${req.model}: ${where.length ? `unloaded ${where.join(', ')}` : 'loaded nowhere'}`,
  )
  sendJson(
    res,
    200,
    {
      model: pairs[0]?.model ?? req.model,
      created_at: new Date().toISOString(),
      ...emptyPiece(req.route),
      done: true,
      done_reason: 'unload',
      metadata: { unloaded: pairs.map((p) => ({ model: p.model, server_name: p.serverName })) },
    },
    { 'X-AILLM-Unloaded': where.length ? where.join(', ') : 'none' },
  )
}

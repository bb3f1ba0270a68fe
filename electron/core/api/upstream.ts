/**
 * Proxying one call to one Ollama server: which servers may take it, a client with a timeout, and the
 * upstream's error turned into ours. Used by the routes that are not chat answers (show, ps, embeddings).
 */
import { Ollama } from 'ollama'
import type { AppCore } from '../app-core'
import { normaliseTag } from '../routing/tiers'
import type { ModelEntry, ServerView } from '../../../shared/types'
import { ApiError } from './http-util'

/** How long a proxied call that loads nothing may take. */
export const PROXY_TIMEOUT_MS = 5000

/** Servers that routing may use now. */
export function usableServers(core: AppCore): ServerView[] {
  return core
    .servers()
    .filter((s) => s.trusted && (s.health.kind === 'online' || s.health.kind === 'degraded'))
}

/** An Ollama client for proxying a call to one server, with a timeout. */
export function clientFor(url: string, timeoutMs = PROXY_TIMEOUT_MS): Ollama {
  return new Ollama({
    host: url,
    fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) }),
  })
}

/** The model entry of `model` on `server` (`name` and `name:latest` are the same model). */
export function modelOn(server: ServerView, model: string): ModelEntry | undefined {
  const tag = normaliseTag(model)
  return server.models.find((m) => normaliseTag(m.name) === tag)
}

/** A usable server that has this model. */
export function serverWithModel(core: AppCore, model: string): ServerView | undefined {
  return usableServers(core).find((s) => modelOn(s, model) !== undefined)
}

/** An upstream failure as our answer: Ollama's own status and words, or 502 naming the server. */
export function proxiedError(err: unknown, server: ServerView): ApiError {
  const e = err as { name?: string; status_code?: number; message?: string }
  if (e.name === 'ResponseError' && typeof e.status_code === 'number') {
    return new ApiError(e.status_code, e.message ?? 'upstream error')
  }
  return new ApiError(502, `${server.name} (${server.url}): ${e.message ?? String(err)}`)
}

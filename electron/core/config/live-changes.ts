/**
 * What a config change means for the running app: the token applies at once (the request guard reads it
 * per request), the API's address only at the next start, and a change that would leave a LAN-facing API
 * without a token is refused.
 */
import type { AillmConfig, ConfigIssue, RestartNeeded } from '../../../shared/types'
import { isLoopbackHost } from './host-url'

/** The address the running local API was started from (the config's, when AILLM started). */
export interface ApiBinding {
  host: string
  port: number
}

/** `api.host` / `api.port` where the config differs from what the running API was started with. */
export function restartNeeded(started: ApiBinding, config: AillmConfig): RestartNeeded[] {
  const out: RestartNeeded[] = []
  if (config.api.host !== started.host) {
    out.push({ key: 'api.host', running: started.host, configured: config.api.host })
  }
  if (config.api.port !== started.port) {
    out.push({ key: 'api.port', running: started.port, configured: config.api.port })
  }
  return out
}

/**
 * Refusals of a config that is valid on its own but not for the API as it runs: removing the token
 * while it listens beyond loopback (the schema judges `api.host` from the file, which may not be where
 * the API listens: `serve --host`, or a host change that waits for a restart).
 */
export function liveRefusals(next: AillmConfig, listenHost: string): ConfigIssue[] {
  if (next.api.token !== null || isLoopbackHost(listenHost)) return []
  return [
    {
      key: 'api.token',
      line: null,
      column: null,
      message:
        `cannot be removed while the local API listens on ${listenHost} (not a loopback address: anyone ` +
        'on the network could use it); the old token stays in force. Set a new token, or set api.host ' +
        'to 127.0.0.1 and restart first',
    },
  ]
}

/** Log lines for a change that is now in force: the token (never its value) and restart-only keys. */
export function describeLiveChanges(
  before: AillmConfig,
  after: AillmConfig,
  started: ApiBinding,
  path: string,
): { info: string[]; warn: string[] } {
  const info: string[] = []
  const warn: string[] = []
  if (before.api.token !== after.api.token) {
    info.push(
      after.api.token === null
        ? 'api.token removed: the local API no longer asks for a token'
        : 'api.token changed: the local API accepts only the new token from now on',
    )
  }
  const was = restartNeeded(started, before)
  for (const r of restartNeeded(started, after)) {
    const same = was.find((w) => w.key === r.key && w.configured === r.configured)
    if (same) continue
    warn.push(
      `${r.key} changed to ${String(r.configured)} in ${path}: the local API keeps ` +
        `${String(r.running)} until AILLM is restarted`,
    )
  }
  if (was.length > 0 && restartNeeded(started, after).length === 0) {
    info.push(`api.host and api.port are back to what the local API runs with: no restart needed`)
  }
  return { info, warn }
}

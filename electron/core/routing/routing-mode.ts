/**
 * Checks a routing mode against the servers and models that exist, for `mode:set`. A mode naming a
 * model or server that is not there would make every later `auto` request fail with a misleading "model
 * not found", so it is refused with what is unknown and what exists instead.
 */
import type { RoutingMode, ServerView } from '../../../shared/types'

/** Refused because the mode names a server or model that does not exist. */
export class UnknownRoutingTargetError extends Error {
  override readonly name = 'UnknownRoutingTargetError'
}

/** At most this many names are listed in a message. */
const MAX_LISTED = 12

/** Returns the mode as the router will use it, or throws an {@link UnknownRoutingTargetError}. */
export function validateMode(next: RoutingMode, servers: readonly ServerView[]): RoutingMode {
  switch (next.kind) {
    case 'auto':
      return { kind: 'auto' }
    case 'server':
      serverNamed(next.serverId, servers, 'server')
      return { kind: 'server', serverId: next.serverId }
    case 'model': {
      if (next.serverId !== null) {
        const server = serverNamed(next.serverId, servers, 'model')
        if (!server.models.some((m) => m.name === next.model)) {
          throw new UnknownRoutingTargetError(
            `Unknown model "${next.model}" on server "${server.id}" for mode "model": ` +
              `it has ${names(
                server.models.map((m) => m.name),
                'no models',
              )}`,
          )
        }
      } else if (!servers.some((s) => s.models.some((m) => m.name === next.model))) {
        const all = [...new Set(servers.flatMap((s) => s.models.map((m) => m.name)))].sort()
        throw new UnknownRoutingTargetError(
          `Unknown model "${next.model}" for mode "model": no server has it ` +
            `(known models: ${names(all, 'none yet')})`,
        )
      }
      return { kind: 'model', model: next.model, serverId: next.serverId }
    }
  }
}

function serverNamed(id: string, servers: readonly ServerView[], mode: string): ServerView {
  const server = servers.find((s) => s.id === id)
  if (server) return server
  throw new UnknownRoutingTargetError(
    `Unknown server "${id}" for mode "${mode}" (servers: ${names(
      servers.map((s) => s.id),
      'none yet',
    )})`,
  )
}

function names(list: readonly string[], none: string): string {
  if (list.length === 0) return none
  const shown = list.slice(0, MAX_LISTED).join(', ')
  return list.length > MAX_LISTED ? `${shown} and ${list.length - MAX_LISTED} more` : shown
}

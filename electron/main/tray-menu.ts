/**
 * The tray menu as plain data, a pure function of state (issue 6): tested without Electron, then mapped
 * to Menu.buildFromTemplate by tray.ts on every change.
 */
import type { RoutingMode, ServerView } from '../../shared/types'
import { assertNever } from '../../shared/types'

/** One menu entry, Electron-template-shaped but free of Electron types and click handlers. */
export interface TrayMenuItem {
  type: 'normal' | 'separator' | 'radio' | 'checkbox' | 'submenu'
  label?: string
  /** Action id for clickable items (see parseTrayAction); status lines have none. */
  id?: string
  checked?: boolean
  enabled?: boolean
  submenu?: TrayMenuItem[]
}

/** Everything the tray shows. */
export interface TrayState {
  servers: ServerView[]
  mode: RoutingMode
  startAtLogin: boolean
  /** Problems in config.yaml (0 when it is valid). */
  configIssues: number
  /** Set when the core could not start; the menu then offers only config editing and quit. */
  coreError: string | null
}

/** Health shown by the tray icon: every trusted server reachable, some, or none. */
export type TrayHealth = 'all' | 'some' | 'none'

/** What a click on a tray item asks for. */
export type TrayAction =
  | { kind: 'mode'; mode: RoutingMode }
  | { kind: 'trust'; serverId: string }
  | { kind: 'open'; view: 'chat' | 'dashboard' }
  | { kind: 'rediscover' }
  | { kind: 'edit-config' }
  | { kind: 'start-at-login'; enabled: boolean }
  | { kind: 'quit' }

/** The radio label of automatic routing. */
export const AUTO_LABEL = 'Automatic (route by task)'

function isReachable(server: ServerView): boolean {
  return server.health.kind === 'online' || server.health.kind === 'degraded'
}

/** Trusted servers only: untrusted discoveries are not routed to, so they cannot be "down". */
export function trayHealth(servers: readonly ServerView[]): TrayHealth {
  const trusted = servers.filter((s) => s.trusted)
  const up = trusted.filter(isReachable).length
  if (trusted.length > 0 && up === trusted.length) return 'all'
  if (up > 0) return 'some'
  return 'none'
}

/** Tooltip and first menu line: the health in words. */
export function healthSummary(servers: readonly ServerView[]): string {
  const trusted = servers.filter((s) => s.trusted)
  const up = trusted.filter(isReachable).length
  if (trusted.length === 0) return 'AILLM — no servers configured'
  switch (trayHealth(servers)) {
    case 'all':
      return `AILLM — all ${trusted.length} ${plural(trusted.length, 'server')} reachable`
    case 'some':
      return `AILLM — ${up} of ${trusted.length} servers reachable`
    case 'none':
      return `AILLM — no server reachable`
  }
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`
}

function latencyOf(server: ServerView, fallback: number): number {
  return Math.round(server.latencyMs ?? fallback)
}

/** One status line: `<name> — <n> models, <latency> ms` or `<name> — offline`. */
export function serverStatusLine(server: ServerView): string {
  const models = `${server.models.length} ${plural(server.models.length, 'model')}`
  const health = server.health
  switch (health.kind) {
    case 'online':
      return `${server.name} — ${models}, ${latencyOf(server, health.latencyMs)} ms`
    case 'degraded':
      return `${server.name} — ${models}, ${latencyOf(server, health.latencyMs)} ms (degraded: ${health.reason})`
    case 'offline':
      return `${server.name} — offline`
    case 'probing':
      return `${server.name} — checking…`
    default:
      return assertNever(health)
  }
}

/** Where a discovered server lives, for its trust item: the resolved IP, else the URL's host:port. */
export function serverAddress(server: ServerView): string {
  if (server.resolvedAddress) return server.resolvedAddress
  try {
    return new URL(server.url).host
  } catch {
    return server.url
  }
}

function modeIs(mode: RoutingMode, kind: RoutingMode['kind'], serverId?: string): boolean {
  if (mode.kind !== kind) return false
  return mode.kind === 'server' ? mode.serverId === serverId : true
}

/** Builds the whole tray menu from state. Consecutive radio items form one group in Electron. */
export function buildTrayMenu(state: TrayState): TrayMenuItem[] {
  const sep: TrayMenuItem = { type: 'separator' }
  const items: TrayMenuItem[] = [
    { type: 'normal', label: healthSummary(state.servers), enabled: false },
  ]

  if (state.coreError !== null) {
    items.push({ type: 'normal', label: `Not running: ${state.coreError}`, enabled: false })
  } else {
    const trusted = state.servers.filter((s) => s.trusted)
    const pending = state.servers.filter((s) => !s.trusted)

    items.push(sep, { type: 'normal', label: 'Server mode', enabled: false })
    items.push({
      type: 'radio',
      label: AUTO_LABEL,
      id: 'mode:auto',
      checked: modeIs(state.mode, 'auto'),
    })
    for (const server of trusted) {
      items.push({
        type: 'radio',
        label: `Only ${server.name}`,
        id: `mode:server:${server.id}`,
        checked: modeIs(state.mode, 'server', server.id),
      })
    }
    const mode = state.mode
    // A model pinned from the chat or dashboard has no tray item of its own: show it, so no radio lies.
    if (mode.kind === 'model') {
      const where = mode.serverId ? ` @ ${mode.serverId}` : ''
      items.push({
        type: 'radio',
        label: `Only model ${mode.model}${where}`,
        id: 'mode:current',
        checked: true,
      })
    }
    if (mode.kind === 'server' && !trusted.some((s) => s.id === mode.serverId)) {
      items.push({
        type: 'radio',
        label: `Only ${mode.serverId} (unknown)`,
        id: 'mode:current',
        checked: true,
      })
    }

    if (trusted.length > 0) {
      items.push(sep)
      for (const server of trusted) {
        items.push({ type: 'normal', label: serverStatusLine(server), enabled: false })
      }
    }

    if (pending.length > 0) {
      items.push(sep, { type: 'normal', label: 'Discovered — awaiting trust', enabled: false })
      for (const server of pending) {
        items.push({
          type: 'normal',
          label: `Trust ${server.name} (${serverAddress(server)})`,
          id: `trust:${server.id}`,
        })
      }
    }

    items.push(
      sep,
      { type: 'normal', label: 'Open Chat', id: 'open:chat' },
      { type: 'normal', label: 'Open Dashboard', id: 'open:dashboard' },
      sep,
      { type: 'normal', label: 'Rediscover servers', id: 'rediscover' },
    )
  }

  if (state.configIssues > 0) {
    const n = state.configIssues
    items.push({ type: 'normal', label: `Config has ${n} ${plural(n, 'problem')}`, enabled: false })
  }
  items.push(
    { type: 'normal', label: 'Edit config…', id: 'edit-config' },
    {
      type: 'checkbox',
      label: 'Start at login',
      id: 'start-at-login',
      checked: state.startAtLogin,
    },
    sep,
    { type: 'normal', label: 'Quit', id: 'quit' },
  )
  return items
}

/**
 * Turns a clicked item's id back into an action. `checked` is the item's state after the click
 * (Electron flips checkboxes before calling click). Unknown ids and informational items give null.
 */
export function parseTrayAction(id: string, checked = false): TrayAction | null {
  if (id === 'mode:auto') return { kind: 'mode', mode: { kind: 'auto' } }
  if (id.startsWith('mode:server:')) {
    const serverId = id.slice('mode:server:'.length)
    return serverId ? { kind: 'mode', mode: { kind: 'server', serverId } } : null
  }
  if (id.startsWith('trust:')) {
    const serverId = id.slice('trust:'.length)
    return serverId ? { kind: 'trust', serverId } : null
  }
  switch (id) {
    case 'open:chat':
      return { kind: 'open', view: 'chat' }
    case 'open:dashboard':
      return { kind: 'open', view: 'dashboard' }
    case 'rediscover':
      return { kind: 'rediscover' }
    case 'edit-config':
      return { kind: 'edit-config' }
    case 'start-at-login':
      return { kind: 'start-at-login', enabled: checked }
    case 'quit':
      return { kind: 'quit' }
    default:
      return null
  }
}

/** Finds an item by id anywhere in the menu (tests and the e2e hook click through this). */
export function findTrayItem(items: readonly TrayMenuItem[], id: string): TrayMenuItem | null {
  for (const item of items) {
    if (item.id === id) return item
    if (item.submenu) {
      const found = findTrayItem(item.submenu, id)
      if (found) return found
    }
  }
  return null
}

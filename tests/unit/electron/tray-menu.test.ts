import { describe, expect, it } from 'vitest'
import type { RoutingMode, ServerHealth, ServerView } from '../../../shared/types'
import type { TrayMenuItem, TrayState } from '../../../electron/main/tray-menu'
import {
  AUTO_LABEL,
  buildTrayMenu,
  findTrayItem,
  healthSummary,
  parseTrayAction,
  serverStatusLine,
  trayHealth,
} from '../../../electron/main/tray-menu'
import { toMenuTemplate, trayIconFile } from '../../../electron/main/tray-template'

const online = (latencyMs: number): ServerHealth => ({ kind: 'online', since: 0, latencyMs })
const offline: ServerHealth = { kind: 'offline', since: 0, error: 'ECONNREFUSED', nextProbeAt: 0 }
const probing: ServerHealth = { kind: 'probing', since: 0 }

function server(
  id: string,
  health: ServerHealth,
  extra: Partial<ServerView> & { modelCount?: number } = {},
): ServerView {
  const { modelCount = 3, ...rest } = extra
  const models = Array.from({ length: modelCount }, (_, i) => ({
    name: `m${i}:1b`,
    serverId: id,
    family: 'gemma3',
    parameterSize: '1B',
    parametersB: 1,
    quantization: 'Q4_K_M',
    sizeBytes: 1,
    capabilities: [],
    tier: 'fast' as const,
    specialisations: [],
    chatCapable: true,
    loaded: false,
    fullyInGpu: null,
    tokensPerSecond: null,
  }))
  return {
    id,
    name: id,
    url: `http://${id}.lan:11434`,
    urls: [`http://${id}.lan:11434`],
    resolvedAddress: null,
    priority: 'PRIMARY',
    source: 'config',
    trusted: true,
    health,
    latencyMs: health.kind === 'online' ? health.latencyMs : null,
    version: '0.12.3',
    inFlight: 0,
    breaker: 'closed',
    models,
    ...rest,
  }
}

function state(servers: ServerView[], extra: Partial<TrayState> = {}): TrayState {
  return {
    servers,
    mode: { kind: 'auto' },
    startAtLogin: false,
    configIssues: 0,
    coreError: null,
    ...extra,
  }
}

const radios = (items: TrayMenuItem[]) => items.filter((i) => i.type === 'radio')
const labels = (items: TrayMenuItem[]) => items.map((i) => i.label ?? `--${i.type}--`)

const fleet = () => [
  server('primary', online(45), { modelCount: 15 }),
  server('localhost', online(5), { priority: 'SECONDARY' }),
]

describe('trayHealth', () => {
  it.each<[string, ServerView[], 'all' | 'some' | 'none']>([
    ['no servers', [], 'none'],
    ['all online', fleet(), 'all'],
    ['one of two down', [server('a', online(4)), server('b', offline)], 'some'],
    ['all down', [server('a', offline), server('b', offline)], 'none'],
    [
      'degraded counts as reachable',
      [server('a', { kind: 'degraded', since: 0, latencyMs: 900, reason: 'slow' })],
      'all',
    ],
    ['probing is not reachable yet', [server('a', online(4)), server('b', probing)], 'some'],
    [
      'untrusted discoveries do not count',
      [server('a', online(4)), server('b', offline, { trusted: false })],
      'all',
    ],
    ['only untrusted servers', [server('b', online(3), { trusted: false })], 'none'],
  ])('%s', (_name, servers, expected) => {
    expect(trayHealth(servers)).toBe(expected)
  })

  it.each<[ServerView[], string]>([
    [fleet(), 'AILLM — all 2 servers reachable'],
    [[server('a', online(1)), server('b', offline)], 'AILLM — 1 of 2 servers reachable'],
    [[server('a', offline)], 'AILLM — no server reachable'],
    [[], 'AILLM — no servers configured'],
  ])('summarises health as words (%#)', (servers, text) => {
    expect(healthSummary(servers)).toBe(text)
    expect(buildTrayMenu(state(servers))[0]).toEqual({
      type: 'normal',
      label: text,
      enabled: false,
    })
  })
})

describe('buildTrayMenu: server mode', () => {
  it('offers Automatic plus "Only <server>" for each trusted server, as one radio group', () => {
    const items = buildTrayMenu(state(fleet()))
    expect(labels(radios(items))).toEqual([AUTO_LABEL, 'Only primary', 'Only localhost'])
    const first = items.findIndex((i) => i.type === 'radio')
    // Consecutive radio items are one group in Electron: nothing may sit between them.
    expect(items.slice(first, first + 3).every((i) => i.type === 'radio')).toBe(true)
  })

  it.each<[string, RoutingMode, string[]]>([
    ['auto', { kind: 'auto' }, [AUTO_LABEL]],
    ['pinned to primary', { kind: 'server', serverId: 'primary' }, ['Only primary']],
    ['pinned to localhost', { kind: 'server', serverId: 'localhost' }, ['Only localhost']],
    [
      'a model pinned elsewhere',
      { kind: 'model', model: 'gemma3:1b', serverId: 'localhost' },
      ['Only model gemma3:1b @ localhost'],
    ],
    ['a server that vanished', { kind: 'server', serverId: 'gone' }, ['Only gone (unknown)']],
  ])('checks exactly the current mode: %s', (_name, mode, checked) => {
    const items = radios(buildTrayMenu(state(fleet(), { mode })))
    expect(labels(items.filter((i) => i.checked))).toEqual(checked)
  })

  it('switching mode is a click that parses to the new mode', () => {
    const items = buildTrayMenu(state(fleet()))
    const only = items.find((i) => i.label === 'Only localhost')
    expect(only?.id).toBeDefined()
    expect(parseTrayAction(only?.id ?? '')).toEqual({
      kind: 'mode',
      mode: { kind: 'server', serverId: 'localhost' },
    })
    expect(parseTrayAction('mode:auto')).toEqual({ kind: 'mode', mode: { kind: 'auto' } })
  })

  it('does not offer untrusted servers as a mode', () => {
    const items = buildTrayMenu(state([...fleet(), server('gpu2', online(9), { trusted: false })]))
    expect(labels(radios(items))).not.toContain('Only gpu2')
  })
})

describe('buildTrayMenu: statuses', () => {
  it.each<[string, ServerView, string]>([
    ['online', server('primary', online(45.4), { modelCount: 15 }), 'primary — 15 models, 45 ms'],
    ['one model', server('tiny', online(5), { modelCount: 1 }), 'tiny — 1 model, 5 ms'],
    [
      'EWMA latency wins over the probe',
      server('p', online(80), { latencyMs: 52.6 }),
      'p — 3 models, 53 ms',
    ],
    ['offline', server('backup_gpu', offline), 'backup_gpu — offline'],
    ['probing', server('new', probing), 'new — checking…'],
    [
      'degraded',
      server('slow', { kind: 'degraded', since: 0, latencyMs: 950, reason: 'slow answers' }),
      'slow — 3 models, 950 ms (degraded: slow answers)',
    ],
  ])('%s', (_name, s, line) => {
    expect(serverStatusLine(s)).toBe(line)
    const item = buildTrayMenu(state([s])).find((i) => i.label === line)
    expect(item).toEqual({ type: 'normal', label: line, enabled: false })
  })
})

describe('buildTrayMenu: discovered servers', () => {
  const discovered = [
    server('gpu-box', online(12), {
      trusted: false,
      source: 'mdns',
      resolvedAddress: '192.168.1.50',
    }),
    server('laptop2', probing, { trusted: false, source: 'mdns', url: 'http://10.0.0.7:11434' }),
  ]

  it('lists each as "Trust <name> (<address>)" with a trust action', () => {
    const items = buildTrayMenu(state([...fleet(), ...discovered]))
    const trust = items.filter((i) => i.label?.startsWith('Trust '))
    expect(labels(trust)).toEqual([
      'Trust gpu-box (192.168.1.50)',
      'Trust laptop2 (10.0.0.7:11434)',
    ])
    expect(trust.map((i) => parseTrayAction(i.id ?? ''))).toEqual([
      { kind: 'trust', serverId: 'gpu-box' },
      { kind: 'trust', serverId: 'laptop2' },
    ])
    expect(labels(items)).toContain('Discovered — awaiting trust')
  })

  it('has no discovered section when nothing awaits trust', () => {
    const items = buildTrayMenu(state(fleet()))
    expect(labels(items).some((l) => l.startsWith('Trust ') || l.startsWith('Discovered'))).toBe(
      false,
    )
  })

  it('shows no status line for an untrusted server', () => {
    const items = buildTrayMenu(state(discovered))
    expect(labels(items).some((l) => l.startsWith('gpu-box —'))).toBe(false)
  })
})

describe('buildTrayMenu: fixed items', () => {
  it('ends with the app actions in order', () => {
    const items = buildTrayMenu(state(fleet()))
    const actions = items.filter((i) => i.id && !i.id.startsWith('mode:'))
    expect(labels(actions)).toEqual([
      'Open Chat',
      'Open Dashboard',
      'Rediscover servers',
      'Edit config…',
      'Start at login',
      'Quit',
    ])
    expect(items.at(-1)).toEqual({ type: 'normal', label: 'Quit', id: 'quit' })
  })

  it.each([true, false])('"Start at login" is a checkbox showing %s', (on) => {
    const item = findTrayItem(buildTrayMenu(state(fleet(), { startAtLogin: on })), 'start-at-login')
    expect(item).toMatchObject({ type: 'checkbox', checked: on })
    // Electron flips the checkbox before click: the new state is the wanted one.
    expect(parseTrayAction('start-at-login', !on)).toEqual({ kind: 'start-at-login', enabled: !on })
  })

  it('names config problems', () => {
    expect(labels(buildTrayMenu(state(fleet(), { configIssues: 2 })))).toContain(
      'Config has 2 problems',
    )
    expect(labels(buildTrayMenu(state(fleet(), { configIssues: 1 })))).toContain(
      'Config has 1 problem',
    )
  })

  it('when the core failed, offers only config editing and quit', () => {
    const items = buildTrayMenu(state([], { coreError: 'config.yaml line 3: bad priority' }))
    expect(labels(items)).toContain('Not running: config.yaml line 3: bad priority')
    expect(items.filter((i) => i.id).map((i) => i.id)).toEqual([
      'edit-config',
      'start-at-login',
      'quit',
    ])
  })

  it('every clickable item parses to an action, every status line has none', () => {
    const items = buildTrayMenu(
      state([...fleet(), server('x', offline, { trusted: false })], {
        mode: { kind: 'model', model: 'a', serverId: null },
      }),
    )
    for (const item of items) {
      if (item.id && item.id !== 'mode:current')
        expect(parseTrayAction(item.id), item.id).not.toBeNull()
      if (item.enabled === false) expect(item.id).toBeUndefined()
    }
  })
})

describe('parseTrayAction', () => {
  it.each<[string, ReturnType<typeof parseTrayAction>]>([
    ['open:chat', { kind: 'open', view: 'chat' }],
    ['open:dashboard', { kind: 'open', view: 'dashboard' }],
    ['rediscover', { kind: 'rediscover' }],
    ['edit-config', { kind: 'edit-config' }],
    ['quit', { kind: 'quit' }],
    ['mode:server:a:b', { kind: 'mode', mode: { kind: 'server', serverId: 'a:b' } }],
    ['mode:server:', null],
    ['trust:', null],
    ['mode:current', null],
    ['nonsense', null],
  ])('%s', (id, action) => {
    expect(parseTrayAction(id)).toEqual(action)
  })
})

describe('toMenuTemplate', () => {
  it('keeps the shape and routes clicks by id with the checked state', () => {
    const clicks: [string, boolean][] = []
    const template = toMenuTemplate(buildTrayMenu(state(fleet())), (id, checked) =>
      clicks.push([id, checked]),
    )
    expect(template.map((t) => t.label ?? t.type)).toEqual(
      labels(buildTrayMenu(state(fleet()))).map((l) => l.replace(/^--(\w+)--$/, '$1')),
    )
    const auto = template.find((t) => t.id === 'mode:auto')
    expect(auto).toMatchObject({ type: 'radio', checked: true })
    const status = template.find((t) => t.label === 'primary — 15 models, 45 ms')
    expect(status?.click).toBeUndefined()
    const fakeItem = { checked: true } as Parameters<NonNullable<typeof auto>['click'] & object>[0]
    template.find((t) => t.id === 'start-at-login')?.click?.(fakeItem, undefined, {} as never)
    expect(clicks).toEqual([['start-at-login', true]])
  })
})

describe('trayIconFile', () => {
  it.each<[NodeJS.Platform, 'all' | 'some' | 'none', string]>([
    ['darwin', 'all', 'tray-allTemplate.png'],
    ['darwin', 'none', 'tray-noneTemplate.png'],
    ['win32', 'some', 'tray-some.ico'],
    ['linux', 'all', 'tray-all.png'],
    ['linux', 'some', 'tray-some.png'],
    ['freebsd', 'none', 'tray-none.png'],
  ])('%s / %s → %s', (platform, health, file) => {
    expect(trayIconFile(platform, health)).toBe(file)
  })
})

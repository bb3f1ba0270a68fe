import { afterEach, describe, expect, it, vi } from 'vitest'
import type { AillmConfig, OllamaProviderConfig, ServerView } from '../../../../shared/types'
import { DEFAULT_CONFIG } from '../../../../electron/core/config/config-schema'
import type { Discoverer, FoundServer } from '../../../../electron/core/discovery/discoverer'
import {
  ServerRegistry,
  UnknownServerError,
  type BreakerView,
  type HostResolver,
  type RegistryTimers,
} from '../../../../electron/core/discovery/server-registry'
import type { BackoffPolicy } from '../../../../electron/core/discovery/backoff'
import { StaticConfigDiscoverer } from '../../../../electron/core/discovery/static-config-discoverer'
import { createMemoryLogger, type LogLevel } from '../../../../electron/core/logger'
import { CircuitBreaker } from '../../../../electron/core/routing/circuit-breaker'
import {
  healthyRoutes,
  refusedUrl,
  startFakeOllama,
  type FakeOllama,
  type FakeRoute,
} from './fake-ollama'

/** Timers the test fires by hand, with a clock that jumps to each timer's due time. */
class ManualTimers implements RegistryTimers {
  now = 1_700_000_000_000
  private nextId = 1
  queue: { id: number; at: number; fn: () => void }[] = []
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++
    this.queue.push({ id, at: this.now + ms, fn })
    return id
  }
  clearTimeout(handle: unknown): void {
    this.queue = this.queue.filter((t) => t.id !== handle)
  }
  /** Delays of the pending timers from now, soonest first. */
  delays(): number[] {
    return this.queue.map((t) => t.at - this.now).sort((a, b) => a - b)
  }
  /** Jumps to the soonest timer and fires it. */
  fireNext(): void {
    this.queue.sort((a, b) => a.at - b.at)
    const next = this.queue.shift()
    if (!next) throw new Error('no timer pending')
    this.now = Math.max(this.now, next.at)
    next.fn()
  }
}

const fakes: FakeOllama[] = []
const registries: ServerRegistry[] = []
async function fake(routes: Record<string, FakeRoute>): Promise<FakeOllama> {
  const f = await startFakeOllama(routes)
  fakes.push(f)
  return f
}

afterEach(async () => {
  for (const r of registries.splice(0)) r.stop()
  await Promise.all(fakes.splice(0).map((f) => f.close()))
})

function configWith(patch: Partial<OllamaProviderConfig>): AillmConfig {
  const config = structuredClone(DEFAULT_CONFIG)
  config.llm.providers.ollama = {
    ...config.llm.providers.ollama,
    base_url: null,
    additional_servers: [],
    ...patch,
  }
  return config
}

function setup(
  initial: AillmConfig,
  extra: {
    discoverers?: Discoverer[]
    breaker?: CircuitBreaker
    breakerView?: BreakerView
    resolver?: HostResolver
    backoff?: BackoffPolicy
    degradedLatencyMs?: number
    logLevel?: LogLevel
  } = {},
) {
  let config = initial
  const timers = new ManualTimers()
  const logger = createMemoryLogger(extra.logLevel ?? 'INFO')
  const breaker = extra.breaker ?? new CircuitBreaker({ timers: false, now: () => timers.now })
  const registry = new ServerRegistry({
    discoverers: [
      new StaticConfigDiscoverer(() => config.llm.providers.ollama),
      ...(extra.discoverers ?? []),
    ],
    logger,
    config: () => config,
    breaker: extra.breakerView ?? breaker,
    now: () => timers.now,
    timers,
    ...(extra.resolver ? { resolver: extra.resolver } : {}),
    ...(extra.backoff ? { backoff: extra.backoff } : {}),
    ...(extra.degradedLatencyMs !== undefined
      ? { degradedLatencyMs: extra.degradedLatencyMs }
      : {}),
  })
  registries.push(registry)
  const byId = (id: string): ServerView => {
    const view = registry.snapshot().find((s) => s.id === id)
    if (!view) throw new Error(`no server ${id}`)
    return view
  }
  return {
    registry,
    timers,
    logger,
    breaker,
    byId,
    lines: () => logger.records.map((r) => `${r.level} - ${r.message}`),
    setConfig: (c: AillmConfig) => (config = c),
  }
}

describe('ServerRegistry', () => {
  it('probes every server, logs the spec lines and keeps the offline one on backoff', async () => {
    const gpu = await fake(
      healthyRoutes(['llama3.3:70b', 'gemma3:12b', 'gemma3:1b'], ['gemma3:12b']),
    )
    const laptop = await fake(healthyRoutes(['gemma3:1b', 'qwen2.5:1.5b']))
    const gone = await refusedUrl()
    const t = setup(
      configWith({
        base_url: gpu.url,
        additional_servers: [
          { name: 'localhost', url: laptop.url, priority: 'SECONDARY' },
          { name: 'backup_gpu', url: gone, priority: 'FALLBACK' },
        ],
      }),
    )
    await t.registry.start()
    const lines = t.lines().map((l) => l.replace(/, \d+ms$/, ', <t>ms'))
    expect(lines).toEqual([
      'INFO - Discovering Ollama servers and models...',
      `INFO - Server primary (${gpu.url}): 3 models, <t>ms`,
      `INFO - Server localhost (${laptop.url}): 2 models, <t>ms`,
      `WARNING - Server backup_gpu (${gone}): offline (connection refused)`,
      'INFO - Discovery complete: 2/3 servers available, 4 unique models',
    ])
    const primary = t.byId('primary')
    expect(primary).toMatchObject({
      name: 'primary',
      url: gpu.url,
      priority: 'PRIMARY',
      source: 'config',
      trusted: true,
      version: '0.12.3',
      inFlight: 0,
      breaker: 'closed',
      resolvedAddress: '127.0.0.1',
      health: { kind: 'online', since: t.timers.now },
    })
    expect(primary.latencyMs).not.toBeNull()
    expect(primary.models.map((m) => [m.name, m.tier, m.loaded])).toEqual([
      ['llama3.3:70b', 'powerful', false],
      ['gemma3:12b', 'balanced', true],
      ['gemma3:1b', 'fast', false],
    ])
    expect(t.byId('backup_gpu').health).toEqual({
      kind: 'offline',
      since: t.timers.now,
      error: 'connection refused',
      nextProbeAt: t.timers.now + 1000,
    })
    // Online servers wait the health-check interval, the offline one its backoff.
    expect(t.timers.delays()).toEqual([1000, 15_000, 15_000])
  })

  it('backs off 1 s, 2 s, 4 s … for a server that stays offline, keeping `since`', async () => {
    const t = setup(
      configWith({
        additional_servers: [{ name: 'gone', url: await refusedUrl(), priority: 'PRIMARY' }],
      }),
    )
    await t.registry.start()
    const since = t.timers.now
    const seen: number[] = []
    for (let i = 0; i < 4; i++) {
      const health = t.byId('gone').health
      if (health.kind !== 'offline') throw new Error('expected offline')
      seen.push(health.nextProbeAt - t.timers.now)
      expect(health.since).toBe(since)
      const before = health.nextProbeAt
      t.timers.fireNext()
      await vi.waitFor(() => {
        const h = t.byId('gone').health
        expect(h.kind === 'offline' && h.nextProbeAt !== before).toBe(true)
      })
    }
    expect(seen).toEqual([1000, 2000, 4000, 8000])
  })

  it('walks the primary fallback_urls in the same round and reports the one that answered', async () => {
    const alt = await fake(healthyRoutes(['gemma3:12b']))
    const t = setup(configWith({ base_url: await refusedUrl(), fallback_urls: [alt.url] }))
    await t.registry.start()
    expect(t.byId('primary')).toMatchObject({
      url: alt.url,
      source: 'fallback_url',
      health: { kind: 'online' },
    })
    expect(t.lines()[1]).toMatch(
      new RegExp(`^INFO - Server primary \\(${alt.url}\\): 1 models, \\d+ms$`),
    )
  })

  it('marks a server degraded when a probe call fails but it still answers', async () => {
    const f = await fake({
      ...healthyRoutes(['a:1b']),
      'GET /api/ps': { status: 500, body: { error: 'ps broke' } },
    })
    const t = setup(
      configWith({ additional_servers: [{ name: 's', url: f.url, priority: 'PRIMARY' }] }),
    )
    await t.registry.start()
    expect(t.byId('s').health).toMatchObject({
      kind: 'degraded',
      reason: '/api/ps: HTTP 500: ps broke',
    })
    expect(t.lines()[2]).toBe('INFO - Discovery complete: 1/1 servers available, 1 unique models')
  })

  it('finishes discovery with hung servers in about one probe timeout', async () => {
    const hang = {
      'GET /api/version': 'hang',
      'GET /api/tags': 'hang',
      'GET /api/ps': 'hang',
    } as const
    const hung = await Promise.all([fake(hang), fake(hang), fake(hang)])
    const ok = await fake(healthyRoutes(['a:1b']))
    const config = configWith({
      additional_servers: [
        ...hung.map((h, i) => ({ name: `hung${i}`, url: h.url, priority: 'PRIMARY' as const })),
        { name: 'ok', url: ok.url, priority: 'PRIMARY' },
      ],
    })
    config.llm.providers.ollama.timeouts.probe_ms = 400
    const t = setup(config)
    const started = performance.now()
    await t.registry.start()
    // Three hung servers in series would take 1200 ms or more.
    expect(performance.now() - started).toBeLessThan(1000)
    expect(t.byId('hung0').health).toMatchObject({
      kind: 'offline',
      error: 'timed out after 400 ms',
    })
    expect(t.byId('ok').health.kind).toBe('online')
  })

  it('recordFailure: refused → offline now, then back online on the quick re-probe', async () => {
    const f = await fake(healthyRoutes(['a:1b']))
    const t = setup(
      configWith({ additional_servers: [{ name: 's', url: f.url, priority: 'PRIMARY' }] }),
    )
    await t.registry.start()
    t.registry.recordFailure(
      's',
      new TypeError('fetch failed', {
        cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }),
      }),
    )
    expect(t.byId('s').health).toMatchObject({ kind: 'offline', error: 'connection refused' })
    expect(t.timers.delays()).toEqual([1000])
    t.timers.fireNext()
    await vi.waitFor(() => expect(t.byId('s').health.kind).toBe('online'))
  })

  it('recordFailure: an HTTP 500 keeps the server online and only asks for a re-probe', async () => {
    const f = await fake(healthyRoutes(['a:1b']))
    const t = setup(
      configWith({ additional_servers: [{ name: 's', url: f.url, priority: 'PRIMARY' }] }),
    )
    await t.registry.start()
    const versionHits = () => f.hits.filter((h) => h === 'GET /api/version').length
    const hits = versionHits()
    t.registry.recordFailure(
      's',
      Object.assign(new Error('boom'), { name: 'ResponseError', status_code: 500 }),
    )
    expect(t.byId('s').health.kind).toBe('online')
    expect(t.timers.delays()).toEqual([0])
    t.timers.fireNext()
    await vi.waitFor(() => expect(versionHits()).toBe(hits + 1))
    // A cancelled request says nothing about the server.
    t.registry.recordFailure('s', Object.assign(new Error('x'), { name: 'AbortError' }))
    await vi.waitFor(() => expect(t.timers.delays()).toEqual([15_000]))
  })

  it('tracks in-flight requests and measured speed; snapshots are copies', async () => {
    const f = await fake(healthyRoutes(['a:1b', 'b:1b']))
    const t = setup(
      configWith({ additional_servers: [{ name: 's', url: f.url, priority: 'PRIMARY' }] }),
    )
    await t.registry.start()
    t.registry.requestStarted('s')
    t.registry.requestStarted('s')
    t.registry.requestEnded('s')
    expect(t.byId('s').inFlight).toBe(1)
    t.registry.requestEnded('s')
    t.registry.requestEnded('s')
    expect(t.byId('s').inFlight).toBe(0)

    t.registry.recordSuccess('s', 'a:1b', 100)
    t.registry.recordSuccess('s', 'a:1b', 200)
    t.registry.recordSuccess('s', 'a:1b', null)
    const speeds = t.byId('s').models.map((m) => [m.name, m.tokensPerSecond])
    expect(speeds).toEqual([
      ['a:1b', 130],
      ['b:1b', null],
    ])

    const copy = t.registry.snapshot()
    const first = copy[0]
    if (!first) throw new Error('empty snapshot')
    first.name = 'changed'
    first.models.length = 0
    expect(t.byId('s').name).toBe('s')
    expect(t.byId('s').models).toHaveLength(2)
    // Ids the registry does not know are ignored, not fatal.
    expect(() => t.registry.requestStarted('nope')).not.toThrow()
  })

  it('coalesces a burst of changes into one event per turn', async () => {
    const f = await fake(healthyRoutes(['a:1b']))
    const t = setup(
      configWith({ additional_servers: [{ name: 's', url: f.url, priority: 'PRIMARY' }] }),
    )
    await t.registry.start()
    await new Promise((r) => setImmediate(r))
    const events: ServerView[][] = []
    t.registry.onDidChange((s) => events.push(s))
    for (let i = 0; i < 5; i++) t.registry.requestStarted('s')
    expect(events).toHaveLength(0)
    await new Promise((r) => setImmediate(r))
    expect(events).toHaveLength(1)
    expect(events[0]?.[0]?.inFlight).toBe(5)
  })

  it('shows the breaker state and fires when it changes', async () => {
    const f = await fake(healthyRoutes(['a:1b']))
    const t = setup(
      configWith({ additional_servers: [{ name: 's', url: f.url, priority: 'PRIMARY' }] }),
    )
    await t.registry.start()
    await new Promise((r) => setImmediate(r))
    const events: ServerView[][] = []
    t.registry.onDidChange((s) => events.push(s))
    t.breaker.recordFailure('s', { hard: true })
    await vi.waitFor(() => expect(events.at(-1)?.[0]?.breaker).toBe('open'))
    expect(t.byId('s').breaker).toBe('open')
  })

  it('refresh applies config changes and keeps the state of unchanged servers', async () => {
    const a = await fake(healthyRoutes(['a:1b']))
    const b = await fake(healthyRoutes(['b:1b']))
    const t = setup(
      configWith({ additional_servers: [{ name: 'a', url: a.url, priority: 'PRIMARY' }] }),
    )
    await t.registry.start()
    t.registry.recordSuccess('a', 'a:1b', 50)
    const sinceA = t.byId('a').health.since
    t.timers.now += 5000
    t.setConfig(
      configWith({
        additional_servers: [
          { name: 'a', url: a.url, priority: 'SECONDARY' },
          { name: 'b', url: b.url, priority: 'PRIMARY' },
        ],
      }),
    )
    await t.registry.refresh()
    const snap = t.registry.snapshot()
    expect(snap.map((s) => [s.id, s.priority, s.health.kind])).toEqual([
      ['a', 'SECONDARY', 'online'],
      ['b', 'PRIMARY', 'online'],
    ])
    expect(t.byId('a').health.since).toBe(sinceA)
    expect(t.byId('a').models[0]?.tokensPerSecond).toBe(50)

    t.setConfig(
      configWith({ additional_servers: [{ name: 'b', url: b.url, priority: 'PRIMARY' }] }),
    )
    await t.registry.refresh()
    expect(t.registry.snapshot().map((s) => s.id)).toEqual(['b'])
    expect(t.timers.queue).toHaveLength(1)
  })

  it('lists untrusted servers and trusts them on request', async () => {
    const f = await fake(healthyRoutes(['a:1b']))
    const mdns: Discoverer = {
      discover: () =>
        Promise.resolve<FoundServer[]>([
          {
            id: 'box',
            name: 'box',
            urls: [f.url],
            priority: 'SECONDARY',
            source: 'mdns',
            trusted: false,
          },
        ]),
    }
    const t = setup(configWith({}), { discoverers: [mdns] })
    await t.registry.start()
    expect(t.byId('box')).toMatchObject({
      trusted: false,
      source: 'mdns',
      health: { kind: 'online' },
    })
    t.registry.trust('box')
    expect(t.byId('box').trusted).toBe(true)
    await t.registry.refresh()
    expect(t.byId('box').trusted).toBe(true)
    expect(() => t.registry.trust('nope')).toThrow(UnknownServerError)
    expect(() => t.registry.trust('nope')).toThrow('Unknown server "nope"')
  })

  it('does not list a discovered box twice when it is also configured', async () => {
    const f = await fake(healthyRoutes(['a:1b']))
    const other = await fake(healthyRoutes(['b:1b']))
    const found = (id: string, url: string): FoundServer => ({
      id,
      name: id,
      urls: [url],
      priority: 'SECONDARY',
      source: 'mdns',
      trusted: false,
    })
    const mdns: Discoverer = {
      discover: () => Promise.resolve([found('gpu-box', f.url), found('other-box', other.url)]),
    }
    const t = setup(configWith({ base_url: f.url }), { discoverers: [mdns] })
    await t.registry.start()
    expect(t.registry.snapshot().map((s) => s.id)).toEqual(['primary', 'other-box'])
  })

  it('a failing discoverer keeps its last list and is logged', async () => {
    const f = await fake(healthyRoutes(['a:1b']))
    let fail = false
    const flaky: Discoverer = {
      discover: () =>
        fail
          ? Promise.reject(new Error('mdns socket closed'))
          : Promise.resolve([
              {
                id: 'x',
                name: 'x',
                urls: [f.url],
                priority: 'SECONDARY',
                source: 'mdns',
                trusted: false,
              },
            ]),
    }
    const t = setup(configWith({}), { discoverers: [flaky] })
    await t.registry.start()
    fail = true
    await t.registry.refresh()
    expect(t.registry.snapshot().map((s) => s.id)).toEqual(['x'])
    expect(t.lines()).toContain('WARNING - Server discovery failed: mdns socket closed')
  })

  it('with the provider disabled there are no servers', async () => {
    const t = setup(configWith({ enabled: false, base_url: 'http://127.0.0.1:9' }))
    await t.registry.start()
    expect(t.registry.snapshot()).toEqual([])
    expect(t.lines().at(-1)).toBe(
      'INFO - Discovery complete: 0/0 servers available, 0 unique models',
    )
  })

  it('stop clears the timers and silences events', async () => {
    const t = setup(
      configWith({
        additional_servers: [{ name: 'gone', url: await refusedUrl(), priority: 'PRIMARY' }],
      }),
    )
    await t.registry.start()
    const events: unknown[] = []
    t.registry.onDidChange((s) => events.push(s))
    t.registry.stop()
    expect(t.timers.queue).toEqual([])
    t.registry.requestStarted('gone')
    await new Promise((r) => setImmediate(r))
    expect(events).toEqual([])
    expect(t.registry.snapshot()).toHaveLength(1)
  })
})

describe('ServerRegistry after review', () => {
  const one = (url: string) =>
    configWith({ additional_servers: [{ name: 's', url, priority: 'PRIMARY' }] })
  const versionHits = (f: FakeOllama) => f.hits.filter((h) => h === 'GET /api/version').length

  it('a refresh during a round for a URL the config replaced probes the new URL', async () => {
    const a = await fake(healthyRoutes(['a:1b']))
    const b = await fake(healthyRoutes(['b:1b']))
    const t = setup(one(a.url))
    await t.registry.start()
    a.routes.set('GET /api/version', { body: { version: '0.12.3' }, delayMs: 150 })
    t.timers.fireNext() // the health re-probe of a, now in flight
    await vi.waitFor(() => expect(versionHits(a)).toBe(2))
    t.setConfig(one(b.url))
    await t.registry.refresh()
    expect(t.byId('s')).toMatchObject({ url: b.url, health: { kind: 'online' } })
    expect(t.byId('s').models.map((m) => m.name)).toEqual(['b:1b'])
    expect(t.timers.delays()).toEqual([15_000])
  })

  it('a round that fails on replaced URLs neither marks offline nor loses the timer', async () => {
    const a = await fake({ ...healthyRoutes(['a:1b']) })
    const b = await fake(healthyRoutes(['b:1b']))
    const t = setup(one(a.url))
    await t.registry.start()
    a.routes.set('GET /api/version', { status: 500, body: { error: 'x' }, delayMs: 150 })
    a.routes.set('GET /api/tags', { status: 500, body: { error: 'x' }, delayMs: 150 })
    t.timers.fireNext()
    await vi.waitFor(() => expect(versionHits(a)).toBe(2))
    const seen: string[] = []
    t.registry.onDidChange((views) => seen.push(views[0]?.health.kind ?? 'none'))
    t.setConfig(one(b.url))
    await t.registry.refresh()
    expect(t.byId('s')).toMatchObject({ url: b.url, health: { kind: 'online' } })
    // a's failure is not b's: the server never showed as offline.
    expect(seen).not.toContain('offline')
    expect(t.timers.delays()).toEqual([15_000])
  })

  it('a resolved address is dropped with the URL it belonged to', async () => {
    const box = await fake(healthyRoutes(['a:1b']))
    const resolver: HostResolver = {
      resolveUrl: (url) =>
        Promise.resolve(
          url.includes('box.local')
            ? { kind: 'resolved', address: '127.0.0.1', dialUrl: box.url }
            : { kind: 'direct' },
        ),
      forget: () => undefined,
    }
    const t = setup(one('http://box.local:11434'), { resolver })
    await t.registry.start()
    expect(t.byId('s')).toMatchObject({ dialUrl: box.url, health: { kind: 'online' } })
    const gone = await refusedUrl()
    t.setConfig(one(gone))
    await t.registry.refresh()
    expect(t.byId('s')).toMatchObject({ url: gone, health: { kind: 'offline' } })
    expect(t.byId('s').dialUrl).toBeUndefined()
    expect(t.byId('s').resolvedAddress).toBe('127.0.0.1')
  })

  it('a failed /api/tags on a server that still answers keeps the known models', async () => {
    const f = await fake(healthyRoutes(['a:1b', 'b:7b']))
    const t = setup(one(f.url))
    await t.registry.start()
    f.routes.set('GET /api/tags', { status: 500, body: { error: 'disk on fire' } })
    t.timers.fireNext()
    await vi.waitFor(() => expect(t.byId('s').health.kind).toBe('degraded'))
    expect(t.byId('s').health).toMatchObject({ reason: '/api/tags: HTTP 500: disk on fire' })
    expect(t.byId('s').models.map((m) => m.name)).toEqual(['a:1b', 'b:7b'])
  })

  it('many failed requests on a server already offline do not grow its backoff', async () => {
    const f = await fake(healthyRoutes(['a:1b']))
    const t = setup(one(f.url))
    await t.registry.start()
    const failed = (code: string) =>
      new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code }) })
    for (const code of ['ECONNREFUSED', 'ECONNREFUSED', 'ECONNREFUSED', 'ETIMEDOUT']) {
      t.registry.recordFailure('s', failed(code))
    }
    expect(t.byId('s').health).toEqual({
      kind: 'offline',
      since: t.timers.now,
      error: 'timed out',
      nextProbeAt: t.timers.now + 1000,
    })
    expect(t.timers.delays()).toEqual([1000])
  })

  it('a one-click trust hands over to the config, so untrusting it in the config takes effect', async () => {
    const f = await fake(healthyRoutes(['a:1b']))
    let trustedNames: string[] = []
    const mdns: Discoverer = {
      discover: () =>
        Promise.resolve<FoundServer[]>([
          {
            id: 'box',
            name: 'box',
            urls: [f.url],
            priority: 'SECONDARY',
            source: 'mdns',
            trusted: trustedNames.includes('box'),
          },
        ]),
    }
    const t = setup(configWith({}), { discoverers: [mdns] })
    await t.registry.start()
    t.registry.trust('box')
    await t.registry.refresh()
    // Not saved (yet): the session trust holds.
    expect(t.byId('box').trusted).toBe(true)
    trustedNames = ['box'] // saved to trusted_servers
    await t.registry.refresh()
    expect(t.byId('box').trusted).toBe(true)
    trustedNames = [] // the user removes it from config.yaml
    await t.registry.refresh()
    expect(t.byId('box').trusted).toBe(false)
  })
})

describe('ServerRegistry health, backoff, latency and events', () => {
  const one = (url: string) =>
    configWith({ additional_servers: [{ name: 's', url, priority: 'PRIMARY' }] })
  const versionHits = (f: FakeOllama) => f.hits.filter((h) => h === 'GET /api/version').length
  const refused = () =>
    new TypeError('fetch failed', {
      cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }),
    })
  const broken = { status: 500, body: { error: 'down for maintenance' } }
  /** Fires the single pending timer and waits for the probe round it starts to finish. */
  async function round(t: ReturnType<typeof setup>, f: FakeOllama): Promise<void> {
    const before = versionHits(f)
    t.timers.fireNext()
    await vi.waitFor(() => {
      expect(versionHits(f)).toBe(before + 1)
      expect(t.timers.queue).toHaveLength(1)
    })
  }

  it('`since` stays while the health kind stays, and moves when it changes', async () => {
    const f = await fake({ ...healthyRoutes(['a:1b']), 'GET /api/ps': broken })
    const t = setup(one(f.url))
    await t.registry.start()
    const t0 = t.timers.now
    expect(t.byId('s').health).toMatchObject({ kind: 'degraded', since: t0 })
    await round(t, f)
    expect(t.byId('s').health).toMatchObject({ kind: 'degraded', since: t0 })
    f.routes.set('GET /api/ps', { body: { models: [] } })
    await round(t, f)
    const t1 = t.timers.now
    expect(t1).toBe(t0 + 15_000 * 2)
    expect(t.byId('s').health).toEqual({ kind: 'online', since: t1, latencyMs: expect.any(Number) })
    await round(t, f)
    expect(t.byId('s').health).toMatchObject({ kind: 'online', since: t1 })
    f.routes.set('GET /api/ps', broken)
    await round(t, f)
    expect(t.byId('s').health).toMatchObject({ kind: 'degraded', since: t.timers.now })
  })

  it('a probe slower than half the probe timeout is degraded as slow', async () => {
    const f = await fake({
      ...healthyRoutes(['a:1b']),
      'GET /api/version': { body: { version: '0.12.3' }, delayMs: 1100 },
    })
    const config = one(f.url)
    config.llm.providers.ollama.timeouts.probe_ms = 2000
    const t = setup(config)
    await t.registry.start()
    const health = t.byId('s').health
    if (health.kind !== 'degraded') throw new Error(`expected degraded, got ${health.kind}`)
    expect(health.latencyMs).toBeGreaterThanOrEqual(1100)
    expect(health.reason).toBe(`slow: ${health.latencyMs} ms`)
  })

  it('degradedLatencyMs sets the slow limit', async () => {
    const f = await fake({
      ...healthyRoutes(['a:1b']),
      'GET /api/version': { body: { version: '0.12.3' }, delayMs: 30 },
    })
    const t = setup(one(f.url), { degradedLatencyMs: 10 })
    await t.registry.start()
    expect(t.byId('s').health).toMatchObject({
      kind: 'degraded',
      reason: expect.stringMatching(/^slow: \d+ ms$/),
    })
    // Probe problems say more than slowness: they are the reason when both apply.
    f.routes.set('GET /api/ps', broken)
    await round(t, f)
    expect(t.byId('s').health).toMatchObject({
      kind: 'degraded',
      reason: '/api/ps: HTTP 500: down for maintenance',
    })
  })

  it('shows latency smoothed: one slow probe moves it only part of the way', async () => {
    const f = await fake(healthyRoutes(['a:1b']))
    const t = setup(one(f.url))
    expect(t.registry.snapshot()).toEqual([])
    await t.registry.start()
    const first = t.byId('s')
    if (first.health.kind !== 'online') throw new Error('expected online')
    expect(first.latencyMs).toBe(first.health.latencyMs)
    f.routes.set('GET /api/version', { body: { version: '0.12.3' }, delayMs: 200 })
    await round(t, f)
    const second = t.byId('s')
    if (second.health.kind !== 'online') throw new Error('expected online')
    const fast = first.health.latencyMs
    const slow = second.health.latencyMs
    expect(slow).toBeGreaterThanOrEqual(200)
    // The newest sample weighs 30 %: the shown latency is a whole number of ms near that mix.
    expect(Number.isInteger(second.latencyMs)).toBe(true)
    expect(second.latencyMs).toBe(Math.round(fast + 0.3 * (slow - fast)))
  })

  it('the version and latency are unknown until a probe answers, and the version is kept', async () => {
    const f = await fake(healthyRoutes(['a:1b']))
    const t = setup(one(f.url))
    const views: ServerView[][] = []
    t.registry.onDidChange((v) => views.push(v))
    const started = t.registry.start()
    await vi.waitFor(() => expect(views.length).toBeGreaterThan(0))
    expect(views[0]?.[0]).toMatchObject({
      health: { kind: 'probing', since: t.timers.now },
      latencyMs: null,
      version: null,
      models: [],
    })
    await started
    expect(t.byId('s').version).toBe('0.12.3')
    // A round in which /api/version fails (but /api/tags answers) keeps the last known version.
    f.routes.set('GET /api/version', broken)
    await round(t, f)
    expect(t.byId('s')).toMatchObject({ version: '0.12.3', health: { kind: 'degraded' } })
  })

  it('logs going offline and coming back once each, outside discovery rounds', async () => {
    const f = await fake(healthyRoutes(['a:1b']))
    const t = setup(one(f.url))
    await t.registry.start()
    const before = t.lines().length
    f.routes.set('GET /api/version', broken)
    f.routes.set('GET /api/tags', broken)
    await round(t, f)
    const down = t.timers.now
    expect(t.byId('s').health).toMatchObject({
      kind: 'offline',
      since: down,
      error: 'HTTP 500: down for maintenance',
    })
    await round(t, f) // still offline: no second line
    expect(t.byId('s').health).toMatchObject({ kind: 'offline', since: down })
    expect(t.timers.now).toBeGreaterThan(down)
    f.routes.set('GET /api/version', { body: { version: '0.12.3' } })
    f.routes.set('GET /api/tags', healthyRoutes(['a:1b', 'b:1b'])['GET /api/tags'] as FakeRoute)
    await round(t, f)
    await round(t, f) // still online: no line
    expect(
      t
        .lines()
        .slice(before)
        .map((l) => l.replace(/, \d+ms$/, ', <t>ms')),
    ).toEqual([
      `WARNING - Server s (${f.url}): offline (HTTP 500: down for maintenance)`,
      `INFO - Server s (${f.url}): back online, 2 models, <t>ms`,
    ])
  })

  it('a discovery round logs its summary, not per-server transitions', async () => {
    const f = await fake(healthyRoutes(['a:1b']))
    const t = setup(one(f.url))
    await t.registry.start()
    f.routes.set('GET /api/version', broken)
    f.routes.set('GET /api/tags', broken)
    const before = t.lines().length
    await t.registry.refresh()
    expect(t.lines().slice(before)).toEqual([
      'INFO - Discovering Ollama servers and models...',
      `WARNING - Server s (${f.url}): offline (HTTP 500: down for maintenance)`,
      'INFO - Discovery complete: 0/1 servers available, 0 unique models',
    ])
    f.routes.set('GET /api/version', { body: { version: '0.12.3' } })
    f.routes.set('GET /api/tags', healthyRoutes(['a:1b'])['GET /api/tags'] as FakeRoute)
    const again = t.lines().length
    await t.registry.refresh()
    expect(
      t
        .lines()
        .slice(again)
        .map((l) => l.replace(/, \d+ms$/, ', <t>ms')),
    ).toEqual([
      'INFO - Discovering Ollama servers and models...',
      `INFO - Server s (${f.url}): 1 models, <t>ms`,
      'INFO - Discovery complete: 1/1 servers available, 1 unique models',
    ])
  })

  it('the backoff follows the policy and starts over after the server answered', async () => {
    const f = await fake(healthyRoutes(['a:1b']))
    const t = setup(one(f.url), { backoff: { baseMs: 500, maxMs: 1500 } })
    await t.registry.start()
    f.routes.set('GET /api/version', broken)
    f.routes.set('GET /api/tags', broken)
    const waits: number[] = []
    for (let i = 0; i < 4; i++) {
      await round(t, f)
      waits.push(...t.timers.delays())
    }
    expect(waits).toEqual([500, 1000, 1500, 1500])
    f.routes.set('GET /api/version', { body: { version: '0.12.3' } })
    f.routes.set('GET /api/tags', healthyRoutes(['a:1b'])['GET /api/tags'] as FakeRoute)
    await round(t, f)
    expect(t.timers.delays()).toEqual([15_000])
    f.routes.set('GET /api/version', broken)
    f.routes.set('GET /api/tags', broken)
    await round(t, f)
    expect(t.timers.delays()).toEqual([500])
    const health = t.byId('s').health
    expect(health).toMatchObject({ kind: 'offline', nextProbeAt: t.timers.now + 500 })
  })

  it('a long outage is re-probed at least once per health interval: the box is used again soon after', async () => {
    const f = await fake(healthyRoutes(['a:1b']))
    const config = one(f.url)
    config.llm.providers.ollama.health_check_interval_s = 15
    // The default backoff grows to 60 s; capped by the 15 s health interval.
    const t = setup(config, { backoff: { baseMs: 1000, maxMs: 60_000 } })
    await t.registry.start()
    f.routes.set('GET /api/version', broken)
    f.routes.set('GET /api/tags', broken)
    const waits: number[] = []
    for (let i = 0; i < 7; i++) {
      await round(t, f)
      waits.push(...t.timers.delays())
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 15_000, 15_000, 15_000])
  })

  it('re-probes on the configured health interval, never more often than once a second', async () => {
    const f = await fake(healthyRoutes(['a:1b']))
    const config = one(f.url)
    config.llm.providers.ollama.health_check_interval_s = 3
    const t = setup(config)
    await t.registry.start()
    expect(t.timers.delays()).toEqual([3000])
    const zero = one(f.url)
    zero.llm.providers.ollama.health_check_interval_s = 0
    t.setConfig(zero)
    await round(t, f)
    expect(t.timers.delays()).toEqual([1000])
  })

  it('an offline server keeps its models for the UI, none of them loaded', async () => {
    const f = await fake(healthyRoutes(['a:1b', 'b:7b'], ['a:1b']))
    const t = setup(one(f.url))
    await t.registry.start()
    expect(t.byId('s').models.map((m) => [m.name, m.loaded])).toEqual([
      ['a:1b', true],
      ['b:7b', false],
    ])
    t.registry.recordFailure('s', refused())
    expect(t.byId('s').models.map((m) => [m.name, m.loaded])).toEqual([
      ['a:1b', false],
      ['b:7b', false],
    ])
  })

  it('a later /api/tags answer replaces the models kept through a failed one', async () => {
    const f = await fake(healthyRoutes(['a:1b', 'b:7b']))
    const t = setup(one(f.url))
    await t.registry.start()
    f.routes.set('GET /api/tags', broken)
    await round(t, f)
    expect(t.byId('s').models.map((m) => m.name)).toEqual(['a:1b', 'b:7b'])
    f.routes.set('GET /api/tags', healthyRoutes(['c:1b'])['GET /api/tags'] as FakeRoute)
    await round(t, f)
    expect(t.byId('s')).toMatchObject({ health: { kind: 'online' } })
    expect(t.byId('s').models.map((m) => m.name)).toEqual(['c:1b'])
  })

  it('an unreachable failure forgets the resolved address; a failure of a stopped registry is ignored', async () => {
    const f = await fake(healthyRoutes(['a:1b']))
    const forgotten: string[] = []
    const resolver: HostResolver = {
      resolveUrl: () => Promise.resolve({ kind: 'direct' }),
      forget: (url) => forgotten.push(url),
    }
    const t = setup(one(f.url), { resolver })
    await t.registry.start()
    t.registry.recordFailure('s', new Error('HTTP 500'))
    expect(forgotten).toEqual([])
    t.registry.recordFailure('s', refused())
    expect(forgotten).toEqual([f.url])

    const u = setup(one(f.url))
    await u.registry.start()
    u.registry.stop()
    u.registry.recordFailure('s', refused())
    expect(u.byId('s').health.kind).toBe('online')
    expect(u.timers.queue).toEqual([])
  })

  it('a new reason for a server already offline is shown, with an event', async () => {
    const f = await fake(healthyRoutes(['a:1b']))
    const t = setup(one(f.url))
    await t.registry.start()
    t.registry.recordFailure('s', refused())
    await new Promise((r) => setImmediate(r))
    const events: ServerView[][] = []
    t.registry.onDidChange((v) => events.push(v))
    t.registry.recordFailure('s', refused()) // same reason: nothing to tell
    await new Promise((r) => setImmediate(r))
    expect(events).toEqual([])
    t.registry.recordFailure(
      's',
      new TypeError('fetch failed', {
        cause: Object.assign(new Error('x'), { code: 'ETIMEDOUT' }),
      }),
    )
    await new Promise((r) => setImmediate(r))
    expect(events.map((v) => v[0]?.health)).toEqual([
      expect.objectContaining({ kind: 'offline', error: 'timed out' }),
    ])
  })

  it('an answer from a server shown offline re-probes it at once', async () => {
    const f = await fake(healthyRoutes(['a:1b']))
    const t = setup(one(f.url))
    await t.registry.start()
    t.registry.recordSuccess('s', 'a:1b', null)
    expect(t.timers.delays()).toEqual([15_000])
    t.registry.recordFailure('s', refused())
    expect(t.timers.delays()).toEqual([1000])
    t.registry.recordSuccess('s', 'a:1b', null)
    expect(t.timers.delays()).toEqual([0])
    await round(t, f)
    expect(t.byId('s').health.kind).toBe('online')
  })

  it('measured speeds: only finite positive ones count, and each counts with an event', async () => {
    const f = await fake(healthyRoutes(['a:1b']))
    const t = setup(one(f.url))
    await t.registry.start()
    await new Promise((r) => setImmediate(r))
    const events: ServerView[][] = []
    t.registry.onDidChange((v) => events.push(v))
    for (const bad of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
      t.registry.recordSuccess('s', 'a:1b', bad)
    }
    await new Promise((r) => setImmediate(r))
    expect(events).toEqual([])
    expect(t.byId('s').models[0]?.tokensPerSecond).toBeNull()
    t.registry.recordSuccess('s', 'a:1b', 40)
    await new Promise((r) => setImmediate(r))
    expect(events.map((v) => v[0]?.models[0]?.tokensPerSecond)).toEqual([40])
    expect(() => t.registry.recordSuccess('nope', 'a:1b', 40)).not.toThrow()
    expect(() => t.registry.recordFailure('nope', refused())).not.toThrow()
  })

  it('trust, request counts and breaker changes each fire one event; a no-op fires none', async () => {
    const f = await fake(healthyRoutes(['a:1b']))
    const t = setup(one(f.url))
    await t.registry.start()
    await new Promise((r) => setImmediate(r))
    const events: ServerView[][] = []
    t.registry.onDidChange((v) => events.push(v))
    const turn = () => new Promise((r) => setImmediate(r))
    t.registry.requestEnded('s') // nothing in flight: nothing changes
    t.registry.requestEnded('nope')
    await turn()
    expect(events).toHaveLength(0)
    t.registry.requestStarted('s')
    await turn()
    t.registry.requestEnded('s')
    await turn()
    t.registry.trust('s')
    await turn()
    t.breaker.recordFailure('s', { hard: true })
    await turn()
    expect(events.map((v) => [v[0]?.inFlight, v[0]?.breaker])).toEqual([
      [1, 'closed'],
      [0, 'closed'],
      [0, 'closed'],
      [0, 'open'],
    ])
  })

  it('listens to the breaker only while started', async () => {
    const f = await fake(healthyRoutes(['a:1b']))
    const breaker = new CircuitBreaker({ timers: false })
    let listening = 0
    const view: BreakerView = {
      state: (id) => breaker.state(id),
      onDidChange: (listener) => {
        listening += 1
        const off = breaker.onDidChange(listener)
        return () => {
          listening -= 1
          off()
        }
      },
    }
    const t = setup(one(f.url), { breakerView: view })
    expect(listening).toBe(0)
    await t.registry.start()
    await t.registry.start() // already started: a refresh, not a second subscription
    expect(listening).toBe(1)
    t.registry.stop()
    expect(listening).toBe(0)
    await t.registry.start()
    expect(listening).toBe(1)
  })

  it('start on a started registry runs a discovery round; refresh on a stopped one does nothing', async () => {
    const f = await fake(healthyRoutes(['a:1b']))
    const t = setup(one(f.url))
    await t.registry.refresh()
    expect(t.lines()).toEqual([])
    expect(versionHits(f)).toBe(0)
    await t.registry.start()
    await t.registry.start()
    expect(versionHits(f)).toBe(2)
    expect(t.lines().filter((l) => l.includes('Discovery complete'))).toHaveLength(2)
    t.registry.stop()
    await t.registry.refresh()
    expect(versionHits(f)).toBe(2)
  })

  it('a server found twice is listed once, the first finding kept; one without URLs is skipped', async () => {
    const f = await fake(healthyRoutes(['a:1b']))
    const g = await fake(healthyRoutes(['b:1b']))
    const box = (url: string, urls = [url]): FoundServer => ({
      id: 'box',
      name: 'box',
      urls,
      priority: 'SECONDARY',
      source: 'mdns',
      trusted: false,
    })
    const mdns: Discoverer = {
      discover: () =>
        Promise.resolve([
          { ...box(f.url), id: 'empty', name: 'empty', urls: [] },
          box(f.url),
          box(g.url),
        ]),
    }
    const t = setup(configWith({}), { discoverers: [mdns] })
    await t.registry.start()
    expect(t.registry.snapshot().map((s) => [s.id, s.url])).toEqual([['box', f.url]])
    expect(t.lines()).toContain('WARNING - Server box was found twice; keeping the first')
  })
})

describe('ServerRegistry rounds that overlap, resolvers and addresses', () => {
  const one = (url: string) =>
    configWith({ additional_servers: [{ name: 's', url, priority: 'PRIMARY' }] })
  const hits = (f: FakeOllama, route: string) => f.hits.filter((h) => h === route).length
  const versionHits = (f: FakeOllama) => hits(f, 'GET /api/version')
  const refused = () =>
    new TypeError('fetch failed', {
      cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }),
    })
  const broken = { status: 500, body: { error: 'down for maintenance' } }
  const slowVersion = (delayMs: number): FakeRoute => ({ body: { version: '0.12.3' }, delayMs })
  const tagsOf = (models: string[]) => healthyRoutes(models)['GET /api/tags'] as FakeRoute
  /** A dead loopback port spelt with a host name, so the URL itself names no address. */
  const deadByName = async () => (await refusedUrl()).replace('127.0.0.1', 'localhost')
  /** A discoverer whose list the test changes between rounds. */
  function listed(initial: FoundServer[]) {
    let list = initial
    const discoverer: Discoverer = { discover: () => Promise.resolve(list) }
    return { discoverer, set: (next: FoundServer[]) => (list = next) }
  }
  const mdnsBox = (id: string, urls: string[], extra: Partial<FoundServer> = {}): FoundServer => ({
    id,
    name: id,
    urls,
    priority: 'SECONDARY',
    source: 'mdns',
    trusted: false,
    ...extra,
  })

  it('names its error after the missing server', () => {
    const t = setup(configWith({}))
    let caught: unknown
    try {
      t.registry.trust('nope')
    } catch (err) {
      caught = err
    }
    expect(caught).toMatchObject({ name: 'UnknownServerError', serverId: 'nope' })
  })

  it('by default its health timers never hold the process, and stop clears them', async () => {
    const f = await fake(healthyRoutes(['a:1b']))
    const config = one(f.url)
    const setSpy = vi.spyOn(globalThis, 'setTimeout')
    const clearSpy = vi.spyOn(globalThis, 'clearTimeout')
    try {
      const registry = new ServerRegistry({
        discoverers: [new StaticConfigDiscoverer(() => config.llm.providers.ollama)],
        logger: createMemoryLogger('INFO'),
        config: () => config,
        breaker: new CircuitBreaker({ timers: false }),
      })
      registries.push(registry)
      await registry.start()
      const index = setSpy.mock.calls.findIndex((call) => call[1] === 15_000)
      const handle = setSpy.mock.results[index]?.value as NodeJS.Timeout
      expect(handle.hasRef()).toBe(false)
      registry.stop()
      expect(clearSpy).toHaveBeenCalledWith(handle)
    } finally {
      setSpy.mockRestore()
      clearSpy.mockRestore()
    }
  })

  it('tells discoverers still at work why their signal was aborted', async () => {
    let reason: unknown = null
    const waiting: Discoverer = {
      discover: (signal) =>
        new Promise((resolve) => {
          signal.addEventListener('abort', () => {
            reason = signal.reason
            resolve([])
          })
        }),
    }
    const t = setup(configWith({}), { discoverers: [waiting] })
    const started = t.registry.start()
    t.registry.stop()
    await started
    expect(reason).toMatchObject({ message: 'server registry stopped' })
  })

  it('a registry stopped during its first round logs no summary', async () => {
    const f = await fake(healthyRoutes(['a:1b']))
    const t = setup(one(f.url))
    const started = t.registry.start()
    t.registry.stop()
    await started
    expect(t.lines()).toEqual(['INFO - Discovering Ollama servers and models...'])
  })

  it('a server removed while its probe is out is neither reported, counted nor re-armed', async () => {
    const a = await fake(healthyRoutes(['a:1b']))
    const b = await fake(healthyRoutes(['b:1b']))
    const t = setup(
      configWith({
        additional_servers: [
          { name: 'a', url: a.url, priority: 'PRIMARY' },
          { name: 'b', url: b.url, priority: 'PRIMARY' },
        ],
      }),
    )
    await t.registry.start()
    // a's next answer is slow and lists a new model (whose /api/show would be asked if applied).
    a.routes.set('GET /api/version', slowVersion(400))
    a.routes.set('GET /api/tags', tagsOf(['a2:1b']))
    const shows = hits(a, 'POST /api/show')
    const before = t.lines().length
    const first = t.registry.refresh()
    await vi.waitFor(() => expect(versionHits(a)).toBe(2))
    t.setConfig(
      configWith({ additional_servers: [{ name: 'b', url: b.url, priority: 'PRIMARY' }] }),
    )
    const second = t.registry.refresh()
    await Promise.all([first, second])
    const lines = t.lines().slice(before)
    expect(lines.filter((l) => l.includes('Server a'))).toEqual([])
    expect(lines.filter((l) => l.includes('Discovery complete'))).toEqual([
      'INFO - Discovery complete: 1/1 servers available, 1 unique models',
      'INFO - Discovery complete: 1/1 servers available, 1 unique models',
    ])
    expect(hits(a, 'POST /api/show')).toBe(shows)
    expect(t.registry.snapshot().map((s) => s.id)).toEqual(['b'])
    expect(t.timers.delays()).toEqual([15_000])
  })

  it('a server removed while its refresh waits out a round for replaced URLs is not probed', async () => {
    const a = await fake(healthyRoutes(['a:1b']))
    const c = await fake(healthyRoutes(['c:1b']))
    const t = setup(one(a.url))
    await t.registry.start()
    a.routes.set('GET /api/version', slowVersion(400))
    t.timers.fireNext() // the health round of a, now out
    await vi.waitFor(() => expect(versionHits(a)).toBe(2))
    t.setConfig(one(c.url))
    const first = t.registry.refresh()
    await vi.waitFor(() => expect(t.byId('s').url).toBe(c.url))
    t.setConfig(configWith({}))
    const second = t.registry.refresh()
    await Promise.all([first, second])
    expect(t.registry.snapshot()).toEqual([])
    expect(versionHits(c)).toBe(0)
    expect(t.timers.queue).toEqual([])
  })

  it('a refresh during a round for the same URLs shares that round', async () => {
    const f = await fake(healthyRoutes(['a:1b']))
    const t = setup(one(f.url))
    await t.registry.start()
    f.routes.set('GET /api/version', slowVersion(400))
    t.timers.fireNext()
    await vi.waitFor(() => expect(versionHits(f)).toBe(2))
    await t.registry.refresh()
    expect(versionHits(f)).toBe(2)
    expect(t.timers.delays()).toEqual([15_000])
  })

  it.each([
    ['a URL added', [] as string[], ['added']],
    ['a URL replaced', ['old'], ['new']],
  ])(
    'a refresh during a round runs a fresh one when the URL list changed: %s',
    async (_name, before, after) => {
      const a = await fake(healthyRoutes(['a:1b']))
      const dead: Record<string, string> = {}
      for (const key of [...before, ...after]) dead[key] = await refusedUrl()
      const withFallbacks = (keys: string[]) =>
        configWith({ base_url: a.url, fallback_urls: keys.map((k) => dead[k] ?? '') })
      const t = setup(withFallbacks(before))
      await t.registry.start()
      a.routes.set('GET /api/version', slowVersion(400))
      t.timers.fireNext()
      await vi.waitFor(() => expect(versionHits(a)).toBe(2))
      t.setConfig(withFallbacks(after))
      await t.registry.refresh()
      expect(versionHits(a)).toBe(3)
      expect(t.byId('primary').urls).toEqual([a.url, ...after.map((k) => dead[k])])
    },
  )

  it('a round for a URL the config replaced never shows what that URL answered', async () => {
    const a = await fake(healthyRoutes(['a:1b']))
    const b = await fake(healthyRoutes(['b:1b']))
    const t = setup(one(a.url))
    await t.registry.start()
    a.routes.set('GET /api/version', slowVersion(400))
    a.routes.set('GET /api/tags', tagsOf(['a2:1b']))
    t.timers.fireNext()
    await vi.waitFor(() => expect(versionHits(a)).toBe(2))
    const shown: string[][] = []
    t.registry.onDidChange((views) => shown.push(views[0]?.models.map((m) => m.name) ?? []))
    t.setConfig(one(b.url))
    await t.registry.refresh()
    await new Promise((r) => setImmediate(r))
    expect(shown.flat()).not.toContain('a2:1b')
    expect(t.byId('s').models.map((m) => m.name)).toEqual(['b:1b'])
  })

  it('a refresh tries the URL that answered last first', async () => {
    const a = await fake({ 'GET /api/version': broken, 'GET /api/tags': broken })
    const b = await fake(healthyRoutes(['b:1b']))
    const t = setup(configWith({ base_url: a.url, fallback_urls: [b.url] }))
    await t.registry.start()
    expect(t.byId('primary')).toMatchObject({ url: b.url, source: 'fallback_url' })
    const tried = versionHits(a)
    await t.registry.refresh()
    expect(versionHits(a)).toBe(tried)
    expect(t.byId('primary')).toMatchObject({ url: b.url, source: 'fallback_url' })
  })

  it("shows the discoverer's address for the first URL, the URL's own for a fallback", async () => {
    const f = await fake(healthyRoutes(['a:1b']))
    const deadName = await deadByName()
    const boxes = listed([
      mdnsBox('first', [deadName], { resolvedAddress: '10.0.0.7' }),
      mdnsBox('second', [await deadByName(), f.url], { resolvedAddress: '10.0.0.8' }),
    ])
    const t = setup(configWith({}), { discoverers: [boxes.discoverer] })
    await t.registry.start()
    expect(t.byId('first')).toMatchObject({
      resolvedAddress: '10.0.0.7',
      health: { kind: 'offline' },
    })
    expect(t.byId('second')).toMatchObject({
      url: f.url,
      source: 'fallback_url',
      resolvedAddress: '127.0.0.1',
    })
    // The first URL changes: its new address is shown even before any probe has answered.
    boxes.set([mdnsBox('first', [await deadByName()], { resolvedAddress: '10.0.0.9' })])
    await t.registry.refresh()
    expect(t.byId('first')).toMatchObject({
      resolvedAddress: '10.0.0.9',
      health: { kind: 'offline' },
    })
  })

  it('keeps dialling the resolved address while it re-probes the same URL', async () => {
    const box = await fake(healthyRoutes(['a:1b']))
    const resolver: HostResolver = {
      resolveUrl: (url) =>
        Promise.resolve(
          url.includes('box.local')
            ? { kind: 'resolved', address: '127.0.0.1', dialUrl: box.url }
            : { kind: 'direct' },
        ),
      forget: () => undefined,
    }
    const t = setup(one('http://box.local:11434'), { resolver })
    await t.registry.start()
    box.routes.set('GET /api/version', slowVersion(400))
    const refreshed = t.registry.refresh()
    await vi.waitFor(() => expect(versionHits(box)).toBe(2))
    expect(t.byId('s').dialUrl).toBe(box.url)
    await refreshed
    expect(t.byId('s').dialUrl).toBe(box.url)
  })

  it('a box found over mDNS at a resolved configured address is listed once, with a debug line', async () => {
    const box = await fake(healthyRoutes(['a:1b']))
    const other = await fake(healthyRoutes(['b:1b']))
    const port = new URL(box.url).port
    const resolver: HostResolver = {
      resolveUrl: (url) =>
        Promise.resolve(
          url.includes('box.local')
            ? { kind: 'resolved', address: '127.0.0.1', dialUrl: box.url }
            : { kind: 'direct' },
        ),
      forget: () => undefined,
    }
    const mdns = listed([mdnsBox('gpu-box', [box.url]), mdnsBox('other-box', [other.url])])
    const t = setup(configWith({ base_url: `http://box.local:${port}` }), {
      discoverers: [mdns.discoverer],
      resolver,
      logLevel: 'DEBUG',
    })
    await t.registry.start()
    // Once the configured name has been resolved, the box at its address is that server.
    await t.registry.refresh()
    expect(t.registry.snapshot().map((s) => s.id)).toEqual(['primary', 'other-box'])
    expect(t.lines().filter((l) => l.includes('is a configured server'))).toEqual([
      'DEBUG - Discovered gpu-box is a configured server: not listed twice',
    ])
  })

  it('an mDNS box claims no address: two findings at one address are both listed', async () => {
    const box = await fake(healthyRoutes(['a:1b']))
    const port = new URL(box.url).port
    const resolver: HostResolver = {
      resolveUrl: (url) =>
        Promise.resolve(
          url.includes('box.local')
            ? { kind: 'resolved', address: '127.0.0.1', dialUrl: box.url }
            : { kind: 'direct' },
        ),
      forget: () => undefined,
    }
    const mdns = listed([
      mdnsBox('box', [`http://box.local:${port}`]),
      mdnsBox('box-ip', [box.url]),
    ])
    const t = setup(configWith({}), { discoverers: [mdns.discoverer], resolver })
    await t.registry.start()
    await t.registry.refresh()
    expect(t.registry.snapshot().map((s) => s.id)).toEqual(['box', 'box-ip'])
  })

  it('a box found over mDNS is a configured server when any of its URLs is configured', async () => {
    const f = await fake(healthyRoutes(['a:1b']))
    const mdns = listed([mdnsBox('multi', [await refusedUrl(), f.url])])
    const t = setup(configWith({ base_url: f.url }), { discoverers: [mdns.discoverer] })
    await t.registry.start()
    expect(t.registry.snapshot().map((s) => s.id)).toEqual(['primary'])
  })

  it('asks the resolver with the probe timeout, at most 2 s', async () => {
    const f = await fake(healthyRoutes(['a:1b']))
    const asked: number[] = []
    const resolver: HostResolver = {
      resolveUrl: (_url, opts) => {
        asked.push(opts.timeoutMs)
        return Promise.resolve({ kind: 'direct' })
      },
      forget: () => undefined,
    }
    const config = one(f.url)
    config.llm.providers.ollama.timeouts.probe_ms = 1000
    const t = setup(config, { resolver })
    await t.registry.start()
    const longer = one(f.url)
    longer.llm.providers.ollama.timeouts.probe_ms = 5000
    t.setConfig(longer)
    await t.registry.refresh()
    expect(asked).toEqual([1000, 2000])
  })

  /** Answers from a script, one address per ask (the last one repeats); `direct` as written. */
  function scripted(port: string, answers: (string | 'direct')[]) {
    const forgotten: string[] = []
    let asked = 0
    const resolver: HostResolver = {
      resolveUrl: () => {
        const answer = answers[Math.min(asked, answers.length - 1)] ?? 'direct'
        asked += 1
        return Promise.resolve(
          answer === 'direct'
            ? { kind: 'direct' }
            : { kind: 'resolved', address: answer, dialUrl: `http://${answer}:${port}` },
        )
      },
      forget: (url) => forgotten.push(url),
    }
    return { resolver, forgotten, asked: () => asked }
  }

  it('asks the name at most twice per round, reporting the last address tried', async () => {
    const f = await fake(healthyRoutes(['a:1b']))
    const port = new URL(f.url).port
    // Nothing listens on 127.0.0.9 or .8 at that port; the third answer would be the live one.
    const r = scripted(port, ['127.0.0.9', '127.0.0.8', '127.0.0.1'])
    const t = setup(one(`http://box.local:${port}`), { resolver: r.resolver })
    await t.registry.start()
    expect(t.byId('s').health).toMatchObject({
      kind: 'offline',
      error: 'connection refused (at 127.0.0.8)',
    })
    expect(r.asked()).toBe(2)
    expect(r.forgotten).toEqual([`http://box.local:${port}`, `http://box.local:${port}`])
    expect(versionHits(f)).toBe(0)
  })

  it('does not probe the same resolved address twice in a round', async () => {
    const f = await fake({ 'GET /api/version': broken, 'GET /api/tags': broken })
    const port = new URL(f.url).port
    const r = scripted(port, ['127.0.0.1'])
    const t = setup(one(`http://box.local:${port}`), { resolver: r.resolver })
    await t.registry.start()
    expect(versionHits(f)).toBe(1)
    expect(t.byId('s').health).toMatchObject({
      kind: 'offline',
      error: 'HTTP 500: down for maintenance (at 127.0.0.1)',
    })
  })

  it('a resolver that turns to "as written" after a dead address ends the round with that failure', async () => {
    const f = await fake(healthyRoutes(['a:1b']))
    const r = scripted(new URL(f.url).port, ['127.0.0.9', 'direct'])
    const t = setup(one(f.url), { resolver: r.resolver })
    await t.registry.start()
    // The URL as written would answer, but that is the next round's business.
    expect(t.byId('s').health).toMatchObject({
      kind: 'offline',
      error: 'connection refused (at 127.0.0.9)',
    })
    expect(versionHits(f)).toBe(0)
  })

  it('several probe problems are all given as the reason', async () => {
    const f = await fake({
      ...healthyRoutes(['a:1b']),
      'GET /api/version': broken,
      'GET /api/ps': { status: 500, body: { error: 'ps broke' } },
    })
    const t = setup(one(f.url))
    await t.registry.start()
    expect(t.byId('s').health).toMatchObject({
      kind: 'degraded',
      reason: '/api/version: HTTP 500: down for maintenance; /api/ps: HTTP 500: ps broke',
    })
  })

  it('a probe exactly at the slow limit is not slow', async () => {
    // A frozen performance clock makes every probe take 0 ms.
    vi.useFakeTimers({ toFake: ['performance'] })
    try {
      const f = await fake(healthyRoutes(['a:1b']))
      const t = setup(one(f.url), { degradedLatencyMs: 0 })
      await t.registry.start()
      expect(t.byId('s').health).toMatchObject({ kind: 'online', latencyMs: 0 })
    } finally {
      vi.useRealTimers()
    }
  })

  it('an offline server with a probe round out does not count failed requests as rounds', async () => {
    const f = await fake({ 'GET /api/version': broken, 'GET /api/tags': broken })
    const t = setup(one(f.url))
    await t.registry.start()
    expect(t.timers.delays()).toEqual([1000])
    f.routes.set('GET /api/version', { ...broken, delayMs: 400 })
    t.timers.fireNext()
    await vi.waitFor(() => expect(versionHits(f)).toBe(2))
    t.registry.recordFailure('s', refused())
    expect(t.byId('s').health).toMatchObject({ kind: 'offline', error: 'connection refused' })
    expect(t.timers.queue).toEqual([])
    await vi.waitFor(() => expect(t.timers.delays()).toEqual([2000]))
  })

  it('a failed request while a restarted registry re-probes does not grow the backoff', async () => {
    const f = await fake({ 'GET /api/version': broken, 'GET /api/tags': broken })
    const t = setup(one(f.url))
    await t.registry.start()
    expect(t.timers.delays()).toEqual([1000])
    t.registry.stop()
    const restarted = t.registry.start()
    // No timer and no round are out yet, but the discovery round that start() began is the re-probe.
    t.registry.recordFailure('s', refused())
    expect(t.byId('s').health).toMatchObject({ kind: 'offline', error: 'connection refused' })
    await restarted
    expect(t.timers.delays()).toEqual([2000])
  })

  it('a failed request during a probe round asks for no extra round', async () => {
    const f = await fake(healthyRoutes(['a:1b']))
    const t = setup(one(f.url))
    await t.registry.start()
    f.routes.set('GET /api/version', slowVersion(400))
    t.timers.fireNext()
    await vi.waitFor(() => expect(versionHits(f)).toBe(2))
    t.registry.recordFailure(
      's',
      Object.assign(new Error('boom'), { name: 'ResponseError', status_code: 500 }),
    )
    expect(t.timers.queue).toEqual([])
    await vi.waitFor(() => expect(t.timers.delays()).toEqual([15_000]))
    expect(versionHits(f)).toBe(2)
  })

  it('a round cut short by stop leaves the last state shown, without a "back online" line', async () => {
    const f = await fake({ 'GET /api/version': broken, 'GET /api/tags': broken })
    const t = setup(one(f.url))
    await t.registry.start()
    expect(t.byId('s').health.kind).toBe('offline')
    // It answers again, listing a new model whose /api/show is slow.
    f.routes.set('GET /api/version', { body: { version: '0.12.3' } })
    f.routes.set('GET /api/tags', tagsOf(['a:1b']))
    f.routes.set('POST /api/show', { body: { capabilities: ['completion'] }, delayMs: 400 })
    t.timers.fireNext()
    await vi.waitFor(() => expect(hits(f, 'POST /api/show')).toBe(1))
    const before = t.lines().length
    t.registry.stop()
    await new Promise((r) => setTimeout(r, 200))
    expect(t.byId('s').health.kind).toBe('offline')
    expect(t.lines().slice(before)).toEqual([])
  })
})

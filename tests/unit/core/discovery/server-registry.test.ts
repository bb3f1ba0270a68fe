import { afterEach, describe, expect, it, vi } from 'vitest'
import type { AillmConfig, OllamaProviderConfig, ServerView } from '../../../../shared/types'
import { DEFAULT_CONFIG } from '../../../../electron/core/config/config-schema'
import type { Discoverer, FoundServer } from '../../../../electron/core/discovery/discoverer'
import {
  ServerRegistry,
  UnknownServerError,
  type HostResolver,
  type RegistryTimers,
} from '../../../../electron/core/discovery/server-registry'
import { StaticConfigDiscoverer } from '../../../../electron/core/discovery/static-config-discoverer'
import { createMemoryLogger } from '../../../../electron/core/logger'
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
  extra: { discoverers?: Discoverer[]; breaker?: CircuitBreaker; resolver?: HostResolver } = {},
) {
  let config = initial
  const timers = new ManualTimers()
  const logger = createMemoryLogger('INFO')
  const breaker = extra.breaker ?? new CircuitBreaker({ timers: false, now: () => timers.now })
  const registry = new ServerRegistry({
    discoverers: [
      new StaticConfigDiscoverer(() => config.llm.providers.ollama),
      ...(extra.discoverers ?? []),
    ],
    logger,
    config: () => config,
    breaker,
    now: () => timers.now,
    timers,
    ...(extra.resolver ? { resolver: extra.resolver } : {}),
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

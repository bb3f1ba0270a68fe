import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Ollama } from 'ollama'
import type { AillmConfig, OllamaProviderConfig, ServerView } from '../../../shared/types'
import { DEFAULT_CONFIG } from '../../../electron/core/config/config-schema'
import { ServerRegistry } from '../../../electron/core/discovery/server-registry'
import { StaticConfigDiscoverer } from '../../../electron/core/discovery/static-config-discoverer'
import { createMemoryLogger } from '../../../electron/core/logger'
import { CircuitBreaker } from '../../../electron/core/routing/circuit-breaker'
import { startFleet, type Fleet, type SimServer } from '../../../tools/ollama-sim'

const SEED = 'tools/ollama-sim/fleets/seed.yaml'

let fleet: Fleet
let remote: SimServer
let localhost: SimServer
const registries: ServerRegistry[] = []

beforeEach(async () => {
  // Loopback only, any free port, no simulated waiting.
  fleet = await startFleet(SEED, { host: '127.0.0.1', port: 0, timeScale: 0 })
  remote = fleet.get('remote')
  localhost = fleet.get('localhost')
})

afterEach(async () => {
  for (const r of registries.splice(0)) r.stop()
  await fleet.stop()
})

function config(patch: Partial<OllamaProviderConfig>, probeMs = 1500): AillmConfig {
  const c = structuredClone(DEFAULT_CONFIG)
  c.llm.providers.ollama = {
    ...c.llm.providers.ollama,
    base_url: null,
    additional_servers: [],
    ...patch,
  }
  c.llm.providers.ollama.timeouts.probe_ms = probeMs
  return c
}

function spec(patch: Partial<OllamaProviderConfig>, probeMs?: number) {
  const c = config(patch, probeMs)
  const logger = createMemoryLogger('INFO')
  const registry = new ServerRegistry({
    discoverers: [new StaticConfigDiscoverer(c.llm.providers.ollama, logger)],
    logger,
    config: () => c,
    breaker: new CircuitBreaker({ timers: false }),
    // Real timers, short backoff: recovery is seen within a second.
    backoff: { baseMs: 100, maxMs: 400 },
  })
  registries.push(registry)
  const byId = (id: string): ServerView => {
    const s = registry.snapshot().find((v) => v.id === id)
    if (!s) throw new Error(`no server ${id}`)
    return s
  }
  const lines = () => logger.records.map((r) => `${r.level} - ${r.message}`)
  return { registry, byId, lines }
}

/** The spec's topology: the GPU box as base_url (primary), the laptop as SECONDARY. */
function seedTopology(): Partial<OllamaProviderConfig> {
  return {
    base_url: remote.url,
    additional_servers: [{ name: 'localhost', url: localhost.url, priority: 'SECONDARY' }],
  }
}

describe('discovery against the simulator', () => {
  it("finds both servers, indexes their models and logs the spec's lines", async () => {
    const t = spec(seedTopology())
    await t.registry.start()
    expect(t.lines().map((l) => l.replace(/, \d+ms$/, ', <t>ms'))).toEqual([
      'INFO - Discovering Ollama servers and models...',
      `INFO - Server primary (${remote.url}): 5 models, <t>ms`,
      `INFO - Server localhost (${localhost.url}): 3 models, <t>ms`,
      'INFO - Discovery complete: 2/2 servers available, 8 unique models',
    ])
    // /api/tags lists newest first, like Ollama: compare by name, not by order.
    const models = Object.fromEntries(
      t.registry
        .snapshot()
        .flatMap((s) =>
          s.models.map((m) => [`${m.name}@${s.id}`, [m.tier, m.specialisations, m.chatCapable]]),
        ),
    )
    expect(models).toEqual({
      'llama3.3:70b@primary': ['powerful', [], true],
      'gemma3:12b@primary': ['balanced', ['vision'], true],
      'qwen2.5-coder:14b@primary': ['balanced', ['code'], true],
      'qwen3:14b@primary': ['balanced', ['reasoning'], true],
      'nomic-embed-text:latest@primary': ['fast', ['embedding'], false],
      'gemma3:1b@localhost': ['fast', [], true],
      'qwen2.5:1.5b@localhost': ['fast', [], true],
      'phi3:3b@localhost': ['fast', [], true],
    })
    const primary = t.byId('primary')
    expect(primary).toMatchObject({
      url: remote.url,
      source: 'config',
      priority: 'PRIMARY',
      health: { kind: 'online' },
    })
    expect(primary.version).toMatch(/^\d+\.\d+\.\d+/)
    expect(primary.models.find((m) => m.name === 'qwen3:14b')?.capabilities).toContain('thinking')
    expect(t.byId('localhost').priority).toBe('SECONDARY')
  })

  it('reports a stopped server offline with "connection refused"', async () => {
    await remote.setFault({ kind: 'stopped' })
    const t = spec(seedTopology())
    await t.registry.start()
    expect(t.byId('primary').health).toMatchObject({ kind: 'offline', error: 'connection refused' })
    expect(t.lines()).toContain(
      `WARNING - Server primary (${remote.url}): offline (connection refused)`,
    )
    expect(t.lines().at(-1)).toBe(
      'INFO - Discovery complete: 1/2 servers available, 3 unique models',
    )
  })

  it('gives up on hung servers after the probe timeout, probing them in parallel', async () => {
    await remote.setFault({ kind: 'hang' })
    const extra = await startFleet(SEED, { host: '127.0.0.1', port: 0, timeScale: 0 })
    try {
      await extra.get('remote').setFault({ kind: 'hang' })
      await extra.get('localhost').setFault({ kind: 'hang' })
      const t = spec(
        {
          ...seedTopology(),
          additional_servers: [
            { name: 'localhost', url: localhost.url, priority: 'SECONDARY' },
            { name: 'backup_gpu', url: extra.get('remote').url, priority: 'FALLBACK' },
            { name: 'spare', url: extra.get('localhost').url, priority: 'FALLBACK' },
          ],
        },
        500,
      )
      const started = performance.now()
      await t.registry.start()
      const took = performance.now() - started
      // Three hung servers probed one after the other would need 1500 ms or more.
      expect(took).toBeGreaterThanOrEqual(450)
      expect(took).toBeLessThan(1300)
      expect(t.byId('primary').health).toMatchObject({
        kind: 'offline',
        error: 'timed out after 500 ms',
      })
      expect(t.byId('backup_gpu').health.kind).toBe('offline')
      expect(t.byId('spare').health.kind).toBe('offline')
      expect(t.byId('localhost').health.kind).toBe('online')
      expect(t.lines()).toContain(
        `WARNING - Server primary (${remote.url}): offline (timed out after 500 ms)`,
      )
      expect(t.lines().at(-1)).toBe(
        'INFO - Discovery complete: 1/4 servers available, 3 unique models',
      )
    } finally {
      await extra.stop()
    }
  })

  it('reaches the primary through fallback_urls when base_url is refused', async () => {
    const spare = await startFleet(SEED, { host: '127.0.0.1', port: 0, timeScale: 0 })
    try {
      const second = spare.get('remote')
      await remote.setFault({ kind: 'stopped' })
      const t = spec({ base_url: remote.url, fallback_urls: [second.url] })
      await t.registry.start()
      expect(t.byId('primary')).toMatchObject({
        url: second.url,
        urls: [remote.url, second.url],
        source: 'fallback_url',
        health: { kind: 'online' },
      })
      expect(t.lines()[1]).toMatch(
        new RegExp(`^INFO - Server primary \\(${second.url}\\): 5 models, \\d+ms$`),
      )
      // The fallback address goes away too; base_url is back: the next round switches over.
      await remote.setFault({ kind: 'none' })
      await second.setFault({ kind: 'stopped' })
      await t.registry.refresh()
      expect(t.byId('primary')).toMatchObject({ url: remote.url, source: 'config' })
    } finally {
      await spare.stop()
    }
  })

  it('brings a stopped server back online after its backoff', async () => {
    await localhost.setFault({ kind: 'stopped' })
    const t = spec(seedTopology())
    await t.registry.start()
    const offline = t.byId('localhost').health
    expect(offline.kind).toBe('offline')
    await localhost.setFault({ kind: 'none' })
    await vi.waitFor(() => expect(t.byId('localhost').health.kind).toBe('online'), {
      timeout: 3000,
      interval: 20,
    })
    expect(t.byId('localhost').models).toHaveLength(3)
    expect(t.lines().at(-1)).toMatch(
      new RegExp(`^INFO - Server localhost \\(${localhost.url}\\): back online, 3 models, \\d+ms$`),
    )
  })

  it('shows a model as loaded after a chat, from /api/ps', async () => {
    const t = spec(seedTopology())
    await t.registry.start()
    const before = t.byId('localhost').models.find((m) => m.name === 'gemma3:1b')
    expect(before?.loaded).toBe(false)
    await new Ollama({ host: localhost.url }).chat({
      model: 'gemma3:1b',
      messages: [{ role: 'user', content: 'Hi!' }],
      stream: false,
    })
    await t.registry.refresh()
    const after = t.byId('localhost').models.find((m) => m.name === 'gemma3:1b')
    // The laptop has no GPU: loaded, but not in VRAM.
    expect(after).toMatchObject({ loaded: true, fullyInGpu: false })
    expect(t.byId('localhost').models.find((m) => m.name === 'phi3:3b')?.loaded).toBe(false)
  })

  it('fires onDidChange from probing to online, and on a server going down', async () => {
    const t = spec(seedTopology())
    const seen: string[] = []
    t.registry.onDidChange((servers) => {
      seen.push(servers.map((s) => `${s.id}:${s.health.kind}`).join(','))
    })
    await t.registry.start()
    await vi.waitFor(() => expect(seen.at(-1)).toBe('primary:online,localhost:online'))
    expect(seen[0]).toBe('primary:probing,localhost:probing')

    await localhost.setFault({ kind: 'stopped' })
    t.registry.recordFailure(
      'localhost',
      new TypeError('fetch failed', {
        cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      }),
    )
    await vi.waitFor(() => expect(seen.at(-1)).toBe('primary:online,localhost:offline'))
    expect(t.lines().at(-1)).toBe(
      `WARNING - Server localhost (${localhost.url}): offline (connection refused)`,
    )
  })
})

/**
 * The registry's resolver hook (issue 5) over loopback: a `*.local` URL is probed through the address
 * the resolver gives, the view shows it, a dead address is re-resolved within the round, and a name
 * nobody answers marks the server offline with that reason. The resolver here is a stand-in for the
 * mDNS one (the port's contract), since real mDNS only runs inside test namespaces.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AillmConfig } from '../../../shared/types'
import { DEFAULT_CONFIG } from '../../../electron/core/config/config-schema'
import {
  ServerRegistry,
  type HostResolution,
  type HostResolver,
} from '../../../electron/core/discovery/server-registry'
import { StaticConfigDiscoverer } from '../../../electron/core/discovery/static-config-discoverer'
import { urlWithAddress } from '../../../electron/core/discovery/mdns'
import { createMemoryLogger } from '../../../electron/core/logger'
import { CircuitBreaker } from '../../../electron/core/routing/circuit-breaker'
import { decide } from '../../../electron/core/routing/router'
import { startSimServer, type SimServer } from '../../../tools/ollama-sim'

/** Answers from a script: each resolve takes the next address (the last one repeats). */
class ScriptedResolver implements HostResolver {
  forgotten: string[] = []
  asked = 0
  constructor(private readonly addresses: (string | null)[]) {}
  async resolveUrl(url: string): Promise<HostResolution> {
    if (!new URL(url).hostname.endsWith('.local')) return { kind: 'direct' }
    const address = this.addresses[Math.min(this.asked, this.addresses.length - 1)] ?? null
    this.asked += 1
    if (address === null)
      return { kind: 'failed', reason: 'no mDNS answer for box.local within 50 ms' }
    return { kind: 'resolved', address, dialUrl: urlWithAddress(url, address) }
  }
  forget(url: string): void {
    this.forgotten.push(url)
  }
}

let sim: SimServer
const registries: ServerRegistry[] = []

beforeEach(async () => {
  sim = await startSimServer({
    name: 'box',
    host: '127.0.0.1',
    port: 0,
    models: [{ name: 'gemma3:12b' }],
    loadMs: 0,
  })
})
afterEach(async () => {
  for (const r of registries.splice(0)) r.stop()
  await sim.stop()
})

function registryWith(resolver: HostResolver) {
  const c: AillmConfig = structuredClone(DEFAULT_CONFIG)
  c.llm.providers.ollama = {
    ...c.llm.providers.ollama,
    base_url: `http://box.local:${sim.port}`,
    additional_servers: [],
  }
  c.llm.providers.ollama.timeouts.probe_ms = 1000
  const logger = createMemoryLogger('INFO')
  const registry = new ServerRegistry({
    discoverers: [new StaticConfigDiscoverer(c.llm.providers.ollama, logger)],
    logger,
    config: () => c,
    breaker: new CircuitBreaker({ timers: false }),
    resolver,
  })
  registries.push(registry)
  return { registry, config: c }
}

describe('ServerRegistry with a host resolver', () => {
  it('probes a *.local URL at its resolved address and routes requests there', async () => {
    const { registry, config } = registryWith(new ScriptedResolver(['127.0.0.1']))
    await registry.start()
    const [view] = registry.snapshot()
    expect(view).toMatchObject({
      url: `http://box.local:${sim.port}`,
      dialUrl: `http://127.0.0.1:${sim.port}`,
      resolvedAddress: '127.0.0.1',
      health: { kind: 'online' },
    })
    const decision = decide({
      messages: [{ role: 'user', content: 'Explain the Singleton pattern' }],
      servers: registry.snapshot(),
      config: config.llm.providers.ollama,
      mode: { kind: 'auto' },
      requestedModel: null,
    })
    expect(decision.chosen).toMatchObject({
      serverUrl: `http://box.local:${sim.port}`,
      dialUrl: `http://127.0.0.1:${sim.port}`,
    })
  })

  it('re-resolves within the round when the cached address stopped answering', async () => {
    // 127.0.0.9 has nothing on the sim's port: refused, forgotten, asked again, found at .1.
    const resolver = new ScriptedResolver(['127.0.0.9', '127.0.0.1'])
    const { registry } = registryWith(resolver)
    await registry.start()
    expect(resolver.forgotten).toEqual([`http://box.local:${sim.port}`])
    expect(registry.snapshot()[0]).toMatchObject({
      resolvedAddress: '127.0.0.1',
      health: { kind: 'online' },
    })
  })

  it('a name nobody answers: offline with the reason, no dial URL', async () => {
    const { registry } = registryWith(new ScriptedResolver([null]))
    await registry.start()
    const [view] = registry.snapshot()
    expect(view?.health).toMatchObject({
      kind: 'offline',
      error: 'no mDNS answer for box.local within 50 ms',
    })
    expect(view?.dialUrl).toBeUndefined()
    expect(sim.requests).toEqual([])
  })

  it('an executor failure makes the registry forget the address', async () => {
    const resolver = new ScriptedResolver(['127.0.0.1'])
    const { registry } = registryWith(resolver)
    await registry.start()
    const err = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } })
    registry.recordFailure('primary', err)
    expect(resolver.forgotten).toContain(`http://box.local:${sim.port}`)
  })
})

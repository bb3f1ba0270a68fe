import { EventEmitter } from 'node:events'
import type { NetworkInterfaceInfo } from 'node:os'
import { describe, expect, it, vi } from 'vitest'
import type { OllamaProviderConfig } from '../../../../../shared/types'
import { DEFAULT_CONFIG } from '../../../../../electron/core/config/config-schema'
import { createMemoryLogger } from '../../../../../electron/core/logger'
import {
  MdnsDiscoverer,
  serviceEntryOf,
  type AddressRecord,
  type BonjourInstance,
  type InterfaceTable,
  type SeenService,
} from '../../../../../electron/core/discovery/mdns'

const TABLE: InterfaceTable = {
  eth0: [
    {
      address: '10.231.0.1',
      netmask: '255.255.255.0',
      family: 'IPv4',
      mac: '02:00:00:00:00:01',
      internal: false,
      cidr: '10.231.0.1/24',
    } satisfies NetworkInterfaceInfo,
  ],
}

const box = (over: Partial<SeenService> = {}): SeenService => ({
  name: 'gpu-box',
  host: 'gpu-box.local',
  port: 11434,
  addresses: ['10.231.0.2'],
  referer: { address: '10.231.0.2' },
  txt: { version: '0.12.3', models: '4', id: 'abc' },
  ...over,
})

describe('serviceEntryOf', () => {
  it.each<[string, Partial<SeenService>, unknown]>([
    [
      'a .local host → URL by name',
      {},
      {
        name: 'gpu-box',
        url: 'http://gpu-box.local:11434',
        address: '10.231.0.2',
        localHost: 'gpu-box.local',
        advertiserId: 'abc',
      },
    ],
    [
      'a bare host → URL by address',
      { host: 'gpu-box' },
      { url: 'http://10.231.0.2:11434', localHost: null },
    ],
    [
      'no addresses → the sender',
      { host: 'gpu-box', addresses: [] },
      { url: 'http://10.231.0.2:11434' },
    ],
    [
      'IPv6 only',
      { host: 'x', addresses: ['fd00::2'], referer: { address: 'fe80::1' } },
      { url: 'http://[fd00::2]:11434' },
    ],
    [
      'loopback addresses are skipped',
      { host: 'x', addresses: ['127.0.0.1', '10.231.0.7'] },
      { address: '10.231.0.7' },
    ],
  ])('%s', (_why, over, expected) => {
    expect(serviceEntryOf(box(over), TABLE)).toMatchObject(expected as object)
  })

  it.each<[string, Partial<SeenService>, RegExp]>([
    ['no name', { name: undefined }, /no service name/],
    ['a huge name', { name: 'x'.repeat(64) }, /bad service name/],
    ['a bad port', { port: 0 }, /bad port/],
    ['a port that is not a number', { port: '11434' }, /bad port/],
    ['an off-link sender (spoof)', { referer: { address: '192.168.9.9' } }, /not on our link/],
    [
      'no usable address',
      { host: 'x', addresses: ['127.0.0.1'], referer: { address: '' } },
      /no usable address/,
    ],
  ])('ignores %s', (_why, over, reason) => {
    expect(serviceEntryOf(box(over), TABLE)).toEqual({ ignored: expect.stringMatching(reason) })
  })
})

/** Stands in for bonjour-service (a third-party socket): a browser whose services the test sets. */
class FakeBrowser extends EventEmitter {
  services: SeenService[] = []
  updates = 0
  stopped = false
  update() {
    this.updates += 1
  }
  expire() {}
  stop() {
    this.stopped = true
  }
}

function setup(
  over: Partial<OllamaProviderConfig> = {},
  extra: { retryMs?: number; failOpens?: number; interfaces?: () => InterfaceTable } = {},
) {
  let failOpens = extra.failOpens ?? 0
  let config: OllamaProviderConfig = {
    ...DEFAULT_CONFIG.llm.providers.ollama,
    auto_discover: true,
    ...over,
  }
  const browsers: FakeBrowser[] = []
  const opened: unknown[] = []
  let destroyed = 0
  const seeded: AddressRecord[] = []
  const logger = createMemoryLogger()
  const discoverer = new MdnsDiscoverer({
    logger,
    config: () => config,
    seed: (r) => seeded.push(...r),
    ownId: () => 'me',
    interfaces: extra.interfaces ?? (() => TABLE),
    firstWaitMs: 0,
    settleMs: 1,
    ...(extra.retryMs === undefined ? {} : { retryMs: extra.retryMs }),
    bonjourFactory: (opts) => {
      if (failOpens > 0) {
        failOpens -= 1
        throw Object.assign(new Error('bind EADDRINUSE 0.0.0.0:5353'), { code: 'EADDRINUSE' })
      }
      opened.push(opts)
      return {
        find: () => {
          const b = new FakeBrowser()
          browsers.push(b)
          return b
        },
        destroy: () => {
          destroyed += 1
        },
      } as unknown as BonjourInstance
    },
  })
  return {
    discoverer,
    browsers,
    opened,
    seeded,
    logger,
    destroyed: () => destroyed,
    setConfig: (c: Partial<OllamaProviderConfig>) => (config = { ...config, ...c }),
  }
}

describe('MdnsDiscoverer', () => {
  const signal = new AbortController().signal

  it('does not browse (no socket) unless auto_discover and mdns are on', async () => {
    const off = setup({ auto_discover: false })
    expect(await off.discoverer.discover(signal)).toEqual([])
    expect(off.opened).toHaveLength(0)
    const mdnsOff = setup({ mdns: { enabled: false, interface: null } })
    expect(await mdnsOff.discoverer.discover(signal)).toEqual([])
    expect(mdnsOff.opened).toHaveLength(0)
  })

  it('lists boxes as untrusted SECONDARY mdns servers; trust follows the name', async () => {
    const t = setup({ mdns: { enabled: true, interface: '10.231.0.1' } })
    await t.discoverer.discover(signal)
    expect(t.opened).toEqual([{ interface: '10.231.0.1', bind: '0.0.0.0' }])
    const browser = t.browsers[0]!
    browser.services = [box(), box({ name: 'self', txt: { id: 'me' } }), box({ port: -1 })]
    expect(await t.discoverer.discover(signal)).toEqual([
      {
        id: 'gpu-box',
        name: 'gpu-box',
        urls: ['http://gpu-box.local:11434'],
        priority: 'SECONDARY',
        source: 'mdns',
        trusted: false,
        resolvedAddress: '10.231.0.2',
      },
    ])
    t.setConfig({ trusted_servers: ['gpu-box'] })
    browser.services = [box({ addresses: ['10.231.0.9'] })]
    expect(await t.discoverer.discover(signal)).toMatchObject([{ id: 'gpu-box', trusted: true }])
    t.setConfig({ trusted_servers: [], trust_discovered: true })
    expect(await t.discoverer.discover(signal)).toMatchObject([{ trusted: true }])
  })

  it('seeds the resolver, announces changes, drops a box on goodbye, stops when turned off', async () => {
    const t = setup()
    await t.discoverer.discover(signal)
    const browser = t.browsers[0]!
    let changes = 0
    t.discoverer.onDidChange(() => (changes += 1))
    browser.services = [box()]
    browser.emit('up', box())
    expect(t.seeded).toEqual([
      { name: 'gpu-box.local', address: '10.231.0.2', family: 4, ttlS: 120 },
    ])
    browser.services = []
    browser.emit('down', box())
    await new Promise((r) => setTimeout(r, 20))
    expect(changes).toBe(1)
    expect(await t.discoverer.discover(signal)).toEqual([])
    t.setConfig({ auto_discover: false })
    await t.discoverer.discover(signal)
    expect(browser.stopped).toBe(true)
    expect(t.destroyed()).toBe(1)
    expect(t.discoverer.isBrowsing).toBe(false)
  })

  it('retries by itself after a socket failure, as the warning says', async () => {
    const t = setup({}, { retryMs: 30, failOpens: 1 })
    expect(await t.discoverer.discover(signal)).toEqual([])
    expect(t.discoverer.isBrowsing).toBe(false)
    expect(t.logger.records.map((r) => r.message)).toContain(
      'mDNS discovery: UDP port 5353 is held by another program (the OS mDNS responder?) and could not be shared (bind EADDRINUSE 0.0.0.0:5353); retrying in 0 s',
    )
    await vi.waitFor(() => expect(t.discoverer.isBrowsing).toBe(true), { timeout: 2000 })
    expect(t.opened).toHaveLength(1)
    t.discoverer.dispose()
  })

  it('starts browsing once the mdns.interface address comes up', async () => {
    let table: InterfaceTable = {}
    const t = setup(
      { mdns: { enabled: true, interface: '10.231.0.1' } },
      { retryMs: 30, interfaces: () => table },
    )
    await t.discoverer.discover(signal)
    expect(t.discoverer.isBrowsing).toBe(false)
    await new Promise((r) => setTimeout(r, 80)) // a retry or two while the interface is still down
    expect(t.opened).toHaveLength(0)
    table = TABLE
    await vi.waitFor(() => expect(t.discoverer.isBrowsing).toBe(true), { timeout: 2000 })
    t.discoverer.dispose()
  })

  it('dispose cancels a pending retry', async () => {
    const t = setup({}, { retryMs: 20, failOpens: 1 })
    await t.discoverer.discover(signal)
    t.discoverer.dispose()
    await new Promise((r) => setTimeout(r, 80))
    expect(t.opened).toHaveLength(0)
    expect(t.discoverer.isBrowsing).toBe(false)
  })
})

import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import type { NetworkInterfaceInfo } from 'node:os'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EventEmitter } from 'node:events'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { OllamaProviderConfig } from '../../../../../shared/types'
import { DEFAULT_CONFIG } from '../../../../../electron/core/config/config-schema'
import { createMemoryLogger } from '../../../../../electron/core/logger'
import { ProbeError } from '../../../../../electron/core/discovery/probe-error'
import type { ProbeResult } from '../../../../../electron/core/discovery/prober'
import {
  ADVERTISER_ID_FILE,
  loadAdvertiserId,
  localOllamaPort,
  MdnsAdvertiser,
  type BonjourInstance,
  type InterfaceTable,
} from '../../../../../electron/core/discovery/mdns'

const dirs: string[] = []
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'aillm-adv-'))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

const TABLE: InterfaceTable = {
  lo: [
    {
      address: '127.0.0.1',
      netmask: '255.0.0.0',
      family: 'IPv4',
      mac: '00:00:00:00:00:00',
      internal: true,
      cidr: '127.0.0.1/8',
    },
  ],
  eth0: [
    {
      address: '10.231.0.2',
      netmask: '255.255.255.0',
      family: 'IPv4',
      mac: '02:00:00:00:00:02',
      internal: false,
      cidr: '10.231.0.2/24',
    } satisfies NetworkInterfaceInfo,
  ],
}

const online = (url: string): ProbeResult => ({
  ok: true,
  url,
  latencyMs: 3,
  version: '0.12.3',
  tags: [{ name: 'a' }, { name: 'b' }],
  ps: [],
  problems: [],
})
const refused = (url: string): ProbeResult => ({
  ok: false,
  url,
  error: new ProbeError(url, null, { kind: 'refused', reason: 'connection refused' }),
})

function setup(
  over: Partial<OllamaProviderConfig>,
  reachable: boolean,
  force = false,
  extra: {
    /** The name is taken on the network: bonjour never says `up`. */
    conflict?: boolean
    /** Each probe waits for this (a slow Ollama). */
    probeGate?: () => Promise<void>
    answer?: (url: string) => ProbeResult
  } = {},
) {
  let config: OllamaProviderConfig = { ...DEFAULT_CONFIG.llm.providers.ollama, ...over }
  const calls: string[] = []
  const published: unknown[] = []
  const probed: string[] = []
  const logger = createMemoryLogger()
  const advertiser = new MdnsAdvertiser({
    logger,
    config: () => config,
    dataDir: tempDir(),
    force,
    announceTimeoutMs: 30,
    serviceName: 'gpu-box',
    interfaces: () => TABLE,
    probe: async (url) => {
      probed.push(url)
      await extra.probeGate?.()
      return reachable ? (extra.answer ?? online)(url) : refused(url)
    },
    bonjourFactory: () =>
      ({
        publish: (s: unknown) => {
          calls.push('publish')
          published.push(s)
          // Like bonjour-service's Service: `up` after the name probe and first announcement.
          const service = new EventEmitter()
          if (!extra.conflict) setImmediate(() => service.emit('up'))
          return service
        },
        unpublishAll: (cb: () => void) => {
          calls.push('unpublishAll')
          cb()
        },
        destroy: () => calls.push('destroy'),
      }) as unknown as BonjourInstance,
  })
  return {
    advertiser,
    calls,
    published,
    probed,
    logger,
    setConfig: (c: Partial<OllamaProviderConfig>) => (config = { ...config, ...c }),
  }
}

describe('advertiser id and port', () => {
  it('keeps one id per data dir across restarts', () => {
    const dir = tempDir()
    const id = loadAdvertiserId(dir)
    expect(id).toMatch(/^[0-9a-f-]{36}$/)
    expect(readFileSync(join(dir, ADVERTISER_ID_FILE), 'utf8').trim()).toBe(id)
    expect(loadAdvertiserId(dir)).toBe(id)
  })

  it.each<[Partial<OllamaProviderConfig>, number]>([
    [{}, 11434],
    [
      {
        additional_servers: [
          { name: 'localhost', url: 'http://127.0.0.1:11500', priority: 'SECONDARY' },
        ],
      },
      11500,
    ],
    [{ base_url: 'http://10.0.0.5:9999', additional_servers: [] }, 11434],
  ])('local Ollama port of %j is %i', (over, port) => {
    expect(localOllamaPort({ ...DEFAULT_CONFIG.llm.providers.ollama, ...over })).toBe(port)
  })
})

describe('MdnsAdvertiser', () => {
  it('publishes nothing (and probes nothing) when advertise is off', async () => {
    const t = setup({}, true)
    await t.advertiser.start()
    expect(t.calls).toEqual([])
    expect(t.probed).toEqual([])
    expect(t.advertiser.state()).toEqual({ kind: 'off' })
    await t.advertiser.stop()
  })

  it('does not advertise an Ollama that answers on loopback only, and says why', async () => {
    const t = setup({ advertise: true }, false)
    await t.advertiser.start()
    expect(t.probed).toEqual(['http://10.231.0.2:11434'])
    expect(t.calls).toEqual([])
    expect(t.advertiser.state()).toMatchObject({ kind: 'not-reachable' })
    expect(
      t.logger.records.some(
        (r) => r.level === 'WARNING' && /OLLAMA_HOST=0\.0\.0\.0/.test(r.message),
      ),
    ).toBe(true)
    await t.advertiser.stop()
  })

  it('publishes _ollama._tcp with version, model count and the stable id; goodbye on stop', async () => {
    const t = setup({}, true, true)
    await t.advertiser.start()
    expect(t.published).toEqual([
      {
        name: 'gpu-box',
        type: 'ollama',
        port: 11434,
        host: expect.stringMatching(/\.local$/),
        txt: { version: '0.12.3', models: '2', id: t.advertiser.id },
      },
    ])
    await t.advertiser.check()
    expect(t.calls).toEqual(['publish'])
    await t.advertiser.stop()
    expect(t.calls).toEqual(['publish', 'unpublishAll', 'destroy'])
  })

  it('says "advertising" only once the service is up', async () => {
    const t = setup({}, true, true)
    await t.advertiser.start()
    expect(t.advertiser.state()).toMatchObject({ kind: 'announcing', name: 'gpu-box' })
    await vi.waitFor(() => expect(t.advertiser.state()).toMatchObject({ kind: 'published' }))
    expect(
      t.logger.records.filter((r) => r.message.startsWith('mDNS: advertising gpu-box')),
    ).toHaveLength(1)
    await t.advertiser.stop()
  })

  it('a name taken on the network (no `up`) is not reported as advertising, and is retried', async () => {
    const t = setup({}, true, true, { conflict: true })
    await t.advertiser.start()
    await vi.waitFor(() => expect(t.advertiser.state()).toMatchObject({ kind: 'failed' }))
    expect(t.calls).toEqual(['publish', 'destroy'])
    expect(t.logger.records.map((r) => r.message)).toContain(
      'mDNS: not advertising: gpu-box did not come up within 30 ms (is the name in use on the network?); retrying later',
    )
    expect(t.logger.records.some((r) => r.message.startsWith('mDNS: advertising gpu-box'))).toBe(
      false,
    )
    await t.advertiser.check()
    expect(t.calls).toEqual(['publish', 'destroy', 'publish'])
    await t.advertiser.stop()
  })

  it('a config change during a check is not lost', async () => {
    let release = (): void => undefined
    const t = setup({ advertise: true }, true, false, {
      probeGate: () => new Promise<void>((r) => (release = r)),
    })
    const first = t.advertiser.start()
    await vi.waitFor(() => expect(t.probed).toHaveLength(1))
    t.setConfig({ advertise: false })
    const second = t.advertiser.check()
    release()
    await Promise.all([first, second])
    expect(t.advertiser.state()).toEqual({ kind: 'off' })
    expect(t.calls).toEqual(['publish', 'unpublishAll', 'destroy'])
    await t.advertiser.stop()
  })

  it('keeps the published model count when /api/tags failed', async () => {
    let tagsFail = false
    const t = setup({}, true, true, {
      answer: (url) => ({ ...online(url), ...(tagsFail ? { tags: null } : {}) }),
    })
    await t.advertiser.start()
    await vi.waitFor(() => expect(t.advertiser.state()).toMatchObject({ kind: 'published' }))
    tagsFail = true
    await t.advertiser.check()
    // Same TXT (models: '2'), so no goodbye and hello with "0 models".
    expect(t.calls).toEqual(['publish'])
    expect(t.advertiser.state()).toMatchObject({ kind: 'published', txt: { models: '2' } })
    await t.advertiser.stop()
  })
})

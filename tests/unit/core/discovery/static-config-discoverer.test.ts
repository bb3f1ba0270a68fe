import { describe, expect, it } from 'vitest'
import type { OllamaProviderConfig } from '../../../../shared/types'
import { DEFAULT_CONFIG } from '../../../../electron/core/config/config-schema'
import { StaticConfigDiscoverer } from '../../../../electron/core/discovery/static-config-discoverer'
import { createMemoryLogger } from '../../../../electron/core/logger'

function provider(patch: Partial<OllamaProviderConfig>): OllamaProviderConfig {
  return { ...structuredClone(DEFAULT_CONFIG.llm.providers.ollama), ...patch }
}

const signal = new AbortController().signal

describe('StaticConfigDiscoverer', () => {
  it("turns the spec's example config into primary + additional servers", async () => {
    const found = await new StaticConfigDiscoverer(
      provider({
        base_url: 'http://192.168.178.126:11434',
        fallback_urls: ['ollama-server.local:11434', 'ollama.local'],
        additional_servers: [
          { name: 'localhost', url: 'http://localhost:11434', priority: 'SECONDARY' },
          { name: 'backup_gpu', url: 'http://192.168.178.200:11434', priority: 'FALLBACK' },
        ],
      }),
    ).discover(signal)
    expect(found).toEqual([
      {
        id: 'primary',
        name: 'primary',
        urls: [
          'http://192.168.178.126:11434',
          'http://ollama-server.local:11434',
          'http://ollama.local:11434',
        ],
        priority: 'PRIMARY',
        source: 'config',
        trusted: true,
      },
      {
        id: 'localhost',
        name: 'localhost',
        urls: ['http://localhost:11434'],
        priority: 'SECONDARY',
        source: 'config',
        trusted: true,
      },
      {
        id: 'backup_gpu',
        name: 'backup_gpu',
        urls: ['http://192.168.178.200:11434'],
        priority: 'FALLBACK',
        source: 'config',
        trusted: true,
      },
    ])
  })

  it.each([
    ['host:8080', 'http://host:8080'],
    ['gpu-box', 'http://gpu-box:11434'],
    ['http://gpu-box', 'http://gpu-box:80'],
    ['https://gpu-box/', 'https://gpu-box:443'],
    ['[::1]', 'http://[::1]:11434'],
  ])('normalises %s to %s', async (input, url) => {
    const [server] = await new StaticConfigDiscoverer(
      provider({ base_url: input, additional_servers: [] }),
    ).discover(signal)
    expect(server?.urls).toEqual([url])
  })

  it('scenario 2: only additional_servers, both PRIMARY', async () => {
    const found = await new StaticConfigDiscoverer(
      provider({
        base_url: null,
        additional_servers: [
          { name: 'code_server', url: 'http://192.168.178.100:11434', priority: 'PRIMARY' },
          { name: 'chat_server', url: 'http://192.168.178.101:11434', priority: 'PRIMARY' },
        ],
      }),
    ).discover(signal)
    expect(found.map((f) => [f.id, f.priority, f.urls[0]])).toEqual([
      ['code_server', 'PRIMARY', 'http://192.168.178.100:11434'],
      ['chat_server', 'PRIMARY', 'http://192.168.178.101:11434'],
    ])
  })

  it('lists nothing when the provider is disabled', async () => {
    const found = await new StaticConfigDiscoverer(
      provider({ enabled: false, base_url: 'http://a:1' }),
    ).discover(signal)
    expect(found).toEqual([])
  })

  it('keeps the first of duplicate URLs and warns about the others', async () => {
    const logger = createMemoryLogger()
    const found = await new StaticConfigDiscoverer(
      provider({
        base_url: 'http://localhost:11434',
        fallback_urls: ['localhost:11434', 'other:11434'],
        additional_servers: [
          { name: 'laptop', url: 'localhost', priority: 'SECONDARY' },
          { name: 'gpu', url: 'http://gpu:11434', priority: 'SECONDARY' },
        ],
      }),
      logger,
    ).discover(signal)
    expect(found.map((f) => [f.id, f.urls])).toEqual([
      ['primary', ['http://localhost:11434', 'http://other:11434']],
      ['gpu', ['http://gpu:11434']],
    ])
    const warnings = logger.records.filter((r) => r.level === 'WARNING').map((r) => r.message)
    expect(warnings).toEqual([
      'Config fallback_urls.0: http://localhost:11434 is already used by server primary; skipped',
      'Config additional_servers.0.url: http://localhost:11434 is already used by server primary; skipped',
    ])
  })

  it('skips a taken name and an unusable address with a warning naming the key', async () => {
    const logger = createMemoryLogger()
    const found = await new StaticConfigDiscoverer(
      provider({
        base_url: 'http://a:11434',
        additional_servers: [
          { name: 'primary', url: 'http://b:11434', priority: 'SECONDARY' },
          { name: 'bad', url: 'ftp://c', priority: 'SECONDARY' },
        ],
      }),
      logger,
    ).discover(signal)
    expect(found.map((f) => f.id)).toEqual(['primary'])
    const warnings = logger.records.map((r) => r.message)
    expect(warnings[0]).toBe(
      'Config additional_servers.0: server name "primary" is already used; skipped',
    )
    expect(warnings[1]).toMatch(/^Config additional_servers\.1\.url: .*scheme "ftp".*; skipped$/)
  })

  it('reads the config again on every discover when given a getter', async () => {
    let current = provider({ base_url: 'http://one:11434', additional_servers: [] })
    const discoverer = new StaticConfigDiscoverer(() => current)
    expect((await discoverer.discover(signal))[0]?.urls).toEqual(['http://one:11434'])
    current = provider({ base_url: 'http://two:11434', additional_servers: [] })
    expect((await discoverer.discover(signal))[0]?.urls).toEqual(['http://two:11434'])
  })

  it('with defaults (no file) finds Ollama on localhost', async () => {
    const found = await new StaticConfigDiscoverer(provider({})).discover(signal)
    expect(found.map((f) => [f.id, f.urls[0]])).toEqual([['localhost', 'http://localhost:11434']])
  })
})

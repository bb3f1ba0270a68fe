import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { CONFIG_EXAMPLE_YAML } from '../../../../electron/core/config/config-example'
import { formatConfigIssue } from '../../../../electron/core/config/config-issues'
import { DEFAULT_CONFIG } from '../../../../electron/core/config/config-schema'
import { parseConfig } from '../../../../electron/core/config/parse-config'

/** The product spec's first example, verbatim (product.md "Configuration"). */
const SPEC_FULL = `llm:
  providers:
    ollama:
      enabled: true
      base_url: http://192.168.178.126:11434      # main server (the powerful GPU box): PRIMARY
      fallback_urls:                               # other addresses of the main server, tried in order
        - ollama-server.local:11434                # mDNS name: survives a changing IP
        - ollama.local:11434
      additional_servers:
        - name: localhost
          url: http://localhost:11434
          priority: SECONDARY
        - name: backup_gpu
          url: http://192.168.178.200:11434
          priority: FALLBACK
      distributed_mode: true                       # false, or a single server: plain one-server mode
      auto_discover: true                          # find more servers on the LAN
`

/** The spec's usage scenario 2, verbatim. */
const SPEC_TWO_GPUS = `llm:
  providers:
    ollama:
      additional_servers:
        - name: code_server
          url: http://192.168.178.100:11434
          priority: PRIMARY
        - name: chat_server
          url: http://192.168.178.101:11434
          priority: PRIMARY
`

const ok = (text: string) => {
  const result = parseConfig(text, 'config.yaml')
  expect(result.issues).toEqual([])
  if (result.config === null) throw new Error('expected a config')
  return result.config
}

describe('parseConfig: the product spec examples are accepted as written', () => {
  it('the full example', () => {
    const config = ok(SPEC_FULL)
    const o = config.llm.providers.ollama
    expect(o.enabled).toBe(true)
    expect(o.base_url).toBe('http://192.168.178.126:11434')
    expect(o.fallback_urls).toEqual([
      'http://ollama-server.local:11434',
      'http://ollama.local:11434',
    ])
    expect(o.additional_servers).toEqual([
      { name: 'localhost', url: 'http://localhost:11434', priority: 'SECONDARY' },
      { name: 'backup_gpu', url: 'http://192.168.178.200:11434', priority: 'FALLBACK' },
    ])
    expect(o.distributed_mode).toBe(true)
    expect(o.auto_discover).toBe(true)
    // Keys the spec leaves out take our defaults.
    expect(o.timeouts).toEqual(DEFAULT_CONFIG.llm.providers.ollama.timeouts)
    expect(config.api).toEqual({ host: '127.0.0.1', port: 8000, token: null, allowed_origins: [] })
  })

  it('usage scenario 2: two GPU boxes, both PRIMARY, no base_url', () => {
    const o = ok(SPEC_TWO_GPUS).llm.providers.ollama
    expect(o.base_url).toBeNull()
    expect(o.additional_servers.map((s) => [s.name, s.url, s.priority])).toEqual([
      ['code_server', 'http://192.168.178.100:11434', 'PRIMARY'],
      ['chat_server', 'http://192.168.178.101:11434', 'PRIMARY'],
    ])
    expect(o.auto_discover).toBe(false)
  })
})

describe('parseConfig: partial files and defaults', () => {
  const localhostOnly = [{ name: 'localhost', url: 'http://localhost:11434', priority: 'PRIMARY' }]
  it.each([
    ['an empty file', ''],
    ['only comments', '# nothing yet\n'],
    ['llm with no value', 'llm:\n'],
    ['providers with no value', 'llm:\n  providers:\n'],
    ['ollama with no value', 'llm:\n  providers:\n    ollama:\n'],
    [
      'additional_servers with no value',
      'llm:\n  providers:\n    ollama:\n      additional_servers:\n',
    ],
  ])('%s → every default, localhost as the one server', (_name, text) => {
    expect(ok(text)).toEqual(DEFAULT_CONFIG)
    expect(ok(text).llm.providers.ollama.additional_servers).toEqual(localhostOnly)
  })

  it.each([
    [
      'base_url alone: no implicit localhost',
      'llm:\n  providers:\n    ollama:\n      base_url: gpu-box\n',
      [],
    ],
    [
      'an explicit empty list stays empty',
      'llm:\n  providers:\n    ollama:\n      additional_servers: []\n',
      [],
    ],
    [
      'base_url: null still means no server named',
      'llm:\n  providers:\n    ollama:\n      base_url: null\n',
      localhostOnly,
    ],
  ])('%s', (_name, text, servers) => {
    expect(ok(text).llm.providers.ollama.additional_servers).toEqual(servers)
  })

  it('fills defaults around the keys that are given, and normalises values', () => {
    const config = ok(`llm:
  providers:
    ollama:
      base_url: ollama-server.local
      additional_servers:
        - name: laptop
          url: 127.0.0.1:11434
          priority: secondary
        - name: no_priority
          url: http://127.0.0.1
      timeouts:
        connect_ms: 500
      task_models:
        code: [qwen2.5-coder:14b]
      tier_rules:
        - match: '^my-coder'
          tier: Balanced
          specialisations: [code]
        - match: 'tiny'
      mdns:
        interface: 192.168.1.10
api:
  port: 9000
`)
    const o = config.llm.providers.ollama
    expect(o.base_url).toBe('http://ollama-server.local:11434')
    expect(o.additional_servers).toEqual([
      { name: 'laptop', url: 'http://127.0.0.1:11434', priority: 'SECONDARY' },
      { name: 'no_priority', url: 'http://127.0.0.1:80', priority: 'PRIMARY' },
    ])
    expect(o.timeouts).toEqual({ ...DEFAULT_CONFIG.llm.providers.ollama.timeouts, connect_ms: 500 })
    expect(o.task_models).toEqual({ code: ['qwen2.5-coder:14b'] })
    expect(o.tier_rules).toEqual([
      { match: '^my-coder', tier: 'balanced', specialisations: ['code'] },
      { match: 'tiny' },
    ])
    expect(o.mdns).toEqual({ enabled: true, interface: '192.168.1.10' })
    expect(config.api).toEqual({ host: '127.0.0.1', port: 9000, token: null, allowed_origins: [] })
  })

  it('a non-loopback API host is fine with a token', () => {
    expect(ok('api:\n  host: 0.0.0.0\n  token: s3cret\n').api).toEqual({
      host: '0.0.0.0',
      port: 8000,
      token: 's3cret',
      allowed_origins: [],
    })
  })
})

/** `O` is the prefix every ollama key below starts with. */
const O = 'llm.providers.ollama'
const wrap = (body: string) => `llm:\n  providers:\n    ollama:\n${body}`

describe('parseConfig: each kind of error names the key, line, column and what is allowed', () => {
  it.each([
    {
      name: 'bad priority',
      text: wrap(
        '      additional_servers:\n        - name: a\n          url: localhost\n          priority: PRIMRY\n',
      ),
      key: `${O}.additional_servers.0.priority`,
      line: 7,
      column: 21,
      message: 'must be PRIMARY, SECONDARY or FALLBACK (got "PRIMRY")',
    },
    {
      name: 'unknown key (typo)',
      text: wrap('      auto_discovery: true\n'),
      key: `${O}.auto_discovery`,
      line: 4,
      column: 7,
      message:
        /^unknown key "auto_discovery" \(allowed keys: enabled, base_url, .*auto_discover, .*tier_rules\)$/,
    },
    {
      name: 'unknown top-level key',
      text: 'lmm:\n  providers: {}\n',
      key: 'lmm',
      line: 1,
      column: 1,
      message: 'unknown key "lmm" (allowed keys: llm, api)',
    },
    {
      name: 'unknown key in a server',
      text: wrap(
        '      additional_servers:\n        - name: a\n          url: localhost\n          prio: FALLBACK\n',
      ),
      key: `${O}.additional_servers.0.prio`,
      line: 7,
      column: 11,
      message: 'unknown key "prio" (allowed keys: name, url, priority)',
    },
    {
      name: 'boolean written as yes',
      text: wrap('      enabled: yes\n'),
      key: `${O}.enabled`,
      line: 4,
      column: 16,
      message: 'must be true or false (got "yes")',
    },
    {
      name: 'garbage base_url',
      text: wrap('      base_url: ftp://gpu-box\n'),
      key: `${O}.base_url`,
      line: 4,
      column: 17,
      message: /scheme "ftp" is not http or https \(got "ftp:\/\/gpu-box"\)/,
    },
    {
      name: 'bad fallback url',
      text: wrap(
        '      fallback_urls:\n        - ollama.local:11434\n        - "ollama.local:99999"\n',
      ),
      key: `${O}.fallback_urls.1`,
      line: 6,
      column: 11,
      message: /not a valid host or port \(got "ollama.local:99999"\)/,
    },
    {
      name: 'duplicate server names',
      text: wrap(
        '      additional_servers:\n        - name: gpu\n          url: a\n        - name: GPU\n          url: b\n',
      ),
      key: `${O}.additional_servers.1.name`,
      line: 7,
      column: 17,
      message: 'must be unique among additional_servers (got "GPU")',
    },
    {
      name: 'empty server name',
      text: wrap('      additional_servers:\n        - name: ""\n          url: a\n'),
      key: `${O}.additional_servers.0.name`,
      line: 5,
      column: 17,
      message: 'must be a non-empty string (got "")',
    },
    {
      name: 'a server named primary next to base_url',
      text: wrap(
        '      base_url: gpu\n      additional_servers:\n        - name: primary\n          url: a\n',
      ),
      key: `${O}.additional_servers.0.name`,
      line: 6,
      column: 17,
      message: 'must not be "primary": that name belongs to base_url (got "primary")',
    },
    {
      name: 'negative timeout',
      text: wrap('      timeouts:\n        stall_ms: -5\n'),
      key: `${O}.timeouts.stall_ms`,
      line: 5,
      column: 19,
      message: 'must be a whole number greater than 0 (got -5)',
    },
    {
      name: 'a timeout too long for setTimeout',
      text: wrap('      timeouts:\n        probe_ms: 2147483648\n'),
      key: `${O}.timeouts.probe_ms`,
      line: 5,
      column: 19,
      message:
        'must be at most 2147483647 ms (about 24.8 days); a longer timer would fire at once (got 2147483648)',
    },
    {
      name: 'a health-check interval over a day',
      text: wrap('      health_check_interval_s: 1000000000\n'),
      key: `${O}.health_check_interval_s`,
      line: 4,
      column: 32,
      message: 'must be at most 86400 seconds (one day) (got 1000000000)',
    },
    {
      name: 'zero health-check interval',
      text: wrap('      health_check_interval_s: 0\n'),
      key: `${O}.health_check_interval_s`,
      line: 4,
      column: 32,
      message: 'must be a number greater than 0 (got 0)',
    },
    {
      name: 'invalid regex in tier_rules',
      text: wrap("      tier_rules:\n        - match: '(unclosed'\n"),
      key: `${O}.tier_rules.0.match`,
      line: 5,
      column: 18,
      message: /^must be a valid regular expression \(.*\) \(got "\(unclosed"\)$/,
    },
    {
      name: 'unknown task type',
      text: wrap('      task_models:\n        coding: [qwen2.5-coder:14b]\n'),
      key: `${O}.task_models.coding`,
      line: 5,
      column: 9,
      message:
        'unknown key "coding" (allowed keys: greeting, chat, explanation, code, reasoning, writing)',
    },
    {
      name: 'port out of range',
      text: 'api:\n  port: 70000\n',
      key: 'api.port',
      line: 2,
      column: 9,
      message: 'must be a port number from 1 to 65535 (got 70000)',
    },
    {
      name: 'non-loopback api host without token',
      text: 'api:\n  host: 0.0.0.0\n',
      key: 'api.host',
      line: 2,
      column: 9,
      message: /api\.token is required/,
    },
    {
      name: 'mdns interface not an IPv4 address',
      text: wrap('      mdns:\n        interface: eth0\n'),
      key: `${O}.mdns.interface`,
      line: 5,
      column: 20,
      message: 'must be an IPv4 address of a local interface, or null (got "eth0")',
    },
    {
      name: 'a list where a mapping belongs',
      text: 'llm:\n  - providers\n',
      key: 'llm',
      line: 2,
      column: 3,
      message: 'must be a mapping of keys (providers) (got a list)',
    },
    {
      name: 'a scalar where a list belongs',
      text: wrap('      fallback_urls: ollama.local\n'),
      key: `${O}.fallback_urls`,
      line: 4,
      column: 22,
      message: /^must be a list of host URLs/,
    },
  ])('$name', ({ text, key, line, column, message }) => {
    const { config, issues } = parseConfig(text, 'config.yaml')
    expect(config).toBeNull()
    expect(issues).toHaveLength(1)
    const issue = issues[0]!
    expect({ key: issue.key, line: issue.line, column: issue.column }).toEqual({
      key,
      line,
      column,
    })
    if (typeof message === 'string') expect(issue.message).toBe(message)
    else expect(issue.message).toMatch(message)
  })

  it('the longest timer and interval setTimeout can take are accepted', () => {
    const { config, issues } = parseConfig(
      wrap('      timeouts:\n        stall_ms: 2147483647\n      health_check_interval_s: 86400\n'),
      'config.yaml',
    )
    expect(issues).toEqual([])
    expect(config?.llm.providers.ollama.timeouts.stall_ms).toBe(2_147_483_647)
    expect(config?.llm.providers.ollama.health_check_interval_s).toBe(86_400)
  })

  it('reports every problem of a file at once, in file order', () => {
    const { issues } = parseConfig(
      wrap('      enabled: 1\n      distributed_mode: no\n      advertise: maybe\n'),
      'c.yaml',
    )
    expect(issues.map((i) => [i.key, i.line])).toEqual([
      [`${O}.enabled`, 4],
      [`${O}.distributed_mode`, 5],
      [`${O}.advertise`, 6],
    ])
  })

  it('formatConfigIssue renders path:line:col: key: message', () => {
    const { issues } = parseConfig(
      wrap(
        '      additional_servers:\n        - name: a\n          url: localhost\n          priority: PRIMRY\n',
      ),
      'config.yaml',
    )
    expect(formatConfigIssue('config.yaml', issues[0]!)).toBe(
      'config.yaml:7:21: llm.providers.ollama.additional_servers.0.priority: must be PRIMARY, SECONDARY or FALLBACK (got "PRIMRY")',
    )
    expect(
      formatConfigIssue('/etc/c.yaml', {
        key: 'env.AILLM_API_PORT',
        line: null,
        column: null,
        message: 'm',
      }),
    ).toBe('/etc/c.yaml: env.AILLM_API_PORT: m')
  })
})

describe('parseConfig: YAML syntax errors carry YAML’s own location', () => {
  it.each([
    ['unclosed flow list', 'llm:\n  providers: [a\napi: {}\n', 3, 1],
    ['duplicate key', 'api:\n  port: 1\n  port: 2\n', 3, 3],
    ['tab indentation', 'api:\n\tport: 1\n', 2, 1],
  ])('%s → line %s, column %s', (_name, text, line, column) => {
    const { config, issues } = parseConfig(text, 'config.yaml')
    expect(config).toBeNull()
    expect(issues[0]).toMatchObject({ key: '', line, column })
    expect(issues[0]!.message).toMatch(/^YAML syntax error: /)
  })
})

describe('docs/config.example.yaml', () => {
  const docText = readFileSync(
    new URL('../../../../docs/config.example.yaml', import.meta.url),
    'utf8',
  )

  it('parses with no issues and yields exactly the defaults', () => {
    expect(parseConfig(docText, 'config.example.yaml')).toEqual({
      config: DEFAULT_CONFIG,
      issues: [],
    })
  })

  it('is the same text the writer starts fresh files from', () => {
    expect(CONFIG_EXAMPLE_YAML).toBe(docText)
  })

  it('has a comment on every key and uses only loopback addresses as values', () => {
    const lines = docText.split('\n')
    lines.forEach((line, i) => {
      const keyMatch = /^(\s*)(?:- )?([a-z_]+):/.exec(line)
      if (keyMatch === null) return
      const commentAbove = /^\s*#/.test(lines[i - 1] ?? '')
      const commentInline = /\s#\s/.test(line)
      expect(commentAbove || commentInline, `key on line ${i + 1}: ${line}`).toBe(true)
    })
    for (const line of lines.filter((l) => !/^\s*#/.test(l))) {
      const value = line.replace(/\s#.*$/, '')
      expect(value, line).not.toMatch(/\.local\b|192\.168\./)
    }
  })
})

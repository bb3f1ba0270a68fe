/**
 * The config schema through real YAML (issue 11, config/): the value each key takes — defaults, bounds,
 * spellings, url forms — and, for what is refused, the key and the message saying what is allowed. The
 * expected values are the documented ones (docs/config.example.yaml, product.md), written out here.
 */
import { describe, expect, it } from 'vitest'
import { listOr } from '../../../../electron/core/config/config-schema'
import { parseConfig } from '../../../../electron/core/config/parse-config'
import type { AillmConfig } from '../../../../shared/types'

const wrap = (body: string) => `llm:\n  providers:\n    ollama:\n${body}`
const O = 'llm.providers.ollama'

function accept(text: string): AillmConfig {
  const { config, issues } = parseConfig(text, 'config.yaml')
  expect(issues).toEqual([])
  if (config === null) throw new Error('expected a config')
  return config
}
const ollama = (body: string) => accept(wrap(body)).llm.providers.ollama

/** The one issue of a refused text: its key and message. */
function refuse(text: string): { key: string; message: string } {
  const { config, issues } = parseConfig(text, 'config.yaml')
  expect(config).toBeNull()
  expect(issues).toHaveLength(1)
  return { key: issues[0]!.key, message: issues[0]!.message }
}

describe('defaults: an empty file is the documented config', () => {
  it('every key of docs/config.example.yaml, value by value', () => {
    expect(accept('')).toStrictEqual({
      llm: {
        providers: {
          ollama: {
            enabled: true,
            base_url: null,
            fallback_urls: [],
            additional_servers: [
              { name: 'localhost', url: 'http://localhost:11434', priority: 'PRIMARY' },
            ],
            distributed_mode: true,
            auto_discover: false,
            trust_discovered: false,
            trusted_servers: [],
            advertise: false,
            background_loads: true,
            allow_cloud_models: false,
            mdns: { enabled: true, interface: null },
            timeouts: {
              connect_ms: 1500,
              probe_ms: 2500,
              first_token_ms: 15000,
              cold_first_token_ms: 90000,
              stall_ms: 30000,
              side_probe_ms: 1500,
              wedge_margin_ms: 4000,
            },
            health_check_interval_s: 15,
            task_models: {},
            tier_rules: [],
          },
        },
      },
      api: { host: '127.0.0.1', port: 8000, token: null, allowed_origins: [] },
    })
  })

  it('an empty mapping at each level fills the same defaults below it', () => {
    const o = ollama('      mdns: {}\n      timeouts: {}\n      task_models: {}\n')
    expect(o.mdns).toStrictEqual({ enabled: true, interface: null })
    expect(o.timeouts).toStrictEqual({
      connect_ms: 1500,
      probe_ms: 2500,
      first_token_ms: 15000,
      cold_first_token_ms: 90000,
      stall_ms: 30000,
      side_probe_ms: 1500,
      wedge_margin_ms: 4000,
    })
    expect(o.task_models).toStrictEqual({})
    expect(accept('api: {}\n').api).toStrictEqual({
      host: '127.0.0.1',
      port: 8000,
      token: null,
      allowed_origins: [],
    })
  })

  it('every boolean can be turned the other way', () => {
    const o = ollama(
      '      enabled: false\n      distributed_mode: false\n      auto_discover: true\n' +
        '      trust_discovered: true\n      advertise: true\n      background_loads: false\n' +
        '      mdns:\n        enabled: false\n',
    )
    expect([
      o.enabled,
      o.distributed_mode,
      o.auto_discover,
      o.trust_discovered,
      o.advertise,
      o.background_loads,
      o.mdns.enabled,
    ]).toEqual([false, false, true, true, true, false, false])
  })

  it('the file that names only base_url gets no implicit localhost, and keeps its own servers', () => {
    expect(ollama('      base_url: gpu-box\n').additional_servers).toStrictEqual([])
    expect(
      ollama(
        '      base_url: gpu-box\n      additional_servers:\n        - name: b\n          url: b\n',
      ).additional_servers,
    ).toStrictEqual([{ name: 'b', url: 'http://b:11434', priority: 'PRIMARY' }])
  })

  it('keys written with no value read as empty lists', () => {
    const o = ollama('      fallback_urls:\n      trusted_servers:\n      tier_rules:\n')
    expect([o.fallback_urls, o.trusted_servers, o.tier_rules]).toStrictEqual([[], [], []])
    expect(ollama('      task_models:\n        code:\n').task_models).toStrictEqual({ code: [] })
  })
})

describe('timeouts and the health-check interval: bounds', () => {
  it.each([
    ['1', 1],
    ['2147483647', 2_147_483_647],
  ])('connect_ms: %s is accepted', (text, value) => {
    expect(ollama(`      timeouts:\n        connect_ms: ${text}\n`).timeouts.connect_ms).toBe(value)
  })

  it.each([
    ['0', 'must be a whole number greater than 0 (got 0)'],
    ['1.5', 'must be a whole number greater than 0 (got 1.5)'],
    // A quoted number is a string: not a number at all, however large.
    ['"3000000000"', 'must be a whole number greater than 0 (got "3000000000")'],
    ['"1500"', 'must be a whole number greater than 0 (got "1500")'],
    [
      '.inf',
      'must be at most 2147483647 ms (about 24.8 days); a longer timer would fire at once (got Infinity)',
    ],
  ])('connect_ms: %s is refused: %s', (text, message) => {
    expect(refuse(wrap(`      timeouts:\n        connect_ms: ${text}\n`))).toEqual({
      key: `${O}.timeouts.connect_ms`,
      message,
    })
  })

  it.each(['probe_ms', 'first_token_ms', 'cold_first_token_ms', 'stall_ms'])(
    '%s takes its own value and has the same bounds',
    (key) => {
      expect(
        (
          ollama(`      timeouts:\n        ${key}: 7\n`).timeouts as unknown as Record<
            string,
            number
          >
        )[key],
      ).toBe(7)
      expect(refuse(wrap(`      timeouts:\n        ${key}: 0\n`))).toEqual({
        key: `${O}.timeouts.${key}`,
        message: 'must be a whole number greater than 0 (got 0)',
      })
    },
  )

  it.each([
    ['0.5', 0.5],
    ['86400', 86_400],
    ['1', 1],
  ])('health_check_interval_s: %s is accepted (fractions too)', (text, value) => {
    expect(ollama(`      health_check_interval_s: ${text}\n`).health_check_interval_s).toBe(value)
  })

  it.each([
    ['86401', 'must be at most 86400 seconds (one day) (got 86401)'],
    ['.inf', 'must be at most 86400 seconds (one day) (got Infinity)'],
    ['-1', 'must be a number greater than 0 (got -1)'],
    ['.nan', 'must be a number greater than 0 (got NaN)'],
    ['"100000"', 'must be a number greater than 0 (got "100000")'],
    ['"15"', 'must be a number greater than 0 (got "15")'],
  ])('health_check_interval_s: %s is refused: %s', (text, message) => {
    expect(refuse(wrap(`      health_check_interval_s: ${text}\n`))).toEqual({
      key: `${O}.health_check_interval_s`,
      message,
    })
  })
})

describe('api: host, port and token', () => {
  it.each([
    ['1', 1],
    ['65535', 65535],
  ])('port %s is accepted', (text, value) => {
    expect(accept(`api:\n  port: ${text}\n`).api.port).toBe(value)
  })

  it.each(['0', '65536', '80.5', '"8000"'])('port %s is refused', (text) => {
    expect(refuse(`api:\n  port: ${text}\n`)).toEqual({
      key: 'api.port',
      message: `must be a port number from 1 to 65535 (got ${text})`,
    })
  })

  it.each([
    ['"  127.0.0.1  "', '127.0.0.1'],
    ['localhost', 'localhost'],
    ['"::1"', '::1'],
  ])('loopback host %s is accepted without a token as %j', (text, host) => {
    expect(accept(`api:\n  host: ${text}\n`).api).toStrictEqual({
      host,
      port: 8000,
      token: null,
      allowed_origins: [],
    })
  })

  it.each(['""', '"   "', '"http://127.0.0.1"', '"127.0.0.1/api"', '"local host"', '8000'])(
    'host %s is refused: no scheme, no path, no spaces',
    (text) => {
      expect(refuse(`api:\n  host: ${text}\n`)).toEqual({
        key: 'api.host',
        message: `must be a host name or IP address to listen on (no scheme, no path) (got ${text})`,
      })
    },
  )

  it('a token is trimmed, and a LAN host with it is accepted', () => {
    expect(accept('api:\n  host: 192.168.1.10\n  token: "  s3cret "\n').api).toStrictEqual({
      host: '192.168.1.10',
      port: 8000,
      token: 's3cret',
      allowed_origins: [],
    })
  })

  it('a LAN host without a token is refused on api.host, saying why', () => {
    expect(refuse('api:\n  host: 192.168.1.10\n')).toEqual({
      key: 'api.host',
      message:
        'is not a loopback address, so api.token is required (anyone on the network could use the API otherwise) (got "192.168.1.10")',
    })
    expect(refuse('api:\n  host: 192.168.1.10\n  token: null\n').key).toBe('api.host')
  })

  it('allowed_origins defaults to none, and keeps exact origins and one-* patterns (trimmed)', () => {
    expect(accept('api: {}\n').api.allowed_origins).toEqual([])
    expect(
      accept('api:\n  allowed_origins: ["https://chat.example", " chrome-extension://* ", "*"]\n')
        .api.allowed_origins,
    ).toEqual(['https://chat.example', 'chrome-extension://*', '*'])
  })

  it.each([
    ['"https://*.example:*"', 'api.allowed_origins.0', 'may contain only one * (as in Ollama)'],
    [
      '"example.com"',
      'api.allowed_origins.0',
      'must be an origin such as "https://example.com", "chrome-extension://*" or "*"',
    ],
    [
      '"http://localhost:3000/"',
      'api.allowed_origins.0',
      'must be an origin without a path (drop everything from the "/")',
    ],
    [
      '"null"',
      'api.allowed_origins.0',
      'must not be "null": every sandboxed iframe and data: page sends that origin',
    ],
  ])('allowed_origins entry %s is refused, naming it', (entry, key, message) => {
    expect(refuse(`api:\n  allowed_origins: [${entry}]\n`)).toEqual({
      key,
      message: `${message} (got ${entry})`,
    })
  })

  it('allowed_origins must be a list', () => {
    expect(refuse('api:\n  allowed_origins: 3\n').key).toBe('api.allowed_origins')
  })

  it.each(['""', '"  "', '42'])('token %s is refused: it must be a non-empty string', (text) => {
    expect(refuse(`api:\n  token: ${text}\n`)).toEqual({
      key: 'api.token',
      message: `must be a non-empty string (got ${text})`,
    })
  })
})

describe('servers: names, url forms and priority names', () => {
  const server = (fields: string) => wrap(`      additional_servers:\n        - ${fields}\n`)
  const one = (fields: string) => ollama(`      additional_servers:\n        - ${fields}\n`)

  it.each([
    ['localhost', 'http://localhost:11434'],
    ['gpu:8080', 'http://gpu:8080'],
    ['http://gpu', 'http://gpu:80'],
    ['https://gpu', 'https://gpu:443'],
    ['"[::1]"', 'http://[::1]:11434'],
    ['"::1"', 'http://[::1]:11434'],
    ['http://gpu:11434/', 'http://gpu:11434'],
  ])('url %s is read as %s', (text, url) => {
    expect(one(`{ name: a, url: ${text} }`).additional_servers[0]!.url).toBe(url)
  })

  it.each([
    ['42', 'must be host, host:port or http(s)://host[:port] (a string) (got 42)'],
    ['null', 'must be host, host:port or http(s)://host[:port] (a string) (got null)'],
    [
      'ftp://gpu',
      'must be host, host:port or http(s)://host[:port]: scheme "ftp" is not http or https (got "ftp://gpu")',
    ],
    ['""', 'must be host, host:port or http(s)://host[:port]: empty (got "")'],
  ])('url %s is refused: %s', (text, message) => {
    expect(refuse(server(`{ name: a, url: ${text} }`))).toEqual({
      key: `${O}.additional_servers.0.url`,
      message,
    })
  })

  it.each([
    ['PRIMARY', 'PRIMARY'],
    ['Secondary', 'SECONDARY'],
    ['fallback', 'FALLBACK'],
    ['" FALLBACK "', 'FALLBACK'],
  ])('priority %s is read as %s', (text, priority) => {
    expect(one(`{ name: a, url: a, priority: ${text} }`).additional_servers[0]!.priority).toBe(
      priority,
    )
  })

  it.each(['"BACKUP"', '1', 'null', '""'])('priority %s is refused, listing the three', (text) => {
    expect(refuse(server(`{ name: a, url: a, priority: ${text} }`))).toEqual({
      key: `${O}.additional_servers.0.priority`,
      message: `must be PRIMARY, SECONDARY or FALLBACK (got ${text})`,
    })
  })

  it('a name is trimmed; a blank or missing one is refused', () => {
    expect(one('{ name: " gpu ", url: a }').additional_servers[0]!.name).toBe('gpu')
    expect(refuse(server('{ name: "   ", url: a }'))).toEqual({
      key: `${O}.additional_servers.0.name`,
      message: 'must be a non-empty string (got "   ")',
    })
    expect(refuse(server('{ url: a }'))).toEqual({
      key: `${O}.additional_servers.0.name`,
      message: 'must be a non-empty string',
    })
  })

  it('additional_servers must be a list of servers, each a mapping', () => {
    expect(refuse(wrap('      additional_servers: gpu\n'))).toEqual({
      key: `${O}.additional_servers`,
      message: 'must be a list of servers (name, url, priority) (got "gpu")',
    })
    expect(refuse(wrap('      additional_servers:\n        - gpu\n'))).toEqual({
      key: `${O}.additional_servers.0`,
      message: 'must be a mapping of keys (name, url, priority) (got "gpu")',
    })
  })

  it('"primary" is free without base_url, and taken (in any case) with it', () => {
    expect(one('{ name: primary, url: a }').additional_servers[0]!.name).toBe('primary')
    expect(
      refuse(
        wrap(
          '      base_url: gpu\n      additional_servers:\n        - { name: Primary, url: a }\n',
        ),
      ),
    ).toEqual({
      key: `${O}.additional_servers.0.name`,
      message: 'must not be "primary": that name belongs to base_url (got "Primary")',
    })
  })

  it('distinct names are fine; a repeat is refused at its second place only', () => {
    const o = ollama(
      '      additional_servers:\n        - { name: a, url: a }\n        - { name: b, url: b }\n',
    )
    expect(o.additional_servers.map((s) => s.name)).toEqual(['a', 'b'])
    const { issues } = parseConfig(
      wrap(
        '      additional_servers:\n        - { name: a, url: a }\n        - { name: b, url: b }\n        - { name: A, url: c }\n',
      ),
      'config.yaml',
    )
    expect(issues.map((i) => [i.key, i.message])).toEqual([
      [`${O}.additional_servers.2.name`, 'must be unique among additional_servers (got "A")'],
    ])
  })

  it('base_url and fallback_urls take the same url forms', () => {
    const o = ollama(
      '      base_url: https://gpu\n      fallback_urls: [gpu.local, "http://10.0.0.2:1"]\n',
    )
    expect(o.base_url).toBe('https://gpu:443')
    expect(o.fallback_urls).toStrictEqual(['http://gpu.local:11434', 'http://10.0.0.2:1'])
    expect(refuse(wrap('      fallback_urls: [5]\n'))).toEqual({
      key: `${O}.fallback_urls.0`,
      message: 'must be host, host:port or http(s)://host[:port] (a string) (got 5)',
    })
  })
})

describe('tier_rules and task_models', () => {
  it('a rule keeps only the keys it gives, tiers and specialisations in any case', () => {
    const o = ollama(
      "      tier_rules:\n        - { match: '^a', tier: FAST }\n        - { match: '^b', tier: powerful }\n" +
        "        - { match: '^c', specialisations: [Vision, embedding, REASONING, code] }\n" +
        "        - { match: '^d' }\n",
    )
    expect(o.tier_rules).toStrictEqual([
      { match: '^a', tier: 'fast' },
      { match: '^b', tier: 'powerful' },
      { match: '^c', specialisations: ['vision', 'embedding', 'reasoning', 'code'] },
      { match: '^d' },
    ])
  })

  it.each([
    [
      "{ match: '^a', tier: huge }",
      'tier_rules.0.tier',
      'must be fast, balanced or powerful (got "huge")',
    ],
    [
      "{ match: '^a', specialisations: [chat] }",
      'tier_rules.0.specialisations.0',
      'must be code, reasoning, vision or embedding (got "chat")',
    ],
    [
      "{ match: '^a', specialisations: code }",
      'tier_rules.0.specialisations',
      'must be a list of code, reasoning, vision or embedding (got "code")',
    ],
    [
      "{ match: '' }",
      'tier_rules.0.match',
      'must be a regular expression (a non-empty string) (got "")',
    ],
    [
      '{ match: 5 }',
      'tier_rules.0.match',
      'must be a regular expression (a non-empty string) (got 5)',
    ],
    ['{ tier: fast }', 'tier_rules.0.match', 'must be a regular expression (a non-empty string)'],
    [
      "{ match: '(a' }",
      'tier_rules.0.match',
      'must be a valid regular expression (/(a/i: Unterminated group) (got "(a")',
    ],
  ])('rule %s is refused at %s', (rule, key, message) => {
    expect(refuse(wrap(`      tier_rules:\n        - ${rule}\n`))).toEqual({
      key: `${O}.${key}`,
      message,
    })
  })

  it('tier_rules must be a list', () => {
    expect(refuse(wrap('      tier_rules: fast\n'))).toEqual({
      key: `${O}.tier_rules`,
      message: 'must be a list of tier rules (match, tier, specialisations) (got "fast")',
    })
  })

  it('task_models keeps only the task types it names, models trimmed and in order', () => {
    expect(
      ollama('      task_models:\n        greeting: [" gemma3:1b "]\n        writing: [a, b]\n')
        .task_models,
    ).toStrictEqual({ greeting: ['gemma3:1b'], writing: ['a', 'b'] })
    expect(
      Object.keys(
        ollama(
          '      task_models:\n        greeting: [a]\n        chat: [a]\n        explanation: [a]\n' +
            '        code: [a]\n        reasoning: [a]\n        writing: [a]\n',
        ).task_models,
      ),
    ).toEqual(['greeting', 'chat', 'explanation', 'code', 'reasoning', 'writing'])
  })

  it.each([
    ['code: qwen', 'task_models.code', 'must be a list of model tags (got "qwen")'],
    ['code: [""]', 'task_models.code.0', 'must be a non-empty string (got "")'],
  ])('task_models %s is refused at %s', (entry, key, message) => {
    expect(refuse(wrap(`      task_models:\n        ${entry}\n`))).toEqual({
      key: `${O}.${key}`,
      message,
    })
  })
})

describe('mdns and trusted_servers', () => {
  it('interface takes an IPv4 address, trimmed, or null', () => {
    expect(ollama('      mdns:\n        interface: " 10.0.0.7 "\n').mdns.interface).toBe('10.0.0.7')
    expect(ollama('      mdns:\n        interface: null\n').mdns.interface).toBeNull()
  })

  it.each(['"::1"', '"10.0.0"', '7'])('interface %s is refused', (text) => {
    expect(refuse(wrap(`      mdns:\n        interface: ${text}\n`))).toEqual({
      key: `${O}.mdns.interface`,
      message: `must be an IPv4 address of a local interface, or null (got ${text})`,
    })
  })

  it('trusted_servers is a list of names, trimmed', () => {
    expect(
      ollama('      trusted_servers: [" gpu._ollama._tcp.local "]\n').trusted_servers,
    ).toStrictEqual(['gpu._ollama._tcp.local'])
    expect(refuse(wrap('      trusted_servers: gpu\n'))).toEqual({
      key: `${O}.trusted_servers`,
      message: 'must be a list of mDNS service names (got "gpu")',
    })
  })
})

describe('mappings', () => {
  it.each([
    ['llm: 5\n', 'llm', 'must be a mapping of keys (providers) (got 5)'],
    [
      'api: [1]\n',
      'api',
      'must be a mapping of keys (host, port, token, allowed_origins) (got a list)',
    ],
    [
      wrap('      mdns: on\n'),
      `${O}.mdns`,
      'must be a mapping of keys (enabled, interface) (got "on")',
    ],
    [
      wrap('      timeouts: 5\n'),
      `${O}.timeouts`,
      'must be a mapping of keys (connect_ms, probe_ms, first_token_ms, cold_first_token_ms, stall_ms, side_probe_ms, wedge_margin_ms) (got 5)',
    ],
  ])('%j is refused at %s', (text, key, message) => {
    expect(refuse(text)).toEqual({ key, message })
  })

  it('an unknown key lists the allowed ones of its own mapping', () => {
    expect(refuse('api:\n  tokn: x\n')).toEqual({
      key: 'api.tokn',
      message: 'unknown key "tokn" (allowed keys: host, port, token, allowed_origins)',
    })
    expect(refuse(wrap('      mdns:\n        iface: eth0\n'))).toEqual({
      key: `${O}.mdns.iface`,
      message: 'unknown key "iface" (allowed keys: enabled, interface)',
    })
  })
})

describe('listOr: the human list in the messages', () => {
  it.each([
    [[], ''],
    [['a'], 'a'],
    [['a', 'b'], 'a or b'],
    [['a', 'b', 'c'], 'a, b or c'],
  ])('%j → %j', (values, text) => {
    expect(listOr(values)).toBe(text)
  })
})

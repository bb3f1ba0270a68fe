import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ConfigError } from '../../../../electron/core/config/config-issues'
import { defaultConfigPath, resolveConfigPath } from '../../../../electron/core/config/config-paths'
import { DEFAULT_CONFIG } from '../../../../electron/core/config/config-schema'
import { loadConfig, loadConfigOrThrow } from '../../../../electron/core/config/load-config'

const dir = mkdtempSync(join(tmpdir(), 'aillm-load-config-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const file = (name: string, text: string): string => {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

describe('defaultConfigPath', () => {
  it.each([
    ['linux', {}, '/home/ann', '/home/ann/.config/aillm/config.yaml'],
    ['linux', { XDG_CONFIG_HOME: '/xdg' }, '/home/ann', '/xdg/aillm/config.yaml'],
    [
      'linux',
      { XDG_CONFIG_HOME: 'relative/xdg' },
      '/home/ann',
      '/home/ann/.config/aillm/config.yaml',
    ],
    ['freebsd', {}, '/home/ann', '/home/ann/.config/aillm/config.yaml'],
    ['darwin', {}, '/Users/ann', '/Users/ann/Library/Application Support/AILLM/config.yaml'],
    [
      'darwin',
      { XDG_CONFIG_HOME: '/xdg' },
      '/Users/ann',
      '/Users/ann/Library/Application Support/AILLM/config.yaml',
    ],
    [
      'win32',
      { APPDATA: 'C:\\Users\\Ann\\AppData\\Roaming' },
      'C:\\Users\\Ann',
      'C:\\Users\\Ann\\AppData\\Roaming\\AILLM\\config.yaml',
    ],
    ['win32', {}, 'C:\\Users\\Ann', 'C:\\Users\\Ann\\AppData\\Roaming\\AILLM\\config.yaml'],
  ] as const)('%s %j → %s', (platform, env, home, expected) => {
    expect(defaultConfigPath(platform, env, home)).toBe(expected)
  })
})

describe('resolveConfigPath: --config beats AILLM_CONFIG beats the default', () => {
  const base = { platform: 'linux' as const, homedir: '/home/ann' }
  it.each([
    [{ cliPath: '/cli.yaml', env: { AILLM_CONFIG: '/env.yaml' } }, '/cli.yaml'],
    [{ env: { AILLM_CONFIG: '/env.yaml' } }, '/env.yaml'],
    [{ cliPath: '', env: { AILLM_CONFIG: '/env.yaml' } }, '/env.yaml'],
    [{ env: { AILLM_CONFIG: '  ' } }, '/home/ann/.config/aillm/config.yaml'],
    [{ env: {} }, '/home/ann/.config/aillm/config.yaml'],
    [{ cliPath: 'rel/config.yaml', env: {} }, resolve('rel/config.yaml')],
  ])('%j → %s', (opts, expected) => {
    expect(resolveConfigPath({ ...base, ...opts })).toBe(expected)
  })
})

describe('loadConfig', () => {
  it('a missing file is not an error: defaults, text ""', () => {
    const result = loadConfig({ path: join(dir, 'nope', 'config.yaml'), env: {} })
    expect(result).toMatchObject({ text: '', exists: false, issues: [] })
    expect(result.config).toEqual(DEFAULT_CONFIG)
  })

  it('uses AILLM_CONFIG when no path is given', () => {
    const path = file('from-env.yaml', 'api:\n  port: 8123\n')
    const result = loadConfig({ env: { AILLM_CONFIG: path } })
    expect(result.path).toBe(path)
    expect(result.config?.api.port).toBe(8123)
  })

  it('a folder where the file should be is reported, not thrown', () => {
    const result = loadConfig({ path: dir, env: {} })
    expect(result.config).toBeNull()
    expect(result.issues[0]?.message).toMatch(/^cannot read the file: EISDIR/)
  })

  it('loadConfigOrThrow throws a ConfigError with every issue', () => {
    const path = file('bad.yaml', 'api:\n  port: 0\n  hots: x\n')
    let caught: unknown
    try {
      loadConfigOrThrow({ path, env: {} })
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(ConfigError)
    const err = caught as ConfigError
    expect(err.path).toBe(path)
    expect(err.issues.map((i) => i.key)).toEqual(['api.port', 'api.hots'])
    expect(err.message).toContain(
      `${path}:2:9: api.port: must be a port number from 1 to 65535 (got 0)`,
    )
  })
})

describe('loadConfig: environment overrides sit between the file and validation', () => {
  const fileText = 'api:\n  host: 127.0.0.1\n  port: 8000\n'
  it.each([
    {
      name: 'port',
      env: { AILLM_API_PORT: '9100' },
      api: { host: '127.0.0.1', port: 9100, token: null, allowed_origins: [] },
    },
    {
      name: 'host with token',
      env: { AILLM_API_HOST: '0.0.0.0', AILLM_API_TOKEN: 't' },
      api: { host: '0.0.0.0', port: 8000, token: 't', allowed_origins: [] },
    },
    {
      name: 'empty variables count as unset',
      env: { AILLM_API_PORT: '', AILLM_API_HOST: '' },
      api: { host: '127.0.0.1', port: 8000, token: null, allowed_origins: [] },
    },
  ])('$name', ({ env, api }) => {
    const result = loadConfig({ path: file('env-ok.yaml', fileText), env })
    expect(result.issues).toEqual([])
    expect(result.config?.api).toEqual(api)
  })

  it('the file itself is unchanged by the environment when env is empty', () => {
    expect(loadConfig({ path: file('env-none.yaml', fileText), env: {} }).config?.api.port).toBe(
      8000,
    )
  })

  it.each([
    {
      name: 'not a number',
      env: { AILLM_API_PORT: 'eighty' },
      key: 'env.AILLM_API_PORT',
      message: 'must be a port number from 1 to 65535 (got "eighty")',
    },
    {
      name: 'out of range',
      env: { AILLM_API_PORT: '70000' },
      key: 'env.AILLM_API_PORT',
      message: 'must be a port number from 1 to 65535 (got 70000)',
    },
    {
      name: 'non-loopback host, no token',
      env: { AILLM_API_HOST: '0.0.0.0' },
      key: 'env.AILLM_API_HOST',
      message: /api\.token is required/,
    },
  ])('env problem: $name → key $key, no line', ({ env, key, message }) => {
    const result = loadConfig({ path: file('env-bad.yaml', fileText), env })
    expect(result.config).toBeNull()
    expect(result.issues).toHaveLength(1)
    expect(result.issues[0]).toMatchObject({ key, line: null, column: null })
    if (typeof message === 'string') expect(result.issues[0]?.message).toBe(message)
    else expect(result.issues[0]?.message).toMatch(message)
  })

  it('AILLM_ORIGINS: comma-separated patterns, trimmed, empty entries skipped, replacing the file’s', () => {
    const path = file('env-origins.yaml', 'api:\n  allowed_origins: ["https://file.example"]\n')
    const env = { AILLM_ORIGINS: ' https://chat.example , moz-extension://*,, ' }
    expect(loadConfig({ path, env }).config?.api.allowed_origins).toEqual([
      'https://chat.example',
      'moz-extension://*',
    ])
    expect(loadConfig({ path, env: { AILLM_ORIGINS: '' } }).config?.api.allowed_origins).toEqual([
      'https://file.example',
    ])
  })

  it.each([
    ['https://ok.example,https://a.example/path', '"https://a.example/path"', /without a path/],
    ['http://*.a.*', '"http://*.a.*"', /only one \*/],
    ['localhost:3000', '"localhost:3000"', /must be an origin such as/],
    ['null', '"null"', /must not be "null"/],
  ])('AILLM_ORIGINS=%s is refused, naming the variable and the entry', (value, entry, why) => {
    const result = loadConfig({
      path: file('env-origins-bad.yaml', fileText),
      env: { AILLM_ORIGINS: value },
    })
    expect(result.config).toBeNull()
    expect(result.issues).toHaveLength(1)
    expect(result.issues[0]).toMatchObject({ key: 'env.AILLM_ORIGINS', line: null, column: null })
    expect(result.issues[0]?.message).toContain(`entry ${entry}`)
    expect(result.issues[0]?.message).toMatch(why)
  })

  it('a token from the environment satisfies a non-loopback host from the file', () => {
    const path = file('env-token.yaml', 'api:\n  host: 0.0.0.0\n')
    expect(loadConfig({ path, env: {} }).issues[0]?.key).toBe('api.host')
    expect(loadConfig({ path, env: { AILLM_API_TOKEN: 'x' } }).config?.api).toEqual({
      host: '0.0.0.0',
      port: 8000,
      token: 'x',
      allowed_origins: [],
    })
  })
})

/**
 * Issue 13 point 4: what a config change while running means. An empty config.yaml (a save caught
 * half-way) keeps the last good config; `api.host`/`api.port` changes are flagged as needing a restart
 * (view + log); a token removal that would leave a LAN-facing API open is refused with the reason.
 * Real files and the real watcher. The token applied live over HTTP: tests/integration/api/token-rotation.test.ts.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ConfigView } from '../../../shared/types'
import { DEFAULT_CONFIG } from '../../../electron/core/config/config-schema'
import { ConfigService, EMPTY_FILE_MESSAGE } from '../../../electron/core/config/config-service'
import { createMemoryLogger } from '../../../electron/core/logger'

const GOOD = `llm:
  providers:
    ollama:
      additional_servers:
        - name: gpu
          url: 127.0.0.2:11434
api:
  port: 8000
  token: first-token
`

let dir: string
let path: string
let logger: ReturnType<typeof createMemoryLogger>
const services: ConfigService[] = []

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aillm-config-live-'))
  path = join(dir, 'config.yaml')
  logger = createMemoryLogger()
})
afterEach(async () => {
  for (const s of services.splice(0)) s.dispose()
  await rm(dir, { recursive: true, force: true })
})

const start = (opts: { apiHost?: string } = {}) => {
  const service = new ConfigService({ path, logger, env: {}, debounceMs: 30, ...opts })
  services.push(service)
  service.watch()
  return service
}

/** Writes the file and waits for the reload it causes. */
async function edit(service: ConfigService, text: string): Promise<ConfigView> {
  const change = new Promise<ConfigView>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no config change within 5 s')), 5000)
    const stop = service.onDidChange((view) => {
      clearTimeout(timer)
      stop()
      resolve(view)
    })
  })
  await writeFile(path, text)
  return change
}

const lines = (level: string) =>
  logger.records.filter((r) => r.level === level).map((r) => r.message)
const servers = (view: ConfigView) =>
  view.config.llm.providers.ollama.additional_servers.map((s) => s.name)

describe('an empty config.yaml while running', () => {
  it('keeps the last good config, shows the issue and warns; a real edit then applies', async () => {
    await writeFile(path, GOOD)
    const service = start()
    const view = await edit(service, '')
    expect(servers(view)).toEqual(['gpu'])
    expect(view.config.api.token).toBe('first-token')
    expect(view.text).toBe('')
    expect(view.issues).toEqual([
      { key: '', line: null, column: null, message: EMPTY_FILE_MESSAGE },
    ])
    expect(lines('WARNING')).toContain(`${path}: ${EMPTY_FILE_MESSAGE}`)
    // Reading the same empty file again changes nothing (it is not taken as defaults the 2nd time).
    expect(service.reload()).toBe(false)
    expect(service.config.api.token).toBe('first-token')

    const fixed = await edit(service, GOOD.replace('gpu', 'gpu2'))
    expect(fixed.issues).toEqual([])
    expect(servers(fixed)).toEqual(['gpu2'])
  })

  it('whitespace only counts as empty; "{}" asks for the defaults on purpose', async () => {
    await writeFile(path, GOOD)
    const service = start()
    expect((await edit(service, '\n  \n')).issues.map((i) => i.message)).toEqual([
      EMPTY_FILE_MESSAGE,
    ])
    const defaults = await edit(service, '{}\n')
    expect(defaults.issues).toEqual([])
    expect(defaults.config).toEqual(DEFAULT_CONFIG)
  })

  it('an empty file at start is the defaults, as before (nothing good to keep)', async () => {
    await writeFile(path, '')
    const service = start()
    expect(service.view().issues).toEqual([])
    expect(service.config).toEqual(DEFAULT_CONFIG)
  })
})

describe('api.host / api.port need a restart', () => {
  it('a port change is in the view as restart-needed and in the log; going back clears it', async () => {
    await writeFile(path, GOOD)
    const service = start()
    expect(service.view().restartNeeded).toEqual([])
    const moved = await edit(service, GOOD.replace('port: 8000', 'port: 8001'))
    expect(moved.issues).toEqual([])
    expect(moved.config.api.port).toBe(8001)
    expect(moved.restartNeeded).toEqual([{ key: 'api.port', running: 8000, configured: 8001 }])
    expect(lines('WARNING')).toContain(
      `api.port changed to 8001 in ${path}: the local API keeps 8000 until AILLM is restarted`,
    )
    const both = await edit(
      service,
      GOOD.replace('port: 8000', 'port: 8001\n  host: 0.0.0.0').replace('gpu', 'gpu3'),
    )
    expect(both.restartNeeded).toEqual([
      { key: 'api.host', running: '127.0.0.1', configured: '0.0.0.0' },
      { key: 'api.port', running: 8000, configured: 8001 },
    ])
    // The port warning is not repeated for an unrelated edit; the host one is new.
    expect(lines('WARNING').filter((l) => l.startsWith('api.port changed'))).toHaveLength(1)
    expect(lines('WARNING').filter((l) => l.startsWith('api.host changed'))).toHaveLength(1)

    const back = await edit(service, GOOD)
    expect(back.restartNeeded).toEqual([])
    expect(lines('INFO')).toContain(
      'api.host and api.port are back to what the local API runs with: no restart needed',
    )
  })

  it('a port saved from the app (config:set) is flagged the same way', async () => {
    await writeFile(path, GOOD)
    const service = start()
    const result = await service.updateConfig((c) => {
      c.api.port = 9000
    })
    expect(result.ok && result.view.restartNeeded).toEqual([
      { key: 'api.port', running: 8000, configured: 9000 },
    ])
  })
})

describe('the token', () => {
  it('a rotation is logged without the token itself', async () => {
    await writeFile(path, GOOD)
    const service = start()
    const view = await edit(service, GOOD.replace('first-token', 'second-token'))
    expect(view.config.api.token).toBe('second-token')
    expect(lines('INFO')).toContain(
      'api.token changed: the local API accepts only the new token from now on',
    )
    expect(logger.records.some((r) => r.message.includes('second-token'))).toBe(false)
  })

  it('removing it while the API listens beyond loopback (serve --host) is refused, with the reason', async () => {
    await writeFile(path, GOOD)
    const service = start({ apiHost: '0.0.0.0' })
    const view = await edit(service, GOOD.replace('  token: first-token\n', ''))
    expect(view.config.api.token).toBe('first-token')
    expect(view.issues).toHaveLength(1)
    expect(view.issues[0]).toMatchObject({ key: 'api.token', line: null })
    expect(view.issues[0]?.message).toMatch(
      /^cannot be removed while the local API listens on 0\.0\.0\.0 .*the old token stays in force/,
    )
    // The same from the app: refused, nothing written.
    const result = await service.updateConfig((c) => {
      c.api.token = null
    })
    expect(result.ok).toBe(false)
    expect(service.config.api.token).toBe('first-token')
  })

  it('removing it is fine while the API listens on loopback only', async () => {
    await writeFile(path, GOOD)
    const service = start()
    const view = await edit(service, GOOD.replace('  token: first-token\n', ''))
    expect(view.issues).toEqual([])
    expect(view.config.api.token).toBeNull()
    expect(lines('INFO')).toContain('api.token removed: the local API no longer asks for a token')
  })
})

describe('a huge config.yaml (a 200,000-entry list)', () => {
  const huge =
    'llm:\n  providers:\n    ollama:\n      trusted_servers:\n' +
    Array.from({ length: 200_000 }, (_, i) => `        - svc${i}\n`).join('')

  it('is refused before the YAML parser runs: no event-loop stall, the last good config stays', async () => {
    await writeFile(path, GOOD)
    const service = start()
    const t0 = performance.now()
    const view = await edit(service, huge)
    // Parsing it took 1.2-2.8 s here; refusing it takes the time of a file read.
    expect(performance.now() - t0).toBeLessThan(1000)
    expect(view.issues).toEqual([
      {
        key: '',
        line: null,
        column: null,
        message:
          'the file is 3,798 kB; a config may be at most 256 kB (is this the right file? a list this long belongs elsewhere)',
      },
    ])
    expect(servers(view)).toEqual(['gpu'])
    // Saving from the app is refused too, instead of replacing the file.
    const result = await service.updateConfig((c) => {
      c.llm.providers.ollama.advertise = true
    })
    expect(result.ok).toBe(false)
  })
})

describe('api.token under AILLM_API_TOKEN', () => {
  it('a token edited in the file while the variable is set is not in force, and the log says so', async () => {
    await writeFile(path, GOOD)
    const service = new ConfigService({
      path,
      logger,
      env: { AILLM_API_TOKEN: 'from-env' },
      debounceMs: 30,
    })
    services.push(service)
    service.watch()
    const view = await edit(service, GOOD.replace('first-token', 'second-token'))
    expect(view.config.api.token).toBe('from-env')
    expect(lines('WARNING')).toContain(
      `api.token changed in ${path}, but the AILLM_API_TOKEN environment variable is set and stays in force`,
    )
    expect(lines('INFO').some((l) => l.startsWith('api.token changed'))).toBe(false)
  })
})

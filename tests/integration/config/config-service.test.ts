import { mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ConfigView } from '../../../shared/types'
import { ConfigError } from '../../../electron/core/config/config-issues'
import { DEFAULT_CONFIG } from '../../../electron/core/config/config-schema'
import { ConfigService } from '../../../electron/core/config/config-service'
import { createMemoryLogger } from '../../../electron/core/logger'

const GOOD = `# hand-written
llm:
  providers:
    ollama:
      additional_servers:
        # the laptop itself
        - name: localhost
          url: http://127.0.0.1:11434
          priority: SECONDARY # second choice
        - name: gpu
          url: 127.0.0.2:11434
          priority: PRIMARY
# the local API
api:
  port: 8000
`
const BAD = GOOD.replace('priority: SECONDARY', 'priority: PRIMRY')
const FIXED = GOOD.replace('priority: SECONDARY', 'priority: FALLBACK')

let dir: string
let path: string
let logger: ReturnType<typeof createMemoryLogger>
const services: ConfigService[] = []

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aillm-config-service-'))
  path = join(dir, 'config.yaml')
  logger = createMemoryLogger()
})

afterEach(async () => {
  for (const s of services.splice(0)) s.dispose()
  await rm(dir, { recursive: true, force: true })
})

const start = (opts: { env?: NodeJS.ProcessEnv; watch?: boolean; file?: string } = {}) => {
  const service = new ConfigService({
    path: opts.file ?? path,
    logger,
    env: opts.env ?? {},
    debounceMs: 50,
  })
  services.push(service)
  if (opts.watch ?? true) service.watch()
  return service
}

/** The next onDidChange event (fails after 5 s, far above the 50 ms debounce). */
const nextChange = (service: ConfigService): Promise<ConfigView> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop()
      reject(new Error('no config change event within 5 s'))
    }, 5000)
    const stop = service.onDidChange((view) => {
      clearTimeout(timer)
      stop()
      resolve(view)
    })
  })

const priorities = (view: ConfigView) =>
  view.config.llm.providers.ollama.additional_servers.map((s) => s.priority)

const warnings = () => logger.records.filter((r) => r.level === 'WARNING').map((r) => r.message)

describe('ConfigService hot reload', () => {
  it('good → bad keeps the last good config and reports → fixed clears the issues', async () => {
    await writeFile(path, GOOD)
    const service = start()
    expect(priorities(service.view())).toEqual(['SECONDARY', 'PRIMARY'])
    expect(service.view().issues).toEqual([])

    let change = nextChange(service)
    await writeFile(path, BAD)
    let view = await change
    expect(priorities(view)).toEqual(['SECONDARY', 'PRIMARY'])
    expect(service.config).toBe(view.config)
    expect(view.text).toBe(BAD)
    expect(view.issues).toEqual([
      {
        key: 'llm.providers.ollama.additional_servers.0.priority',
        line: 9,
        column: 21,
        message: 'must be PRIMARY, SECONDARY or FALLBACK (got "PRIMRY")',
      },
    ])
    expect(warnings()).toContain(
      `${path}:9:21: llm.providers.ollama.additional_servers.0.priority: must be PRIMARY, SECONDARY or FALLBACK (got "PRIMRY")`,
    )

    change = nextChange(service)
    await writeFile(path, FIXED)
    view = await change
    expect(view.issues).toEqual([])
    expect(priorities(view)).toEqual(['FALLBACK', 'PRIMARY'])
    expect(service.view()).toEqual(view)
  })

  it('an editor that saves by rename-over still triggers a reload', async () => {
    await writeFile(path, GOOD)
    const service = start()
    const change = nextChange(service)
    const tmp = join(dir, 'config.yaml.swp')
    await writeFile(tmp, FIXED)
    await rename(tmp, path)
    expect(priorities(await change)).toEqual(['FALLBACK', 'PRIMARY'])
  })

  it('a file created after start is picked up; deleting it goes back to the defaults', async () => {
    const service = start()
    expect(service.view()).toEqual({
      path,
      text: '',
      config: DEFAULT_CONFIG,
      issues: [],
      restartNeeded: [],
    })
    let change = nextChange(service)
    await writeFile(path, GOOD)
    expect(priorities(await change)).toEqual(['SECONDARY', 'PRIMARY'])
    change = nextChange(service)
    await rm(path)
    expect((await change).config).toEqual(DEFAULT_CONFIG)
  })

  it('a file that is bad from the start: defaults in force, issues shown, warning logged', () => {
    return writeFile(path, BAD).then(() => {
      const service = start({ watch: false })
      expect(service.config).toEqual(DEFAULT_CONFIG)
      expect(service.view().issues).toHaveLength(1)
      expect(warnings().some((w) => w.startsWith(`${path}:9:21:`))).toBe(true)
    })
  })

  it('failOnInvalid throws a ConfigError at start', async () => {
    await writeFile(path, BAD)
    expect(() => new ConfigService({ path, logger, env: {}, failOnInvalid: true })).toThrow(
      ConfigError,
    )
  })
})

describe('ConfigService.write', () => {
  it('keeps comments, changes the value, is atomic, and is not seen as an external edit', async () => {
    await writeFile(path, GOOD)
    const service = start()
    const events: ConfigView[] = []
    service.onDidChange((v) => events.push(v))

    const result = await service.updateConfig((c) => {
      c.llm.providers.ollama.additional_servers[0]!.priority = 'FALLBACK'
    })
    expect(result.ok).toBe(true)
    const text = await readFile(path, 'utf8')
    for (const comment of [
      '# hand-written',
      '# the laptop itself',
      '# second choice',
      '# the local API',
    ]) {
      expect(text).toContain(comment)
    }
    expect(text).toContain('priority: FALLBACK # second choice')
    expect(text).not.toContain('SECONDARY')
    // An unchanged value keeps its spelling: no default or normalised form is written.
    expect(text).toContain('url: 127.0.0.2:11434')
    expect(await readdir(dir)).toEqual(['config.yaml'])

    // Give the watcher time to see our own write; it must not report or fire again.
    await new Promise((r) => setTimeout(r, 300))
    expect(events).toHaveLength(1)
    expect(events[0]!.issues).toEqual([])
    expect(priorities(events[0]!)).toEqual(['FALLBACK', 'PRIMARY'])
    expect(service.view().text).toBe(text)
    expect(warnings()).toEqual([])
  })

  it.each([
    {
      name: 'a bad priority',
      change: (c: typeof DEFAULT_CONFIG) => {
        Object.assign(c.llm.providers.ollama.additional_servers[0]!, { priority: 'PRIMRY' })
      },
      key: 'llm.providers.ollama.additional_servers.0.priority',
    },
    {
      name: 'a public API host without a token',
      change: (c: typeof DEFAULT_CONFIG) => {
        c.api.host = '0.0.0.0'
      },
      key: 'api.host',
    },
    {
      name: 'an unknown key',
      change: (c: typeof DEFAULT_CONFIG) => {
        Object.assign(c.api, { hots: 'x' })
      },
      key: 'api.hots',
    },
  ])('refuses $name and leaves the file untouched', async ({ change, key }) => {
    await writeFile(path, GOOD)
    const before = await stat(path)
    const service = start({ watch: false })
    const result = await service.updateConfig(change)
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.issues.map((i) => [i.key, i.line])).toEqual([[key, null]])
    expect(await readFile(path, 'utf8')).toBe(GOOD)
    expect((await stat(path)).mtimeMs).toBe(before.mtimeMs)
    expect(await readdir(dir)).toEqual(['config.yaml'])
    expect(service.view().text).toBe(GOOD)
  })

  it('with no file yet: creates the folder and writes the commented example with the change', async () => {
    const nested = join(dir, 'new', 'aillm', 'config.yaml')
    const service = start({ file: nested, watch: false })
    const result = await service.updateConfig((c) => {
      c.api.port = 8300
    })
    expect(result.ok).toBe(true)
    const text = await readFile(nested, 'utf8')
    expect(text).toContain('# Use Ollama at all. Default: true.')
    expect(text).toContain('  port: 8300')
    expect(result.ok && result.view.config.api.port).toBe(8300)
    expect(((await stat(nested)).mode & 0o777).toString(8)).toBe('600')
  })

  it('values from the environment are not copied into the file', async () => {
    await writeFile(path, GOOD)
    const service = start({ env: { AILLM_API_PORT: '9100' }, watch: false })
    expect(service.config.api.port).toBe(9100)
    const result = await service.updateConfig((c) => {
      c.llm.providers.ollama.auto_discover = true
    })
    expect(result.ok).toBe(true)
    const text = await readFile(path, 'utf8')
    expect(text).toContain('port: 8000')
    expect(text).toContain('auto_discover: true')
    expect(service.config.api.port).toBe(9100)
  })

  it('concurrent writes are applied one after the other', async () => {
    await writeFile(path, GOOD)
    const service = start({ watch: false })
    const [a, b] = await Promise.all([
      service.updateConfig((c) => {
        c.api.port = 8401
      }),
      service.updateConfig((c) => {
        c.llm.providers.ollama.advertise = true
      }),
    ])
    expect(a.ok && b.ok).toBe(true)
    expect(await readdir(dir)).toEqual(['config.yaml'])
    expect(service.config.llm.providers.ollama.advertise).toBe(true)
    expect(service.config.api.port).toBe(8401)
    const text = await readFile(path, 'utf8')
    expect(text).toContain('port: 8401')
    expect(text).toContain('advertise: true')
  })
})

describe('ConfigService never overwrites a file it has not read', () => {
  const fixFirst = expect.objectContaining({
    key: '',
    line: null,
    message: expect.stringMatching(/^config\.yaml has 1 problem\(s\); fix config\.yaml first/),
  })
  const typo = {
    key: 'llm.providers.ollama.additional_servers.0.priority',
    line: 9,
    column: 21,
    message: 'must be PRIMARY, SECONDARY or FALLBACK (got "PRIMRY")',
  }

  it.each([
    { name: 'bad from the start (defaults in force)', before: BAD },
    { name: 'made bad after start, not reloaded yet', before: GOOD },
  ])('a file with a typo is refused, not rewritten: $name', async ({ before }) => {
    await writeFile(path, before)
    const service = start({ watch: false })
    await writeFile(path, BAD)
    const mtime = (await stat(path)).mtimeMs
    for (const save of [
      () =>
        service.updateConfig((c) => {
          c.api.port = 8123
        }),
      () => service.write({ ...service.config, api: { ...service.config.api, port: 8123 } }),
    ]) {
      const result = await save()
      expect(result).toEqual({ ok: false, issues: [typo, fixFirst] })
      expect(await readFile(path, 'utf8')).toBe(BAD)
      expect((await stat(path)).mtimeMs).toBe(mtime)
    }
    // The service caught up with the file: it shows the typo too.
    expect(service.view().text).toBe(BAD)
    expect(service.view().issues).toEqual([typo])
  })

  it('an external edit not yet reloaded is kept by updateConfig and by write', async () => {
    await writeFile(path, GOOD)
    const service = start({ watch: false })
    const EDITED = GOOD.replace('port: 8000', 'port: 8000\n  token: secret')
    await writeFile(path, EDITED)

    const a = await service.updateConfig((c) => {
      c.llm.providers.ollama.advertise = true
    })
    expect(a.ok).toBe(true)
    expect(service.config.api.token).toBe('secret')
    expect(await readFile(path, 'utf8')).toContain('token: secret')

    // A whole config built from the view in force, then an external edit before it is saved: its
    // own change wins, the edit it never saw stays.
    const stale = structuredClone(service.config)
    await writeFile(path, (await readFile(path, 'utf8')).replace('PRIMARY', 'FALLBACK'))
    stale.llm.providers.ollama.auto_discover = true
    const b = await service.write(stale)
    expect(b.ok).toBe(true)
    const text = await readFile(path, 'utf8')
    expect(text).toContain('token: secret')
    expect(text).toContain('advertise: true')
    expect(text).toContain('auto_discover: true')
    expect(priorities(service.view())).toEqual(['SECONDARY', 'FALLBACK'])
    expect(text).toContain('# the laptop itself')
  })
})

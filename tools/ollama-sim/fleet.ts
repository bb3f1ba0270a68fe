import { readFileSync } from 'node:fs'
import { isNode, LineCounter, parseDocument } from 'yaml'
import { FaultError, parseFault } from './fault'
import { parseKeepAlive } from './keep-alive'
import { startSimServer } from './sim-server'
import type {
  Fleet,
  FleetOverrides,
  FleetServerSpec,
  FleetSpec,
  SimModelSpec,
  SimServer,
} from './types'

/** A fleet file that cannot be used; names the file, the key path and (when known) the line. */
export class FleetSpecError extends Error {
  constructor(
    readonly source: string,
    readonly path: string,
    readonly reason: string,
    readonly line: number | null = null,
  ) {
    super(`${source}${line === null ? '' : `:${line}`}: ${path}: ${reason}`)
    this.name = 'FleetSpecError'
  }
}

type Path = (string | number)[]

/** Renders a key path the way the messages show it: `servers[0].models[2].name`. */
function pathText(path: Path): string {
  return path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${key}` : key),
    '',
  )
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

const SERVER_KEYS = [
  'name',
  'host',
  'port',
  'models',
  'fault',
  'version',
  'loadMs',
  'diskMBps',
  'vramBytes',
  'maxLoadedModels',
  'numParallel',
  'contextLength',
  'keepAlive',
  'tokensPerSecond',
  'promptTokensPerSecond',
  'timeScale',
  'replyWords',
  'maxQueue',
] as const
const MODEL_KEYS = [
  'name',
  'family',
  'parameterSize',
  'quantization',
  'sizeBytes',
  'capabilities',
  'loadMs',
  'tokensPerSecond',
  'sizeVram',
  'contextLength',
  'promptTokensPerSecond',
  'remoteHost',
  'remoteModel',
] as const
const NUMBER_KEYS = new Set([
  'loadMs',
  'diskMBps',
  'vramBytes',
  'maxLoadedModels',
  'numParallel',
  'tokensPerSecond',
  'promptTokensPerSecond',
  'timeScale',
  'replyWords',
  'maxQueue',
  'sizeBytes',
  'sizeVram',
  'contextLength',
])
const STRING_KEYS = new Set([
  'name',
  'host',
  'version',
  'family',
  'parameterSize',
  'quantization',
  'remoteHost',
  'remoteModel',
])

/** Validates the keys of one object against the allowed ones and their types. */
function checkFields(
  obj: Record<string, unknown>,
  allowed: readonly string[],
  path: Path,
  fail: (path: Path, reason: string) => never,
): void {
  for (const [key, value] of Object.entries(obj)) {
    if (!allowed.includes(key)) fail([...path, key], `unknown key (allowed: ${allowed.join(', ')})`)
    if (
      NUMBER_KEYS.has(key) &&
      !(typeof value === 'number' && Number.isFinite(value) && value >= 0)
    ) {
      fail([...path, key], `expected a number >= 0, got ${JSON.stringify(value)}`)
    }
    if (STRING_KEYS.has(key) && (typeof value !== 'string' || value.trim() === '')) {
      fail([...path, key], `expected a non-empty string, got ${JSON.stringify(value)}`)
    }
  }
}

/**
 * Parses and validates a fleet file:
 * `servers: [{name, host, port, loadMs?, tokensPerSecond?, fault?, models: [name | {name, ...}]}]`.
 * Throws FleetSpecError naming the key (and line) that is wrong.
 */
export function parseFleetSpec(text: string, source = 'fleet'): FleetSpec {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter })
  if (doc.errors.length > 0) {
    const first = doc.errors[0]
    const line = first?.linePos?.[0]?.line ?? null
    throw new FleetSpecError(
      source,
      '(yaml)',
      first?.message.split('\n')[0] ?? 'invalid YAML',
      line,
    )
  }
  const fail = (path: Path, reason: string): never => {
    const node = path.length > 0 ? doc.getIn(path, true) : doc.contents
    const start = isNode(node) ? node.range?.[0] : undefined
    const line = start === undefined ? null : lineCounter.linePos(start).line
    throw new FleetSpecError(source, pathText(path) || '(root)', reason, line)
  }
  const root: unknown = doc.toJS()
  if (!isRecord(root)) return fail([], 'expected a mapping with a `servers` list')
  for (const key of Object.keys(root)) {
    if (key !== 'servers') fail([key], 'unknown key (allowed: servers)')
  }
  const servers = root['servers']
  if (!Array.isArray(servers) || servers.length === 0) {
    return fail(['servers'], 'expected a non-empty list of servers')
  }
  const seenNames = new Set<string>()
  const seenAddresses = new Set<string>()
  const out: FleetServerSpec[] = servers.map((raw: unknown, i): FleetServerSpec => {
    const at: Path = ['servers', i]
    if (!isRecord(raw)) return fail(at, 'expected a mapping with name, host, port and models')
    checkFields(raw, SERVER_KEYS, at, fail)
    const name = raw['name']
    if (typeof name !== 'string') return fail([...at, 'name'], 'is required')
    if (seenNames.has(name)) fail([...at, 'name'], `duplicate server name "${name}"`)
    seenNames.add(name)
    const host = raw['host'] ?? '127.0.0.1'
    const port = raw['port'] ?? 11434
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
      return fail([...at, 'port'], `expected a port number 0-65535, got ${JSON.stringify(port)}`)
    }
    const address = `${String(host)}:${port}`
    if (port !== 0 && seenAddresses.has(address)) fail([...at, 'port'], `${address} is used twice`)
    seenAddresses.add(address)
    const keepAlive = raw['keepAlive']
    if (keepAlive !== undefined && !parseKeepAlive(keepAlive).ok) {
      fail(
        [...at, 'keepAlive'],
        `expected seconds or a duration like "5m", got ${JSON.stringify(keepAlive)}`,
      )
    }
    let fault: FleetServerSpec['fault']
    if (raw['fault'] !== undefined) {
      try {
        fault = parseFault(raw['fault'], 'fault')
      } catch (err) {
        if (err instanceof FaultError) {
          const key = err.path.split('.').slice(1)
          return fail([...at, 'fault', ...key], err.message.slice(err.path.length + 2))
        }
        throw err
      }
    }
    const models = raw['models']
    if (!Array.isArray(models))
      return fail([...at, 'models'], 'expected a list of model names or {name, ...}')
    const specs = models.map((m: unknown, j): SimModelSpec | string => {
      const mat: Path = [...at, 'models', j]
      if (typeof m === 'string') {
        if (m.trim() === '') fail(mat, 'model name must not be empty')
        return m
      }
      if (!isRecord(m)) return fail(mat, 'expected a model name or a mapping with `name`')
      checkFields(m, MODEL_KEYS, mat, fail)
      if (typeof m['name'] !== 'string') return fail([...mat, 'name'], 'is required')
      const caps = m['capabilities']
      if (
        caps !== undefined &&
        !(Array.isArray(caps) && caps.every((c) => typeof c === 'string'))
      ) {
        fail([...mat, 'capabilities'], 'expected a list of strings')
      }
      return m as unknown as SimModelSpec
    })
    const spec = { ...raw, name, host: String(host), port, models: specs } as FleetServerSpec
    if (fault) spec.fault = fault
    return spec
  })
  return { servers: out }
}

/** Reads and validates a fleet YAML file. */
export function loadFleetSpec(path: string): FleetSpec {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new FleetSpecError(
      path,
      '(file)',
      `cannot read: ${(err as NodeJS.ErrnoException).code ?? err}`,
    )
  }
  return parseFleetSpec(text, path)
}

/**
 * Starts every server of a fleet (a spec or the path of a YAML file). `overrides` apply to all
 * servers, e.g. `{ host: '127.0.0.1', port: 0 }` to run the seed topology on free ports in tests.
 * When one server cannot start, the ones already started are stopped and the error names the server.
 */
export async function startFleet(
  spec: FleetSpec | string,
  overrides: FleetOverrides = {},
): Promise<Fleet> {
  const fleetSpec = typeof spec === 'string' ? loadFleetSpec(spec) : spec
  const servers: SimServer[] = []
  try {
    for (const s of fleetSpec.servers) {
      servers.push(
        await startSimServer({
          ...s,
          ...(overrides.host !== undefined ? { host: overrides.host } : {}),
          ...(overrides.port !== undefined ? { port: overrides.port } : {}),
          ...(overrides.loadMs !== undefined ? { loadMs: overrides.loadMs } : {}),
          ...(overrides.diskMBps !== undefined ? { diskMBps: overrides.diskMBps } : {}),
          ...(overrides.tokensPerSecond !== undefined
            ? { tokensPerSecond: overrides.tokensPerSecond }
            : {}),
          ...(overrides.promptTokensPerSecond !== undefined
            ? { promptTokensPerSecond: overrides.promptTokensPerSecond }
            : {}),
          ...(overrides.timeScale !== undefined ? { timeScale: overrides.timeScale } : {}),
        }),
      )
    }
  } catch (err) {
    await Promise.all(servers.map((s) => s.stop()))
    throw err
  }
  return {
    servers,
    get(name: string): SimServer {
      const found = servers.find((s) => s.name === name)
      if (!found) {
        throw new Error(
          `no server "${name}" in the fleet (have: ${servers.map((s) => s.name).join(', ')})`,
        )
      }
      return found
    },
    async stop(): Promise<void> {
      await Promise.all(servers.map((s) => s.stop()))
    },
  }
}

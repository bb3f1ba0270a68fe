import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  FleetSpecError,
  loadFleetSpec,
  parseFault,
  parseFaultShorthand,
  parseFleetSpec,
} from '../../../../tools/ollama-sim'
import { parseSimCliArgs } from '../../../../tools/ollama-sim/cli-args'

const FLEETS = resolve(__dirname, '../../../../tools/ollama-sim/fleets')

describe('fleet files', () => {
  it('seed.yaml is the product spec topology', () => {
    const spec = loadFleetSpec(resolve(FLEETS, 'seed.yaml'))
    const names = (i: number): string[] =>
      (spec.servers[i]?.models ?? []).map((m) => (typeof m === 'string' ? m : m.name))
    // Loopback only (127.0.0.2 does not exist on macOS), never Ollama's own 11434.
    expect(spec.servers.map((s) => [s.name, s.host])).toEqual([
      ['remote', '127.0.0.1'],
      ['localhost', '127.0.0.1'],
    ])
    const ports = spec.servers.map((s) => s.port)
    expect(new Set(ports).size).toBe(2)
    for (const port of ports) expect(port).toBeGreaterThan(11434)
    expect(names(0)).toEqual(
      expect.arrayContaining(['llama3.3:70b', 'gemma3:12b', 'qwen2.5-coder:14b', 'qwen3:14b']),
    )
    expect(names(1)).toEqual(['gemma3:1b', 'qwen2.5:1.5b', 'phi3:3b'])
  })

  it('large.yaml has at least 10 servers on 127.0.0.1, each on its own port (not 11434)', () => {
    const spec = loadFleetSpec(resolve(FLEETS, 'large.yaml'))
    expect(spec.servers.length).toBeGreaterThanOrEqual(10)
    for (const s of spec.servers) expect(s.host).toBe('127.0.0.1')
    const ports = new Set(spec.servers.map((s) => s.port))
    expect(ports.size).toBe(spec.servers.length)
    expect(ports.has(11434)).toBe(false)
  })

  it('accepts the capacity keys of a server and the speed and cloud keys of a model', () => {
    const spec = parseFleetSpec(
      [
        'servers:',
        '  - name: gpu',
        '    port: 0',
        '    diskMBps: 1500',
        '    vramBytes: 24000000000',
        '    maxLoadedModels: 3',
        '    numParallel: 2',
        '    contextLength: 8192',
        '    promptTokensPerSecond: 900',
        '    models:',
        '      - { name: gemma3:12b, promptTokensPerSecond: 1500 }',
        '      - { name: gpt-oss:120b-cloud, remoteHost: "https://ollama.com:443", remoteModel: gpt-oss:120b }',
      ].join('\n'),
    )
    expect(spec.servers[0]).toMatchObject({
      diskMBps: 1500,
      vramBytes: 24e9,
      maxLoadedModels: 3,
      numParallel: 2,
      contextLength: 8192,
      promptTokensPerSecond: 900,
    })
    expect(spec.servers[0]?.models[1]).toEqual({
      name: 'gpt-oss:120b-cloud',
      remoteHost: 'https://ollama.com:443',
      remoteModel: 'gpt-oss:120b',
    })
  })

  it('accepts model mappings and a fault', () => {
    const spec = parseFleetSpec(
      [
        'servers:',
        '  - name: a',
        '    host: 127.0.0.1',
        '    port: 0',
        '    fault: { kind: drop-after, chunks: 2 }',
        '    models:',
        '      - gemma3:1b',
        '      - { name: qwen3:14b, loadMs: 100, capabilities: [completion] }',
      ].join('\n'),
    )
    expect(spec.servers[0]?.fault).toEqual({ kind: 'drop-after', chunks: 2 })
    expect(spec.servers[0]?.models[1]).toEqual({
      name: 'qwen3:14b',
      loadMs: 100,
      capabilities: ['completion'],
    })
  })

  it.each([
    ['not a mapping', '- 1', '(root): expected a mapping'],
    ['no servers', 'servers: []', 'servers: expected a non-empty list of servers'],
    ['unknown top key', 'servers: [{name: a, models: []}]\nextra: 1', 'extra: unknown key'],
    ['missing name', 'servers:\n  - models: []', 'servers[0].name: is required'],
    [
      'bad port',
      'servers:\n  - name: a\n    port: 70000\n    models: []',
      ':3: servers[0].port: expected a port number',
    ],
    [
      'typo in a key',
      'servers:\n  - name: a\n    load_ms: 5\n    models: []',
      'servers[0].load_ms: unknown key',
    ],
    [
      'negative loadMs',
      'servers:\n  - name: a\n    loadMs: -5\n    models: []',
      'servers[0].loadMs: expected a number >= 0',
    ],
    [
      'negative vramBytes',
      'servers:\n  - name: a\n    vramBytes: -1\n    models: []',
      'servers[0].vramBytes: expected a number >= 0',
    ],
    [
      'diskMBps as text',
      'servers:\n  - name: a\n    diskMBps: fast\n    models: []',
      'servers[0].diskMBps: expected a number >= 0',
    ],
    [
      'empty remoteHost',
      'servers:\n  - name: a\n    models: [{name: x-cloud, remoteHost: ""}]',
      'servers[0].models[0].remoteHost: expected a non-empty string',
    ],
    [
      'models not a list',
      'servers:\n  - name: a\n    models: gemma3:1b',
      'servers[0].models: expected a list',
    ],
    [
      'empty model name',
      'servers:\n  - name: a\n    models: [""]',
      'servers[0].models[0]: model name must not be empty',
    ],
    [
      'model without name',
      'servers:\n  - name: a\n    models: [{loadMs: 3}]',
      'servers[0].models[0].name: is required',
    ],
    [
      'bad fault kind',
      'servers:\n  - name: a\n    fault: {kind: boom}\n    models: []',
      'servers[0].fault.kind: expected one of',
    ],
    [
      'bad fault field',
      'servers:\n  - name: a\n    fault: {kind: trickle}\n    models: []',
      'servers[0].fault.msPerChunk: expected a whole number',
    ],
    [
      'bad keepAlive',
      'servers:\n  - name: a\n    keepAlive: soon\n    models: []',
      'servers[0].keepAlive: expected seconds or a duration',
    ],
    [
      'duplicate names',
      'servers:\n  - {name: a, models: []}\n  - {name: a, port: 1, models: []}',
      'servers[1].name: duplicate server name "a"',
    ],
    [
      'duplicate address',
      'servers:\n  - {name: a, models: []}\n  - {name: b, models: []}',
      'servers[1].port: 127.0.0.1:11434 is used twice',
    ],
    ['broken YAML', 'servers: [', 'fleet.yaml:1: (yaml)'],
  ])('rejects %s, naming the key', (_label, text, message) => {
    let error: unknown = null
    try {
      parseFleetSpec(text, 'fleet.yaml')
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(FleetSpecError)
    expect((error as Error).message).toContain(message)
    expect((error as Error).message.startsWith('fleet.yaml')).toBe(true)
  })

  it('names an unreadable file', () => {
    expect(() => loadFleetSpec('/nonexistent/fleet.yaml')).toThrow(
      '/nonexistent/fleet.yaml: (file): cannot read: ENOENT',
    )
  })
})

describe('faults', () => {
  it.each([
    ['stopped', { kind: 'stopped' }],
    ['hang', { kind: 'hang' }],
    ['slow-first-byte:2000', { kind: 'slow-first-byte', ms: 2000 }],
    ['http-error:503', { kind: 'http-error', status: 503 }],
    ['drop-after:3', { kind: 'drop-after', chunks: 3 }],
    ['malformed-chunk:0', { kind: 'malformed-chunk', after: 0 }],
    ['trickle:250', { kind: 'trickle', msPerChunk: 250 }],
    ['frozen', { kind: 'frozen' }],
    ['wedged', { kind: 'wedged' }],
    ['crash:3', { kind: 'crash', afterChunks: 3 }],
    ['no-done:0', { kind: 'no-done', afterChunks: 0 }],
  ])('shorthand %s', (text, fault) => {
    expect(parseFaultShorthand(text)).toEqual(fault)
  })

  it.each([
    ['trickle', '--fault trickle: trickle needs :<msPerChunk>'],
    ['http-error:404', '--fault http-error:404.status: expected 500 or 503, got 404'],
    ['drop-after:x', '--fault drop-after:x.chunks: expected a whole number >= 0, got null'],
    ['crash', '--fault crash: crash needs :<afterChunks>'],
    ['no-done:-1', '--fault no-done:-1.afterChunks: expected a whole number >= 0, got -1'],
  ])('shorthand %s is refused', (text, message) => {
    expect(() => parseFaultShorthand(text)).toThrow(message)
  })

  it('keeps afterChunks on http-error and refuses a fault that is not an object', () => {
    expect(parseFault({ kind: 'http-error', status: 500, afterChunks: 2 })).toEqual({
      kind: 'http-error',
      status: 500,
      afterChunks: 2,
    })
    expect(() => parseFault(7)).toThrow('fault: expected an object with a "kind", got 7')
  })
})

describe('sim cli arguments', () => {
  it('reads the fleet path and repeated --fault flags', () => {
    const args = parseSimCliArgs(
      ['f.yaml', '--fault', 'a=hang', '--fault', 'b=http-error:500'],
      'seed.yaml',
    )
    expect(args.fleetPath).toBe(resolve('f.yaml'))
    expect(args.faults).toEqual([
      { server: 'a', fault: { kind: 'hang' } },
      { server: 'b', fault: { kind: 'http-error', status: 500 } },
    ])
  })

  it('falls back to the default fleet', () => {
    expect(parseSimCliArgs([], '/x/seed.yaml').fleetPath).toBe('/x/seed.yaml')
  })

  it.each([
    [['--fault'], '--fault needs <server>=<kind[:arg]>'],
    [['--fault', 'hang'], '--fault hang: expected <server>=<kind[:arg]>'],
    [['--nope'], 'unknown option --nope'],
    [['a.yaml', 'b.yaml'], 'only one fleet file may be given'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseSimCliArgs(argv, 'seed.yaml')).toThrow(message)
  })
})

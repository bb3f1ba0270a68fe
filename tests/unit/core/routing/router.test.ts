import { performance } from 'node:perf_hooks'
import { describe, expect, it, vi } from 'vitest'
import {
  decide,
  decisionHeaders,
  headerValue,
  promptExcerpt,
  renderDecisionLog,
  singleServerOf,
} from '../../../../electron/core/routing/router'
import type { RouteInput } from '../../../../electron/core/routing/router'
import { REASON_CODES } from '../../../../shared/types'
import type {
  ChatMessage,
  Classification,
  Complexity,
  Priority,
  ReasonCode,
  RoutingDecision,
  RoutingMode,
  ServerView,
  TaskType,
} from '../../../../shared/types'
import {
  localhostModels,
  model,
  providerConfig,
  remoteModels,
  seedFleet,
  server,
} from '../../../helpers/fleet-fixtures'

const AUTO: RoutingMode = { kind: 'auto' }

function cls(complexity: Complexity, taskType: TaskType): Classification {
  return { complexity, taskType, reasons: [] }
}

/** Named classifications of the acceptance prompts, so router tests do not depend on heuristics. */
const TASKS = {
  greeting: cls('trivial', 'greeting'),
  explanation: cls('moderate', 'explanation'),
  complexCode: cls('complex', 'code'),
  reasoning: cls('complex', 'reasoning'),
  chat: cls('simple', 'chat'),
} as const

function route(
  servers: ServerView[],
  classification: Classification,
  extra: Partial<RouteInput> = {},
): RoutingDecision {
  return decide({
    messages: [{ role: 'user', content: 'test prompt' }],
    servers,
    config: providerConfig(),
    mode: AUTO,
    requestedModel: null,
    now: 1_700_000_000_000,
    classification,
    ...extra,
  })
}

const pick = (d: RoutingDecision) =>
  d.chosen ? `${d.chosen.model} @ ${d.chosen.serverName}` : null

/** The fallback chain as `model @ server id`, in order. */
const targets = (d: RoutingDecision) => d.chain.map((t) => `${t.model} @ ${t.serverId}`)

/** Marks one model of a server loaded (and fully in GPU). */
function withLoaded(s: ServerView, name: string, fullyInGpu: boolean | null = true): ServerView {
  return {
    ...s,
    models: s.models.map((m) => (m.name === name ? { ...m, loaded: true, fullyInGpu } : m)),
  }
}

function candidate(d: RoutingDecision, modelName: string, serverId: string) {
  const c = d.candidates.find((x) => x.model === modelName && x.serverId === serverId)
  if (!c) throw new Error(`no candidate ${modelName} @ ${serverId}`)
  return c
}

describe('decide: acceptance cases on the seed fleet', () => {
  const priorities: [string, Priority, Priority][] = [
    ['remote PRIMARY, localhost SECONDARY', 'PRIMARY', 'SECONDARY'],
    ['both PRIMARY', 'PRIMARY', 'PRIMARY'],
  ]
  const cases: [string, Classification, string][] = [
    ['trivial greeting', TASKS.greeting, 'gemma3:1b @ localhost'],
    ['simple chat', TASKS.chat, 'gemma3:1b @ localhost'],
    ['moderate explanation', TASKS.explanation, 'gemma3:12b @ remote'],
    ['complex code', TASKS.complexCode, 'qwen2.5-coder:14b @ remote'],
    ['moderate code', cls('moderate', 'code'), 'qwen2.5-coder:14b @ remote'],
    ['complex reasoning', TASKS.reasoning, 'llama3.3:70b @ remote'],
  ]
  const table = priorities.flatMap(([p, remotePriority, localhostPriority]) =>
    cases.map(
      ([name, c, want]) => [`${name} (${p})`, c, want, remotePriority, localhostPriority] as const,
    ),
  )

  it.each(table)('%s → %s', (_name, classification, want, remotePriority, localhostPriority) => {
    const d = route(seedFleet({ remotePriority, localhostPriority }), classification)
    expect(pick(d)).toBe(want)
    expect(d.action).toBe('routed')
    expect(d.fallback).toBe(false)
    expect(d.warning).toBeNull()
    expect(d.reasons[0]).toBe(REASON_CODES.MODE_AUTO)
  })

  it.each<[string, Classification, string, string]>([
    [
      'gemma3:12b loaded does not pull "Hi!" to the remote',
      TASKS.greeting,
      'gemma3:12b',
      'gemma3:1b @ localhost',
    ],
    [
      'llama3.3:70b loaded does not take an explanation',
      TASKS.explanation,
      'llama3.3:70b',
      'gemma3:12b @ remote',
    ],
    [
      'llama3.3:70b loaded does not beat the coder on code',
      TASKS.complexCode,
      'llama3.3:70b',
      'qwen2.5-coder:14b @ remote',
    ],
    [
      'qwen3:14b loaded does not take a complex reasoning task',
      TASKS.reasoning,
      'qwen3:14b',
      'llama3.3:70b @ remote',
    ],
    [
      'qwen2.5-coder loaded does not take an explanation',
      TASKS.explanation,
      'qwen2.5-coder:14b',
      'gemma3:12b @ remote',
    ],
  ])('%s', (_name, classification, loadedModel, want) => {
    const [remote, localhost] = seedFleet() as [ServerView, ServerView]
    const d = route([withLoaded(remote, loadedModel), localhost], classification)
    expect(pick(d)).toBe(want)
  })

  it('complex code with the remote offline → a localhost model, as a fallback with the warning', () => {
    const d = route(
      seedFleet({
        remote: { health: { kind: 'offline', since: 0, error: 'ECONNREFUSED', nextProbeAt: 0 } },
      }),
      TASKS.complexCode,
    )
    expect(d.chosen?.serverName).toBe('localhost')
    expect(d.action).toBe('fallback')
    expect(d.fallback).toBe(true)
    expect(d.warning).toBe(`A simplified model is being used: ${d.chosen?.model} @ localhost`)
    expect(d.reasons).toContain(REASON_CODES.SMALLER_TIER_FALLBACK)
    expect(d.chain.every((t) => t.serverId === 'localhost')).toBe(true)
    expect(candidate(d, 'qwen2.5-coder:14b', 'remote').excludedBy).toBe(REASON_CODES.SERVER_OFFLINE)
  })

  it('complex code falls back along a chain: coder first, then other adequate remote models', () => {
    const d = route(seedFleet(), TASKS.complexCode)
    expect(d.chain[0]?.model).toBe('qwen2.5-coder:14b')
    expect(d.chain[1]?.model).toBe('llama3.3:70b')
    // Bounded per server, so the localhost models are in the chain for when the remote dies.
    expect(d.chain.some((t) => t.serverId === 'localhost')).toBe(true)
  })
})

describe('decide: exclusions', () => {
  const offline = { kind: 'offline', since: 0, error: 'refused', nextProbeAt: 0 } as const
  it.each<[string, ServerView[], RoutingMode, string | null, string, string, ReasonCode]>([
    [
      'embedding model',
      [
        server('a', 'PRIMARY', [
          model('nomic-embed-text:latest', 'fast', ['embedding']),
          model('gemma3:1b', 'fast'),
        ]),
      ],
      AUTO,
      null,
      'nomic-embed-text:latest',
      'a',
      REASON_CODES.NOT_CHAT_MODEL,
    ],
    [
      'offline server',
      seedFleet({ localhost: { health: offline } }),
      AUTO,
      null,
      'gemma3:1b',
      'localhost',
      REASON_CODES.SERVER_OFFLINE,
    ],
    [
      'untrusted server',
      seedFleet({ localhost: { trusted: false, source: 'mdns' } }),
      AUTO,
      null,
      'gemma3:1b',
      'localhost',
      REASON_CODES.SERVER_UNTRUSTED,
    ],
    [
      'breaker open',
      seedFleet({ localhost: { breaker: 'open' } }),
      AUTO,
      null,
      'gemma3:1b',
      'localhost',
      REASON_CODES.BREAKER_OPEN,
    ],
    [
      'other server than the pinned one',
      seedFleet(),
      { kind: 'server', serverId: 'remote' },
      null,
      'gemma3:1b',
      'localhost',
      REASON_CODES.MODE_SERVER_PINNED,
    ],
    [
      'other model than the pinned one',
      seedFleet(),
      { kind: 'model', model: 'qwen3:14b', serverId: null },
      null,
      'gemma3:12b',
      'remote',
      REASON_CODES.MODE_MODEL_PINNED,
    ],
    [
      'other model than the requested tag',
      seedFleet(),
      AUTO,
      'qwen2.5:1.5b',
      'gemma3:1b',
      'localhost',
      REASON_CODES.MODEL_REQUESTED,
    ],
    [
      'not the one server of plain mode',
      seedFleet(),
      AUTO,
      null,
      'gemma3:1b',
      'localhost',
      REASON_CODES.SINGLE_SERVER,
    ],
  ])('%s', (name, servers, mode, requestedModel, modelName, serverId, reason) => {
    const config = providerConfig(name.includes('plain mode') ? { distributed_mode: false } : {})
    const d = route(servers, TASKS.greeting, { mode, requestedModel, config })
    const c = candidate(d, modelName, serverId)
    expect(c.eligible).toBe(false)
    expect(c.excludedBy).toBe(reason)
    expect(c.reasons).toEqual([reason])
    expect(c.terms.total).toBe(0)
    expect(d.chain.some((t) => t.model === modelName && t.serverId === serverId)).toBe(false)
  })

  it('keeps every (model, server) pair as a candidate', () => {
    const d = route(seedFleet({ localhost: { health: offline } }), TASKS.greeting)
    expect(d.candidates).toHaveLength(7)
    expect(d.candidates.filter((c) => c.eligible)).toHaveLength(4)
    // Eligible first, best first; the excluded ones after them.
    const firstExcluded = d.candidates.findIndex((c) => !c.eligible)
    expect(d.candidates.slice(firstExcluded).every((c) => !c.eligible)).toBe(true)
    const totals = d.candidates.slice(0, firstExcluded).map((c) => c.terms.total)
    expect(totals).toEqual([...totals].sort((a, b) => b - a))
  })

  it('a half-open breaker is eligible (it is the trial), with a small penalty', () => {
    const twin = (id: string, breaker: 'closed' | 'half-open') =>
      server(id, 'PRIMARY', [model('gemma3:1b', 'fast')], { breaker })
    const d = route([twin('a', 'half-open'), twin('b', 'closed')], TASKS.greeting)
    expect(pick(d)).toBe('gemma3:1b @ b')
    expect(candidate(d, 'gemma3:1b', 'a').eligible).toBe(true)
    const alone = route([twin('a', 'half-open')], TASKS.greeting)
    expect(pick(alone)).toBe('gemma3:1b @ a')
  })

  it('rejects with NO_CANDIDATES when every server is down', () => {
    const d = route(
      seedFleet({ remote: { breaker: 'open' }, localhost: { health: offline } }),
      TASKS.greeting,
    )
    expect(d.action).toBe('rejected')
    expect(d.chosen).toBeNull()
    expect(d.chain).toEqual([])
    expect(d.reasons).toContain(REASON_CODES.NO_CANDIDATES)
    expect(d.fallback).toBe(false)
  })
})

describe('decide: requests with tools', () => {
  const fleet = () => [
    server('a', 'PRIMARY', [
      model('gemma3:1b', 'fast', [], { capabilities: ['completion'] }),
      model('qwen2.5:1.5b', 'fast', [], { capabilities: ['completion', 'tools'] }),
      model('mystery:1b', 'fast', [], { capabilities: [] }),
    ]),
  ]

  it('leaves out models known not to take tools, and keeps the unknown ones', () => {
    const d = route(fleet(), TASKS.greeting, { needsTools: true })
    expect(candidate(d, 'gemma3:1b', 'a')).toMatchObject({
      eligible: false,
      excludedBy: REASON_CODES.NO_TOOL_SUPPORT,
    })
    expect(candidate(d, 'qwen2.5:1.5b', 'a').eligible).toBe(true)
    expect(candidate(d, 'mystery:1b', 'a').eligible).toBe(true)
    expect(d.chain.map((t) => t.model)).not.toContain('gemma3:1b')
  })

  it('with think, leaves out models known not to think', () => {
    const servers = [
      server('a', 'PRIMARY', [
        model('gemma3:1b', 'fast', [], { capabilities: ['completion'] }),
        model('qwen3:1.7b', 'fast', [], { capabilities: ['completion', 'thinking'] }),
      ]),
    ]
    const d = route(servers, TASKS.greeting, { needsThinking: true })
    expect(candidate(d, 'gemma3:1b', 'a').excludedBy).toBe(REASON_CODES.NO_THINKING_SUPPORT)
    expect(d.chosen?.model).toBe('qwen3:1.7b')
  })

  it('changes nothing without tools', () => {
    const d = route(fleet(), TASKS.greeting)
    expect(d.chosen?.model).toBe('gemma3:1b')
  })
})

describe('decide: modes', () => {
  it.each<
    [
      string,
      RoutingMode,
      Classification,
      Partial<RouteInput>,
      string | null,
      ReasonCode,
      RoutingDecision['action'],
    ]
  >([
    [
      'server pinned to remote, trivial → best model there',
      { kind: 'server', serverId: 'remote' },
      TASKS.greeting,
      {},
      'gemma3:12b @ remote',
      REASON_CODES.MODE_SERVER_PINNED,
      'routed',
    ],
    [
      'server pinned to localhost, complex code → fallback there',
      { kind: 'server', serverId: 'localhost' },
      TASKS.complexCode,
      {},
      'localhost',
      REASON_CODES.MODE_SERVER_PINNED,
      'fallback',
    ],
    [
      'server pinned to an unknown id → rejected',
      { kind: 'server', serverId: 'nope' },
      TASKS.greeting,
      {},
      null,
      REASON_CODES.MODE_SERVER_PINNED,
      'rejected',
    ],
    [
      'model pinned anywhere',
      { kind: 'model', model: 'qwen3:14b', serverId: null },
      TASKS.greeting,
      {},
      'qwen3:14b @ remote',
      REASON_CODES.MODE_MODEL_PINNED,
      'routed',
    ],
    [
      'model pinned on its server',
      { kind: 'model', model: 'phi3:3b', serverId: 'localhost' },
      TASKS.complexCode,
      {},
      'phi3:3b @ localhost',
      REASON_CODES.MODE_MODEL_PINNED,
      'routed',
    ],
    [
      'model pinned on a server without it → rejected',
      { kind: 'model', model: 'qwen3:14b', serverId: 'localhost' },
      TASKS.greeting,
      {},
      null,
      REASON_CODES.MODE_MODEL_PINNED,
      'rejected',
    ],
    [
      'distributed_mode false → the PRIMARY only',
      AUTO,
      TASKS.greeting,
      { config: providerConfig({ distributed_mode: false }) },
      'gemma3:12b @ remote',
      REASON_CODES.SINGLE_SERVER,
      'routed',
    ],
    [
      'distributed_mode false, complex code → coder on the PRIMARY',
      AUTO,
      TASKS.complexCode,
      { config: providerConfig({ distributed_mode: false }) },
      'qwen2.5-coder:14b @ remote',
      REASON_CODES.SINGLE_SERVER,
      'routed',
    ],
    [
      'only one server in input',
      AUTO,
      TASKS.explanation,
      { servers: [server('localhost', 'SECONDARY', localhostModels())] },
      'localhost',
      REASON_CODES.SINGLE_SERVER,
      'fallback',
    ],
  ])('%s', (_name, mode, classification, extra, want, modeReason, action) => {
    const d = route(seedFleet(), classification, { mode, ...extra })
    if (want === null) expect(d.chosen).toBeNull()
    else if (want.includes(' @ ')) expect(pick(d)).toBe(want)
    else expect(d.chosen?.serverId).toBe(want)
    expect(d.reasons[0]).toBe(modeReason)
    expect(d.action).toBe(action)
  })

  it('a pinned model is never called a fallback, even when smaller than the task wants', () => {
    const d = route(seedFleet(), TASKS.reasoning, {
      mode: { kind: 'model', model: 'gemma3:1b', serverId: null },
    })
    expect(pick(d)).toBe('gemma3:1b @ localhost')
    expect(d.fallback).toBe(false)
    expect(d.warning).toBeNull()
    expect(d.wantedTier).toBe('powerful')
  })

  it('plain mode picks the server named primary, even listed after others', () => {
    const servers = [
      server('localhost', 'PRIMARY', localhostModels()),
      server('primary', 'PRIMARY', remoteModels()),
    ]
    expect(singleServerOf(servers)?.id).toBe('primary')
    const d = route(servers, TASKS.greeting, {
      config: providerConfig({ distributed_mode: false }),
    })
    expect(d.chosen?.serverId).toBe('primary')
  })

  it('plain mode prefers a configured server over a discovered one', () => {
    const servers = [
      server('lan-box', 'PRIMARY', remoteModels(), { source: 'mdns' }),
      server('localhost', 'SECONDARY', localhostModels()),
    ]
    expect(singleServerOf(servers)?.id).toBe('localhost')
  })

  it.each<[string, RoutingMode, ServerView[], string | null, ReasonCode]>([
    [
      'a pinned server answers in plain mode, not the primary',
      { kind: 'server', serverId: 'localhost' },
      seedFleet(),
      'gemma3:1b @ localhost',
      REASON_CODES.MODE_SERVER_PINNED,
    ],
    [
      'a model pinned on its server answers in plain mode',
      { kind: 'model', model: 'phi3:3b', serverId: 'localhost' },
      seedFleet(),
      'phi3:3b @ localhost',
      REASON_CODES.MODE_MODEL_PINNED,
    ],
    [
      'a model pinned anywhere is looked for on the one server of plain mode',
      { kind: 'model', model: 'gemma3:12b', serverId: null },
      seedFleet(),
      'gemma3:12b @ remote',
      REASON_CODES.MODE_MODEL_PINNED,
    ],
    [
      'with one server listed, a pin on another one is not redirected to it',
      { kind: 'server', serverId: 'remote' },
      [server('localhost', 'SECONDARY', localhostModels())],
      null,
      REASON_CODES.MODE_SERVER_PINNED,
    ],
  ])('%s', (_name, mode, servers, want, modeReason) => {
    const d = route(servers, TASKS.greeting, {
      mode,
      config: providerConfig({ distributed_mode: false }),
    })
    expect(pick(d)).toBe(want)
    expect(d.reasons[0]).toBe(modeReason)
    expect(d.action).toBe(want === null ? 'rejected' : 'routed')
    if (want !== null) {
      const serverId = d.chosen?.serverId
      expect(d.chain.every((t) => t.serverId === serverId)).toBe(true)
    }
  })

  it.each<[string, ServerView[], string | null]>([
    ['no servers: none', [], null],
    [
      'the first PRIMARY, even listed after others',
      [server('a', 'SECONDARY', []), server('b', 'PRIMARY', []), server('c', 'PRIMARY', [])],
      'b',
    ],
    ['no PRIMARY: the first one', [server('a', 'SECONDARY', []), server('b', 'FALLBACK', [])], 'a'],
    [
      'only discovered servers: the first PRIMARY among them',
      [
        server('a', 'SECONDARY', [], { source: 'mdns' }),
        server('b', 'PRIMARY', [], { source: 'mdns' }),
      ],
      'b',
    ],
    [
      'a discovered PRIMARY does not beat a configured SECONDARY',
      [server('a', 'PRIMARY', [], { source: 'mdns' }), server('b', 'SECONDARY', [])],
      'b',
    ],
  ])('the one server of plain mode: %s', (_name, servers, want) => {
    expect(singleServerOf(servers)?.id ?? null).toBe(want)
  })

  it('plain mode with the PRIMARY listed second routes there', () => {
    const [remote, localhost] = seedFleet() as [ServerView, ServerView]
    const d = route([localhost, remote], TASKS.greeting, {
      config: providerConfig({ distributed_mode: false }),
    })
    expect(pick(d)).toBe('gemma3:12b @ remote')
    expect(candidate(d, 'gemma3:1b', 'localhost').excludedBy).toBe(REASON_CODES.SINGLE_SERVER)
  })

  it('plain mode with no server at all rejects', () => {
    const d = route([], TASKS.greeting, { config: providerConfig({ distributed_mode: false }) })
    expect(d.action).toBe('rejected')
    expect(d.reasons).toEqual([REASON_CODES.MODE_AUTO, REASON_CODES.NO_CANDIDATES])
  })

  it('plain mode with the one server down rejects instead of using another', () => {
    const d = route(
      seedFleet({ remote: { health: { kind: 'offline', since: 0, error: 'x', nextProbeAt: 0 } } }),
      TASKS.greeting,
      { config: providerConfig({ distributed_mode: false }) },
    )
    expect(d.action).toBe('rejected')
    expect(d.reasons).toEqual([REASON_CODES.SINGLE_SERVER, REASON_CODES.NO_CANDIDATES])
  })
})

describe('decide: FALLBACK priority', () => {
  const backup = () =>
    withLoaded(server('backup_gpu', 'FALLBACK', remoteModels(), { latencyMs: 1 }), 'llama3.3:70b')
  const offline = { kind: 'offline', since: 0, error: 'refused', nextProbeAt: 0 } as const

  it('never chooses a FALLBACK server while anything else is eligible, and puts it last', () => {
    const d = route(seedFleet({ remote: { health: offline } }), TASKS.reasoning, {
      servers: [...seedFleet({ remote: { health: offline } }), backup()],
    })
    expect(d.chosen?.serverId).toBe('localhost')
    expect(d.fallback).toBe(true)
    const firstBackup = d.chain.findIndex((t) => t.priority === 'FALLBACK')
    expect(firstBackup).toBeGreaterThan(0)
    expect(d.chain.slice(firstBackup).every((t) => t.priority === 'FALLBACK')).toBe(true)
    expect(candidate(d, 'llama3.3:70b', 'backup_gpu').terms.total).toBeGreaterThan(
      candidate(d, 'phi3:3b', 'localhost').terms.total,
    )
  })

  it('uses the FALLBACK server when nothing else is eligible', () => {
    const d = route([], TASKS.reasoning, {
      servers: [
        ...seedFleet({ remote: { health: offline }, localhost: { breaker: 'open' } }),
        backup(),
      ],
    })
    expect(pick(d)).toBe('llama3.3:70b @ backup_gpu')
    expect(d.action).toBe('routed')
    expect(d.reasons).toContain(REASON_CODES.PRIORITY_FALLBACK)
  })

  it('keeps two FALLBACK slots at the end of a full chain', () => {
    const many = Array.from({ length: 5 }, (_, i) => server(`s${i}`, 'PRIMARY', remoteModels()))
    const d = route([...many, backup()], TASKS.reasoning)
    expect(targets(d)).toEqual([
      'llama3.3:70b @ s0',
      'llama3.3:70b @ s1',
      'llama3.3:70b @ s2',
      'llama3.3:70b @ s3',
      'llama3.3:70b @ s4',
      'qwen3:14b @ s0',
      'llama3.3:70b @ backup_gpu',
      'qwen3:14b @ backup_gpu',
    ])
  })

  it('with one FALLBACK model, keeps one slot for it and the rest for the others', () => {
    const many = Array.from({ length: 5 }, (_, i) => server(`s${i}`, 'PRIMARY', remoteModels()))
    const lone = server('backup_gpu', 'FALLBACK', [model('llama3.3:70b', 'powerful')])
    const d = route([...many, lone], TASKS.reasoning)
    expect(targets(d)).toEqual([
      'llama3.3:70b @ s0',
      'llama3.3:70b @ s1',
      'llama3.3:70b @ s2',
      'llama3.3:70b @ s3',
      'llama3.3:70b @ s4',
      'qwen3:14b @ s0',
      'qwen3:14b @ s1',
      'llama3.3:70b @ backup_gpu',
    ])
  })
})

describe('decide: the fallback chain', () => {
  /** `count` balanced models, best first for moderate work (smallest first): p0:7b, p1:8b, … */
  const balanced = (prefix: string, count: number) =>
    Array.from({ length: count }, (_, i) => model(`${prefix}${i}:${7 + i}b`, 'balanced'))

  it('chosen first, then the next best pairs, unique', () => {
    const d = route(seedFleet(), TASKS.explanation)
    expect(d.chosen).toEqual(d.chain[0])
    expect(targets(d)).toEqual([
      'gemma3:12b @ remote',
      'qwen3:14b @ remote',
      'qwen2.5-coder:14b @ remote',
      'phi3:3b @ localhost',
      'qwen2.5:1.5b @ localhost',
      'gemma3:1b @ localhost',
    ])
  })

  it('at most three entries per server: a server with many fitting models leaves room for others', () => {
    const d = route(
      [
        server('big', 'PRIMARY', balanced('a', 6)),
        server('mid', 'SECONDARY', balanced('m', 2)),
        server('far', 'SECONDARY', balanced('f', 2), { latencyMs: 50 }),
      ],
      TASKS.explanation,
    )
    expect(targets(d)).toEqual([
      'a0:7b @ big',
      'a1:8b @ big',
      'a2:9b @ big',
      'm0:7b @ mid',
      'm1:8b @ mid',
      'f0:7b @ far',
      'f1:8b @ far',
    ])
    // Left out by the limit, not by its score: it outscores everything on the other servers.
    expect(candidate(d, 'a3:10b', 'big').terms.total).toBeGreaterThan(
      candidate(d, 'm0:7b', 'mid').terms.total,
    )
  })

  it('a model a server lists twice is in the chain once', () => {
    const twice = server('a', 'PRIMARY', [
      model('gemma3:12b', 'balanced'),
      model('gemma3:12b', 'balanced'),
    ])
    const d = route([twice, server('b', 'SECONDARY', balanced('m', 1))], TASKS.explanation)
    expect(targets(d)).toEqual(['gemma3:12b @ a', 'm0:7b @ b'])
  })

  it('stops at eight targets', () => {
    const fleet = Array.from({ length: 4 }, (_, i) => server(`s${i}`, 'PRIMARY', balanced('a', 3)))
    const d = route(fleet, TASKS.explanation)
    expect(targets(d)).toEqual([
      'a0:7b @ s0',
      'a0:7b @ s1',
      'a0:7b @ s2',
      'a0:7b @ s3',
      'a1:8b @ s0',
      'a1:8b @ s1',
      'a1:8b @ s2',
      'a1:8b @ s3',
    ])
  })

  // More fitting models on one server than the router shortlists: the shortlist is all that one
  // server, so the chain is rebuilt from the full order to reach the others.
  it('a server with more best models than the shortlist does not crowd the others out', () => {
    const d = route(
      [
        server('big', 'PRIMARY', balanced('a', 50)),
        server('near', 'SECONDARY', balanced('n', 3)),
        server('far', 'SECONDARY', balanced('f', 3), { latencyMs: 100 }),
      ],
      TASKS.explanation,
    )
    expect(targets(d)).toEqual([
      'a0:7b @ big',
      'a1:8b @ big',
      'a2:9b @ big',
      'n0:7b @ near',
      'n1:8b @ near',
      'n2:9b @ near',
      'f0:7b @ far',
      'f1:8b @ far',
    ])
  })

  it('a rebuilt chain still leaves out the candidates of a dead server', () => {
    const offline = { kind: 'offline', since: 0, error: 'refused', nextProbeAt: 0 } as const
    const d = route(
      [
        server('big', 'PRIMARY', balanced('a', 50)),
        server('dead', 'SECONDARY', balanced('d', 2), { health: offline }),
      ],
      TASKS.explanation,
    )
    expect(targets(d)).toEqual(['a0:7b @ big', 'a1:8b @ big', 'a2:9b @ big'])
  })

  it('the same when only FALLBACK servers are left, still eight at most', () => {
    const offline = { kind: 'offline', since: 0, error: 'refused', nextProbeAt: 0 } as const
    const d = route(
      [
        server('fb1', 'FALLBACK', balanced('a', 50)),
        server('fb2', 'FALLBACK', balanced('b', 3), { latencyMs: 100 }),
        server('fb3', 'FALLBACK', balanced('c', 3), { latencyMs: 200 }),
        server('dead', 'SECONDARY', balanced('d', 2), { health: offline }),
      ],
      TASKS.explanation,
    )
    expect(targets(d)).toEqual([
      'a0:7b @ fb1',
      'a1:8b @ fb1',
      'a2:9b @ fb1',
      'b0:7b @ fb2',
      'b1:8b @ fb2',
      'b2:9b @ fb2',
      'c0:7b @ fb3',
      'c1:8b @ fb3',
    ])
    expect(d.action).toBe('routed')
  })

  // Two servers fill all but the last two places of the shortlist: those two must be the best of
  // the rest, whatever order the servers are listed in, since the chain ends with them.
  it('the last places of a full chain go to the best of the rest when two servers fill the shortlist', () => {
    const d = route(
      [
        server('big1', 'PRIMARY', balanced('a', 23)),
        server('big2', 'PRIMARY', balanced('b', 23), { latencyMs: 20 }),
        server('s3', 'SECONDARY', [model('x:7b', 'balanced')]),
        server('s4', 'SECONDARY', [model('y:8b', 'balanced')]),
        server('s5', 'SECONDARY', [model('z:9b', 'balanced')]),
      ],
      TASKS.explanation,
    )
    expect(targets(d)).toEqual([
      'a0:7b @ big1',
      'a1:8b @ big1',
      'a2:9b @ big1',
      'b0:7b @ big2',
      'b1:8b @ big2',
      'b2:9b @ big2',
      'x:7b @ s3',
      'y:8b @ s4',
    ])
  })

  it('no score, however odd its inputs, brings a FALLBACK server ahead of the others', () => {
    const d = route(
      [
        server('fb', 'FALLBACK', [model('gemma3:12b', 'balanced')], { latencyMs: -1e7 }),
        server('p', 'SECONDARY', [model('gemma3:12b', 'balanced')]),
      ],
      TASKS.explanation,
    )
    expect(targets(d)).toEqual(['gemma3:12b @ p', 'gemma3:12b @ fb'])
    expect(d.candidates.map((c) => c.serverId)).toEqual(['p', 'fb'])
  })

  it('a server with more best models than the shortlist does not let FALLBACK servers in before the others', () => {
    const d = route(
      [
        server('big', 'PRIMARY', balanced('a', 50)),
        server('near', 'SECONDARY', balanced('n', 3)),
        server('fb1', 'FALLBACK', balanced('x', 3)),
        server('fb2', 'FALLBACK', balanced('y', 3), { latencyMs: 100 }),
      ],
      TASKS.explanation,
    )
    expect(targets(d)).toEqual([
      'a0:7b @ big',
      'a1:8b @ big',
      'a2:9b @ big',
      'n0:7b @ near',
      'n1:8b @ near',
      'n2:9b @ near',
      'x0:7b @ fb1',
      'x1:8b @ fb1',
    ])
  })
})

describe('decide: requested model', () => {
  const offline = { kind: 'offline', since: 0, error: 'refused', nextProbeAt: 0 } as const

  it.each<
    [string, ServerView[], string, string | null, RoutingDecision['action'], ReasonCode | null]
  >([
    [
      'a real tag goes to the server that has it',
      seedFleet(),
      'qwen2.5:1.5b',
      'qwen2.5:1.5b @ localhost',
      'routed',
      null,
    ],
    [
      'name matches name:latest',
      [server('a', 'PRIMARY', [model('llama3:latest', 'balanced')])],
      'llama3',
      'llama3:latest @ a',
      'routed',
      null,
    ],
    [
      'name:latest matches name',
      [server('a', 'PRIMARY', [model('mistral', 'balanced')])],
      'mistral:latest',
      'mistral @ a',
      'routed',
      null,
    ],
    [
      'an unknown tag is rejected',
      seedFleet(),
      'mistral:7b',
      null,
      'rejected',
      REASON_CODES.MODEL_NOT_FOUND,
    ],
    [
      'a known tag on a dead server is rejected as no candidates',
      seedFleet({ localhost: { health: offline } }),
      'phi3:3b',
      null,
      'rejected',
      REASON_CODES.NO_CANDIDATES,
    ],
    [
      'an unknown auto:tier is a tag, not silently auto',
      seedFleet(),
      'auto:huge',
      null,
      'rejected',
      REASON_CODES.MODEL_NOT_FOUND,
    ],
  ])('%s', (_name, servers, tag, want, action, reason) => {
    const d = route(servers, TASKS.complexCode, { requestedModel: tag })
    expect(pick(d)).toBe(want)
    expect(d.action).toBe(action)
    expect(d.fallback).toBe(false)
    expect(d.reasons).toContain(REASON_CODES.MODEL_REQUESTED)
    if (reason) expect(d.reasons).toContain(reason)
  })

  it('ranks the servers of a requested tag: the one with it loaded wins', () => {
    const a = server('a', 'PRIMARY', [model('gemma3:1b', 'fast')])
    const d1 = route(
      [a, withLoaded(server('b', 'PRIMARY', [model('gemma3:1b', 'fast')]), 'gemma3:1b')],
      TASKS.greeting,
      { requestedModel: 'gemma3:1b' },
    )
    expect(pick(d1)).toBe('gemma3:1b @ b')
    expect(d1.chain.map((t) => t.serverId)).toEqual(['b', 'a'])
  })

  it('a requested tag works in server-pinned mode only on that server', () => {
    const d = route(seedFleet(), TASKS.greeting, {
      requestedModel: 'gemma3:1b',
      mode: { kind: 'server', serverId: 'remote' },
    })
    expect(d.action).toBe('rejected')
    expect(d.reasons).toContain(REASON_CODES.MODEL_NOT_FOUND)
  })

  it('a requested tag overrides a pinned model', () => {
    const d = route(seedFleet(), TASKS.greeting, {
      requestedModel: 'phi3:3b',
      mode: { kind: 'model', model: 'qwen3:14b', serverId: 'remote' },
    })
    expect(pick(d)).toBe('phi3:3b @ localhost')
  })
})

describe('decide: wanted tier', () => {
  it.each<[string, Classification, string | null, RouteInput['minTier'], string, string]>([
    ['auto routes by task', TASKS.greeting, 'auto', undefined, 'fast', 'gemma3:1b @ localhost'],
    [
      'auto:powerful forces powerful for "Hi!"',
      TASKS.greeting,
      'auto:powerful',
      undefined,
      'powerful',
      'llama3.3:70b @ remote',
    ],
    [
      'auto:balanced forces balanced',
      TASKS.greeting,
      'auto:balanced',
      undefined,
      'balanced',
      'gemma3:12b @ remote',
    ],
    [
      'auto:fast forces fast for complex code',
      TASKS.complexCode,
      'auto:fast',
      undefined,
      'fast',
      'localhost',
    ],
    [
      'minTier balanced raises trivial',
      TASKS.greeting,
      null,
      'balanced',
      'balanced',
      'gemma3:12b @ remote',
    ],
    [
      'minTier powerful raises moderate',
      TASKS.explanation,
      null,
      'powerful',
      'powerful',
      'llama3.3:70b @ remote',
    ],
    [
      'minTier never lowers',
      TASKS.reasoning,
      null,
      'balanced',
      'powerful',
      'llama3.3:70b @ remote',
    ],
    [
      'minTier raises a forced tier too',
      TASKS.greeting,
      'auto:fast',
      'powerful',
      'powerful',
      'llama3.3:70b @ remote',
    ],
  ])('%s', (_name, classification, requestedModel, minTier, wanted, want) => {
    const extra: Partial<RouteInput> = { requestedModel }
    if (minTier) extra.minTier = minTier
    const d = route(seedFleet(), classification, extra)
    expect(d.wantedTier).toBe(wanted)
    if (want.includes(' @ ')) expect(pick(d)).toBe(want)
    else expect(d.chosen?.serverId).toBe(want)
    expect(d.fallback).toBe(false)
  })
})

describe('decide: resources', () => {
  const twins = (a: Partial<ServerView>, b: Partial<ServerView>, loaded = false) => {
    const mk = (id: string, o: Partial<ServerView>) => {
      const s = server(id, 'PRIMARY', [model('gemma3:12b', 'balanced')], o)
      return loaded ? withLoaded(s, 'gemma3:12b') : s
    }
    return [mk('a', a), mk('b', b)]
  }

  it.each<
    [
      string,
      ServerView[],
      string,
      keyof RoutingDecision['candidates'][number]['terms'],
      ReasonCode | null,
    ]
  >([
    [
      'loaded model affinity (b loaded)',
      [twins({}, {})[0]!, withLoaded(twins({}, {})[1]!, 'gemma3:12b')],
      'b',
      'loaded',
      REASON_CODES.MODEL_LOADED,
    ],
    [
      'loaded model affinity (a loaded)',
      [withLoaded(twins({}, {})[0]!, 'gemma3:12b'), twins({}, {})[1]!],
      'a',
      'loaded',
      REASON_CODES.MODEL_LOADED,
    ],
    [
      'in-flight requests spread load',
      twins({ inFlight: 2 }, {}),
      'b',
      'inFlight',
      REASON_CODES.BUSY,
    ],
    [
      'in-flight spreads the other way',
      twins({}, { inFlight: 1 }),
      'a',
      'inFlight',
      REASON_CODES.BUSY,
    ],
    [
      'degraded health loses',
      twins({ health: { kind: 'degraded', since: 0, latencyMs: 5, reason: 'slow' } }, {}),
      'b',
      'health',
      REASON_CODES.SERVER_DEGRADED,
    ],
    ['higher latency loses', twins({ latencyMs: 300 }, { latencyMs: 4 }), 'b', 'latency', null],
    [
      'partial GPU loses',
      [
        withLoaded(twins({}, {})[0]!, 'gemma3:12b', false),
        withLoaded(twins({}, {})[1]!, 'gemma3:12b', true),
      ],
      'b',
      'gpu',
      REASON_CODES.PARTIAL_GPU,
    ],
  ])('%s', (_name, servers, winner, term, reason) => {
    const d = route(servers, TASKS.explanation)
    expect(d.chosen?.serverId).toBe(winner)
    const loser = winner === 'a' ? 'b' : 'a'
    const w = candidate(d, 'gemma3:12b', winner)
    const l = candidate(d, 'gemma3:12b', loser)
    expect(w.terms[term]).toBeGreaterThan(l.terms[term])
    if (reason) {
      const marked = reason === REASON_CODES.MODEL_LOADED ? w : l
      expect(marked.reasons).toContain(reason)
    }
  })

  it('measured speed wins between otherwise equal servers', () => {
    const fast = server('fast', 'PRIMARY', [
      model('gemma3:12b', 'balanced', [], { tokensPerSecond: 80 }),
    ])
    const slow = server('slow', 'PRIMARY', [
      model('gemma3:12b', 'balanced', [], { tokensPerSecond: 8 }),
    ])
    const d = route([slow, fast], TASKS.explanation)
    expect(d.chosen?.serverId).toBe('fast')
    expect(candidate(d, 'gemma3:12b', 'fast').terms.speed).toBeGreaterThan(0)
  })

  it('in-flight penalty grows per request but is capped', () => {
    const d = route(twins({ inFlight: 1 }, { inFlight: 100 }), TASKS.explanation)
    const one = candidate(d, 'gemma3:12b', 'a').terms.inFlight
    const many = candidate(d, 'gemma3:12b', 'b').terms.inFlight
    expect(one).toBeLessThan(0)
    expect(many).toBeLessThan(one)
    expect(many).toBeGreaterThan(-40)
  })

  it('a loaded model reorders within a tier, never across one', () => {
    // Same tier on both sides: a loaded qwen3:14b beats a cold gemma3:12b for an explanation.
    const [remote, localhost] = seedFleet() as [ServerView, ServerView]
    const d = route([withLoaded(remote, 'qwen3:14b'), localhost], TASKS.explanation)
    expect(pick(d)).toBe('qwen3:14b @ remote')
    expect(d.reasons).toContain(REASON_CODES.MODEL_LOADED)
  })

  it('task_models preferences give a bonus by rank', () => {
    const config = providerConfig({
      task_models: { explanation: ['qwen3:14b', 'qwen2.5-coder:14b'] },
    })
    const d = route(seedFleet(), TASKS.explanation, { config })
    expect(pick(d)).toBe('qwen3:14b @ remote')
    const first = candidate(d, 'qwen3:14b', 'remote')
    const second = candidate(d, 'qwen2.5-coder:14b', 'remote')
    expect(first.reasons).toContain(REASON_CODES.PREFERRED_MODEL)
    expect(first.terms.preference).toBeGreaterThan(second.terms.preference)
    expect(second.terms.preference).toBeGreaterThan(0)
    expect(candidate(d, 'gemma3:12b', 'remote').terms.preference).toBe(0)
  })

  it('images go to a vision model', () => {
    const d = route(seedFleet(), TASKS.explanation, {
      messages: [{ role: 'user', content: 'What is on this picture?', images: ['aGVsbG8='] }],
    })
    expect(pick(d)).toBe('gemma3:12b @ remote')
    expect(candidate(d, 'gemma3:12b', 'remote').reasons).toContain(
      REASON_CODES.SPECIALISATION_MATCH,
    )
    // Only models that can read images take them: a blind one is left out, saying why.
    expect(candidate(d, 'qwen3:14b', 'remote').excludedBy).toBe(REASON_CODES.NO_VISION_SUPPORT)
    expect(d.chain.every((t) => t.model.startsWith('gemma3:') && t.model !== 'gemma3:1b')).toBe(
      true,
    )
  })

  it('images with no vision model reachable: rejected, never sent to a blind model', () => {
    const d = route(
      seedFleet({ remote: { health: { kind: 'offline', since: 1, error: 'x', nextProbeAt: 2 } } }),
      TASKS.explanation,
      {
        messages: [{ role: 'user', content: 'What is on this picture?', images: ['aGVsbG8='] }],
      },
    )
    expect(d.chosen).toBeNull()
    expect(candidate(d, 'gemma3:1b', 'localhost').excludedBy).toBe(REASON_CODES.NO_VISION_SUPPORT)
  })

  it('only images on the message being routed count, not on an earlier one', () => {
    const earlier = route(seedFleet(), TASKS.explanation, {
      messages: [
        { role: 'user', content: 'What is on this picture?', images: ['aGVsbG8='] },
        { role: 'assistant', content: 'A cat.' },
        { role: 'user', content: 'Explain the Singleton pattern' },
      ],
    })
    const plain = route(seedFleet(), TASKS.explanation)
    expect(earlier.candidates.map((c) => c.terms.total)).toEqual(
      plain.candidates.map((c) => c.terms.total),
    )
  })

  it('the terms add up to the total', () => {
    const d = route(seedFleet({ remote: { inFlight: 1 } }), TASKS.complexCode)
    for (const c of d.candidates.filter((x) => x.eligible)) {
      const { total, ...parts } = c.terms
      expect(Object.values(parts).reduce((a, b) => a + b, 0)).toBeCloseTo(total, 9)
    }
  })
})

describe('decide: the decision value', () => {
  it('is deterministic apart from id and timing', () => {
    const strip = (d: RoutingDecision) => ({ ...d, id: '', decisionMicros: 0 })
    const a = route(seedFleet(), TASKS.complexCode)
    const b = route(seedFleet(), TASKS.complexCode)
    expect(strip(a)).toEqual(strip(b))
    expect(a.id).not.toBe(b.id)
    expect(a.at).toBe(1_700_000_000_000)
    expect(a.decisionMicros).toBeGreaterThanOrEqual(0)
  })

  it('lists every candidate, best first, the same on every read and across serialisation', () => {
    const d = route(seedFleet(), TASKS.complexCode)
    const first = d.candidates
    expect(d.candidates).toBe(first)
    expect(first).toHaveLength(7)
    expect(first[0]).toMatchObject({ model: d.chosen?.model, serverId: d.chosen?.serverId })
    expect(first[0]?.terms.total).toBeGreaterThan(first[1]?.terms.total ?? Infinity)
    const viaJson = JSON.parse(JSON.stringify(d)) as RoutingDecision
    expect(viaJson.candidates).toEqual(first)
    expect(structuredClone(d).candidates).toEqual(first)
    expect({ ...d }.candidates).toBe(first)
  })

  it('a target carries the dial address of a server reached at a probed address, and only then', () => {
    const [remote, localhost] = seedFleet() as [ServerView, ServerView]
    const lan = { ...remote, url: 'http://gpu-box.local:11434', dialUrl: 'http://10.0.0.7:11434' }
    const d = route([lan, localhost], TASKS.explanation)
    expect(d.chain.filter((t) => t.serverId === 'remote').map((t) => t.dialUrl)).toEqual([
      'http://10.0.0.7:11434',
      'http://10.0.0.7:11434',
      'http://10.0.0.7:11434',
    ])
    expect(d.chain.filter((t) => t.serverId === 'localhost').some((t) => 'dialUrl' in t)).toBe(
      false,
    )
  })

  it('times itself with the performance clock, in microseconds', () => {
    const now = vi.spyOn(performance, 'now').mockReturnValueOnce(1000).mockReturnValueOnce(1000.25)
    try {
      expect(route(seedFleet(), TASKS.greeting).decisionMicros).toBeCloseTo(250, 6)
    } finally {
      now.mockRestore()
    }
  })

  it('its candidates can be replaced, as the routing log does to keep the best few', () => {
    const d = route(seedFleet(), TASKS.complexCode)
    const best = d.candidates.slice(0, 2)
    d.candidates = best
    expect(d.candidates).toBe(best)
    Object.defineProperty(d, 'candidates', { value: [], enumerable: true })
    expect(d.candidates).toEqual([])
  })

  it('carries mode, requested model, classification and the chosen target in full', () => {
    const classification: Classification = {
      complexity: 'trivial',
      taskType: 'greeting',
      reasons: [REASON_CODES.GREETING],
    }
    const d = route(seedFleet(), classification, { requestedModel: 'auto' })
    expect(d.mode).toEqual(AUTO)
    expect(d.requestedModel).toBe('auto')
    expect(d.classification).toEqual(classification)
    expect(d.chosen).toEqual({
      model: 'gemma3:1b',
      serverId: 'localhost',
      serverName: 'localhost',
      serverUrl: 'http://127.0.0.1:11501',
      tier: 'fast',
      priority: 'SECONDARY',
      loaded: false,
    })
    expect(d.reasons).toEqual(
      expect.arrayContaining([
        REASON_CODES.MODE_AUTO,
        REASON_CODES.TIER_MATCH,
        REASON_CODES.MODEL_COLD,
      ]),
    )
  })

  it.each<[string, string[], string]>([
    ['the last user message', ['first', 'second'], 'second'],
    ['the only user message, first in the conversation', ['only one'], 'only one'],
    ['on one line', ['line one\n\n  line two\ttab'], 'line one line two tab'],
    ['cut at 80 characters', ['x'.repeat(200)], 'x'.repeat(80)],
    ['trimmed', ['  padded line \n'], 'padded line'],
    ['empty without a user message', [], ''],
  ])('promptExcerpt: %s', (_name, contents, want) => {
    // The routed message is the last user one, wherever it sits; the assistant's reply after it is not.
    const messages: ChatMessage[] = [
      ...contents.map((content) => ({ role: 'user' as const, content })),
      { role: 'assistant', content: 'ignored' },
    ]
    expect(promptExcerpt(messages)).toBe(want)
    expect(route(seedFleet(), TASKS.chat, { messages }).promptExcerpt).toBe(want)
  })
})

describe('renderings of a decision', () => {
  it('percent-encodes names an HTTP header cannot carry', () => {
    const d = route([server('Marc’s box', 'PRIMARY', [model('gemma3:1b', 'fast')])], TASKS.greeting)
    expect(decisionHeaders(d)['X-AILLM-Server']).toBe('Marc%E2%80%99s%20box')
    expect(headerValue('localhost')).toBe('localhost')
    expect(headerValue('gpu box-2')).toBe('gpu box-2')
  })

  it.each<[string, Partial<RouteInput>, Classification, string, Record<string, string>]>([
    [
      'routed',
      {},
      TASKS.greeting,
      'Distributed routing: gemma3:1b @ localhost (fallback: False)',
      {
        'X-AILLM-Model': 'gemma3:1b',
        'X-AILLM-Server': 'localhost',
        'X-AILLM-Complexity': 'trivial',
        'X-AILLM-Fallback': 'false',
      },
    ],
    [
      'fallback',
      { servers: seedFleet({ remote: { breaker: 'open' } }), requestedModel: null },
      TASKS.complexCode,
      'Distributed routing: phi3:3b @ localhost (fallback: True)',
      {
        'X-AILLM-Model': 'phi3:3b',
        'X-AILLM-Server': 'localhost',
        'X-AILLM-Complexity': 'complex',
        'X-AILLM-Fallback': 'true',
      },
    ],
    [
      'rejected',
      { requestedModel: 'mistral:7b' },
      TASKS.chat,
      'Distributed routing: no model available (model-not-found)',
      { 'X-AILLM-Complexity': 'simple', 'X-AILLM-Fallback': 'false' },
    ],
  ])('%s', (_name, extra, classification, line, headers) => {
    const d = route(seedFleet(), classification, extra)
    expect(renderDecisionLog(d)).toBe(line)
    expect(decisionHeaders(d)).toEqual(headers)
  })
})

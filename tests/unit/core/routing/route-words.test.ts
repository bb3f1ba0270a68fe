/**
 * The words the window uses for routing, failover and fleet state (issue 15): built from real decisions
 * of the router on the seed topology, so the sentences stay true to what the router does.
 */
import { describe, expect, it } from 'vitest'
import { decide } from '../../../../electron/core/routing/router'
import { seamNote } from '../../../../electron/core/chat/continuation'
import { outcomeOfAnswer } from '../../../../electron/core/chat/decision-outcome'
import {
  explainDecision,
  failoverWords,
  fleetStatus,
  isFallbackOrFailover,
  latencyWords,
  outcomeLabel,
  seamWords,
  seamWordsInText,
  statusDetail,
  statusSentence,
} from '../../../../renderer/format'
import type { ResponseMetadata, RoutingDecision, ServerView } from '../../../../shared/types'
import {
  localhostModels,
  model,
  providerConfig,
  seedFleet,
  server,
} from '../../../helpers/fleet-fixtures'

function route(content: string, servers: ServerView[] = seedFleet()): RoutingDecision {
  return decide({
    messages: [{ role: 'user', content }],
    servers,
    config: providerConfig(),
    mode: { kind: 'auto' },
    requestedModel: null,
  })
}

describe('explainDecision: the route in plain words', () => {
  it.each([
    [
      'Write an auth system with JWT, refresh tokens and rate limiting',
      'Sent to qwen2.5-coder:14b on remote: a demanding coding task, and remote is the main server.',
    ],
    ['Hi!', 'Sent to gemma3:1b on localhost: a greeting, and localhost is the secondary server.'],
    [
      'Explain the Singleton pattern',
      'Sent to gemma3:12b on remote: a request for an explanation, and remote is the main server.',
    ],
  ])('%s → %s', (prompt, headline) => {
    expect(explainDecision(route(prompt)).headline).toBe(headline)
  })

  it('names the specialist and whether the model is loaded', () => {
    const why = explainDecision(
      route('Write an auth system with JWT, refresh tokens and rate limiting'),
    ).why
    expect(why).toContain('qwen2.5-coder:14b is a specialist for this kind of task.')
    expect(why).toContain(
      'qwen2.5-coder:14b is not loaded yet: the first answer waits for it to load.',
    )
  })

  it('says why the coder lost when a loaded model won', () => {
    // The coder is cold, gemma3:12b is loaded and fast: the router's loaded/speed terms decide.
    const servers = [
      server(
        'remote',
        'PRIMARY',
        [
          model('gemma3:12b', 'balanced', [], { loaded: true, tokensPerSecond: 60 }),
          model('qwen2.5-coder:14b', 'balanced', ['code']),
        ],
        { latencyMs: 45 },
      ),
      server('localhost', 'SECONDARY', localhostModels()),
    ]
    const d = route(
      'Refactor this TypeScript class to use dependency injection and explain the trade-offs',
      servers,
    )
    expect(d.chosen?.model).toBe('gemma3:12b')
    expect(explainDecision(d).headline).toBe(
      'Used gemma3:12b on remote for a coding task because the specialist qwen2.5-coder:14b was not loaded and would have had to load first.',
    )
  })

  it('a small model for a short coding task says the coder is bigger than needed', () => {
    expect(
      explainDecision(route('Write a Python function that reverses a linked list')).headline,
    ).toBe(
      'Used gemma3:1b on localhost for a short coding task because the specialist qwen2.5-coder:14b is bigger than this task needs.',
    )
  })

  it('a pinned model says the person picked it', () => {
    const d = decide({
      messages: [{ role: 'user', content: 'Hi!' }],
      servers: seedFleet(),
      config: providerConfig(),
      mode: { kind: 'model', model: 'llama3.3:70b', serverId: 'remote' },
      requestedModel: null,
    })
    expect(explainDecision(d).headline).toBe(
      'Sent to llama3.3:70b on remote: you picked this model.',
    )
  })

  it('the GPU box offline: a simplified model, said so', () => {
    const servers = seedFleet({
      remote: {
        health: { kind: 'offline', since: 0, error: 'connection refused', nextProbeAt: 0 },
      },
    })
    const { headline } = explainDecision(
      route('Write an auth system with JWT, refresh tokens and rate limiting', servers),
    )
    expect(headline).toMatch(
      /^Used .+ on localhost, a simplified model: nothing bigger is reachable/,
    )
  })
})

function metadataOf(d: RoutingDecision, over: Partial<ResponseMetadata>): ResponseMetadata {
  return {
    model: d.chosen?.model ?? '',
    provider: 'ollama',
    distributed_routing: true,
    server_used: d.chosen?.serverUrl ?? '',
    complexity_level: d.classification.complexity,
    used_fast_model: false,
    server_name: d.chosen?.serverName ?? '',
    task_type: d.classification.taskType,
    fallback: false,
    warning: null,
    attempts: [],
    decision_id: d.id,
    continued: false,
    tokens_per_second: null,
    ...over,
  }
}

describe('failover in words', () => {
  const d = route('Write an auth system with JWT, refresh tokens and rate limiting')
  const cut = {
    model: 'qwen2.5-coder:14b',
    serverName: 'remote',
    serverUrl: 'http://127.0.0.1:11500',
    outcome: 'interrupted' as const,
    reason: 'stream-dropped' as const,
    error: 'socket closed',
    chars: 40,
    ms: 900,
  }
  const failedOver = outcomeOfAnswer(
    d,
    metadataOf(d, {
      model: 'qwen2.5:1.5b',
      server_name: 'localhost',
      continued: true,
      attempts: [cut],
    }),
  )

  it('the seam note of the core reads as a sentence', () => {
    const note = seamNote('remote', 'stream-dropped', {
      model: 'gemma3:1b',
      serverName: 'localhost',
    })
    expect(seamWords(note)).toBe('remote stopped answering — continued on localhost (gemma3:1b)')
    expect(
      seamWords(seamNote('remote', 'server-frozen', { model: 'm', serverName: 'laptop' })),
    ).toBe('remote froze — continued on laptop (m)')
    expect(seamWords('anything else')).toBe('anything else')
  })

  it('a stored answer’s text gets the same words', () => {
    const note = seamNote('remote', 'stall-timeout', {
      model: 'gemma3:1b',
      serverName: 'localhost',
    })
    expect(seamWordsInText(`part one\n\n${note}\n\npart two`)).toBe(
      'part one\n\nremote went quiet in the middle of the answer — continued on localhost (gemma3:1b)\n\npart two',
    )
  })

  it('the log’s outcome column and the Fallbacks-only filter see a failover', () => {
    expect(outcomeLabel(d)).toBe('sent')
    expect(isFallbackOrFailover(d)).toBe(false)
    const after = { ...d, outcome: failedOver }
    expect(outcomeLabel(after)).toBe('failed over → qwen2.5:1.5b @ localhost')
    expect(isFallbackOrFailover(after)).toBe(true)
    const ok = { ...d, outcome: outcomeOfAnswer(d, metadataOf(d, {})) }
    expect(outcomeLabel(ok)).toBe('routed')
    expect(isFallbackOrFailover(ok)).toBe(false)
    expect(outcomeLabel({ ...d, outcome: { kind: 'failed', at: 0, error: 'x' } })).toBe('failed')
    expect(isFallbackOrFailover({ ...d, outcome: { kind: 'failed', at: 0, error: 'x' } })).toBe(
      true,
    )
  })

  it('the toast’s sentence', () => {
    if (failedOver.kind !== 'failed-over') throw new Error('expected a failover')
    expect(failoverWords(failedOver)).toBe(
      'remote stopped answering — continued on localhost (qwen2.5:1.5b)',
    )
  })
})

describe('fleet state in one language', () => {
  const [remote, laptop] = seedFleet() as [ServerView, ServerView]
  const offline = {
    ...remote,
    health: { kind: 'offline' as const, since: 0, error: 'connection refused', nextProbeAt: 0 },
  }

  it('offline is offline whatever the breaker says (one colour for the same error)', () => {
    expect(fleetStatus({ ...offline, breaker: 'open' })).toBe('offline')
    expect(fleetStatus({ ...offline, breaker: 'closed' })).toBe('offline')
    expect(fleetStatus(laptop)).toBe('online')
    expect(fleetStatus({ ...laptop, breaker: 'half-open' })).toBe('degraded')
    expect(fleetStatus({ ...laptop, trusted: false })).toBe('untrusted')
  })

  it('no breaker jargon', () => {
    expect(statusSentence({ ...laptop, breaker: 'half-open' })).toBe(
      'Degraded: recovering: trying again',
    )
    expect(statusSentence(offline)).toMatch(/^Offline since .+: connection refused$/)
  })

  it('latency once, stale when the server no longer answers', () => {
    expect(latencyWords(remote)).toEqual({ text: '45 ms', stale: false })
    expect(latencyWords({ ...offline, latencyMs: 45 })).toEqual({
      text: '45 ms · stale',
      stale: true,
    })
    expect(latencyWords({ ...remote, latencyMs: null })).toBeNull()
  })
})

describe('statusDetail: the words after the status word on a card', () => {
  const [remote] = seedFleet() as [ServerView]
  it.each([
    [remote, null],
    [
      {
        ...remote,
        health: { kind: 'offline' as const, since: 0, error: 'refused', nextProbeAt: 0 },
      },
      /^since .+: refused$/,
    ],
    [{ ...remote, breaker: 'half-open' as const }, 'recovering: trying again'],
    [{ ...remote, trusted: false }, 'found on the LAN, not used until you trust it'],
  ])('%#', (s, want) => {
    const got = statusDetail(s)
    if (want instanceof RegExp) expect(got).toMatch(want)
    else expect(got).toBe(want)
  })
})

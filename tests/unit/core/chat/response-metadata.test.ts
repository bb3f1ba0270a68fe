import { describe, expect, it } from 'vitest'
import {
  buildResponseMetadata,
  isLowerTier,
  tokensPerSecondOf,
} from '../../../../electron/core/chat/response-metadata'
import type { RoutingDecision, RoutingTarget, Tier } from '../../../../shared/types'

const target = (model: string, serverName: string, tier: Tier): RoutingTarget => ({
  model,
  serverId: serverName,
  serverName,
  serverUrl: `http://127.0.0.1:1/${serverName}`,
  tier,
  priority: 'PRIMARY',
  loaded: true,
})

const decisionWith = (
  chain: RoutingTarget[],
  wantedTier: Tier,
  fallback = false,
  mode: RoutingDecision['mode'] = { kind: 'auto' },
): RoutingDecision => ({
  id: 'd-7',
  at: 0,
  mode,
  requestedModel: null,
  classification: { complexity: 'complex', taskType: 'code', reasons: [] },
  wantedTier,
  action: fallback ? 'fallback' : 'routed',
  chosen: chain[0] ?? null,
  chain,
  candidates: [],
  reasons: [],
  fallback,
  warning: null,
  promptExcerpt: '',
  decisionMicros: 1,
})

const coder = target('qwen2.5-coder:14b', 'remote', 'balanced')
const big = target('llama3.3:70b', 'remote', 'powerful')
const small = target('qwen2.5:1.5b', 'localhost', 'fast')

describe('isLowerTier', () => {
  it.each([
    ['the chosen target itself', [coder, small], 'powerful', false, coder, false],
    [
      'a balanced code specialist chosen for a powerful task',
      [coder],
      'powerful',
      false,
      coder,
      false,
    ],
    ['a fast model after a balanced choice', [coder, small], 'powerful', false, small, true],
    ['a powerful model after a balanced choice', [coder, big], 'powerful', false, big, false],
    ['anything when the router already fell back', [small], 'powerful', true, small, true],
    ['nothing chosen: compared with the wanted tier', [], 'balanced', false, small, true],
  ] as const)('%s', (_name, chain, wanted, fallback, finalTarget, expected) => {
    expect(isLowerTier(finalTarget, decisionWith([...chain], wanted, fallback))).toBe(expected)
  })
})

describe('buildResponseMetadata', () => {
  it('renders the spec fields and the warning for a fallback answer', () => {
    const decision = decisionWith([coder, small], 'powerful')
    const meta = buildResponseMetadata({
      decision,
      finalTarget: small,
      attempts: [],
      continued: false,
      tokensPerSecond: 12.5,
    })
    expect(meta).toEqual({
      model: 'qwen2.5:1.5b',
      provider: 'ollama',
      distributed_routing: true,
      server_used: small.serverUrl,
      complexity_level: 'complex',
      used_fast_model: true,
      server_name: 'localhost',
      task_type: 'code',
      fallback: true,
      warning: 'A simplified model is being used: qwen2.5:1.5b @ localhost',
      attempts: [],
      decision_id: 'd-7',
      continued: false,
      tokens_per_second: 12.5,
      usage_summed: false,
    })
  })

  it.each([
    ['auto over two servers', { kind: 'auto' }, [coder, small], true],
    ['auto over one server', { kind: 'auto' }, [coder, big], false],
    ['a pinned server', { kind: 'server', serverId: 'remote' }, [coder, small], false],
  ] as const)('distributed_routing: %s', (_name, mode, chain, expected) => {
    const meta = buildResponseMetadata({
      decision: decisionWith([...chain], 'balanced', false, mode),
      finalTarget: coder,
      attempts: [],
      continued: false,
      tokensPerSecond: null,
    })
    expect(meta.distributed_routing).toBe(expected)
    expect(meta.warning).toBeNull()
  })
})

describe('tokensPerSecondOf', () => {
  it.each([
    [{ eval_count: 282, eval_duration: 4_535_599_000 }, 282 / 4.535599],
    [{ eval_count: 10, eval_duration: 0 }, null],
    [{ eval_count: 10 }, null],
    [null, null],
  ])('%j → %s', (final, expected) => {
    const tps = tokensPerSecondOf(final)
    if (expected === null) expect(tps).toBeNull()
    else expect(tps).toBeCloseTo(expected, 6)
  })
})

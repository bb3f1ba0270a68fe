import { describe, expect, it } from 'vitest'
import { preferenceMap, scoreModel, scoreServer } from '../../../../electron/core/routing/scoring'
import type { ScoringContext } from '../../../../electron/core/routing/scoring'
import {
  effectiveTierRank,
  maxTier,
  normaliseTag,
  parseModelRequest,
  tierForComplexity,
  wantedTier,
} from '../../../../electron/core/routing/tiers'
import { REASON_CODES } from '../../../../shared/types'
import type {
  Complexity,
  Priority,
  ServerView,
  Specialisation,
  TaskType,
  Tier,
} from '../../../../shared/types'
import { model, server } from '../../../helpers/fleet-fixtures'
import type { ModelOverrides, ServerOverrides } from '../../../helpers/fleet-fixtures'

function ctx(
  wanted: Tier,
  taskType: TaskType,
  extra: Partial<ScoringContext> = {},
): ScoringContext {
  const rank = { fast: 0, balanced: 1, powerful: 2 }[wanted]
  return {
    wantedRank: rank,
    complexity: 'moderate',
    taskType,
    wantsVision: false,
    preferences: new Map(),
    numCtx: null,
    ...extra,
  }
}

const plainServer = scoreServer(server('s', 'PRIMARY', [], { latencyMs: 0 }))

describe('tiers', () => {
  it.each<[Complexity, Tier]>([
    ['trivial', 'fast'],
    ['simple', 'fast'],
    ['moderate', 'balanced'],
    ['complex', 'powerful'],
  ])('%s wants %s', (complexity, tier) => {
    expect(tierForComplexity(complexity)).toBe(tier)
  })

  it.each<[Complexity, Tier | null, Tier | undefined, Tier]>([
    ['trivial', null, undefined, 'fast'],
    ['trivial', 'powerful', undefined, 'powerful'],
    ['complex', 'fast', undefined, 'fast'],
    ['trivial', null, 'balanced', 'balanced'],
    ['complex', null, 'balanced', 'powerful'],
    ['trivial', 'fast', 'powerful', 'powerful'],
  ])('wantedTier(%s, forced %s, min %s) = %s', (complexity, forced, min, want) => {
    expect(wantedTier(complexity, forced, min)).toBe(want)
  })

  it.each([
    [null, { kind: 'auto' }],
    ['', { kind: 'auto' }],
    ['auto', { kind: 'auto' }],
    [' auto ', { kind: 'auto' }],
    ['auto:fast', { kind: 'tier', tier: 'fast' }],
    ['auto:balanced', { kind: 'tier', tier: 'balanced' }],
    ['auto:powerful', { kind: 'tier', tier: 'powerful' }],
    ['auto:huge', { kind: 'tag', tag: 'auto:huge' }],
    ['gemma3:1b', { kind: 'tag', tag: 'gemma3:1b' }],
  ])('parseModelRequest(%j)', (input, want) => {
    expect(parseModelRequest(input)).toEqual(want)
  })

  it.each<[Tier, Specialisation[], TaskType, number]>([
    ['balanced', ['code'], 'code', 2],
    ['balanced', ['code'], 'explanation', 1],
    ['fast', ['code'], 'code', 1],
    ['powerful', ['code'], 'code', 2],
    ['balanced', ['reasoning'], 'reasoning', 1],
    ['balanced', [], 'code', 1],
  ])('effective rank of %s %j for %s = %i', (tier, specs, task, rank) => {
    expect(effectiveTierRank(tier, specs, task)).toBe(rank)
    const scored = scoreModel(ctx('powerful', task), model('m:7b', tier, specs), plainServer)
    expect(scored.effectiveRank).toBe(rank)
  })

  it.each([
    ['llama3', 'llama3:latest'],
    ['llama3:latest', 'llama3:latest'],
    ['gemma3:1b', 'gemma3:1b'],
  ])('normaliseTag(%s) = %s', (tag, want) => {
    expect(normaliseTag(tag)).toBe(want)
  })

  it('maxTier', () => {
    expect(maxTier('fast', 'balanced')).toBe('balanced')
    expect(maxTier('powerful', 'fast')).toBe('powerful')
  })
})

type Fixture = ReturnType<typeof model>

/** A size-less model: isolates the term under test from the size tie-break. */
const bare = (name: string, tier: Tier, specs: Specialisation[] = [], o: ModelOverrides = {}) =>
  model(name, tier, specs, { parametersB: null, ...o })

/** A PRIMARY server with no latency, as the neutral place to score a model on. */
const at = (overrides: ServerOverrides = {}, priority: Priority = 'PRIMARY') =>
  server('s', priority, [], { latencyMs: 0, ...overrides })

/** One model's total on one server for one request. */
function total(c: ScoringContext, m: Fixture, s: ServerView = at()): number {
  return scoreModel(c, m, scoreServer(s)).terms.total
}

function reasonsOf(c: ScoringContext, m: Fixture, s: ServerView = at()): string[] {
  return scoreModel(c, m, scoreServer(s)).reasons
}

describe('scoreModel: tier fit', () => {
  it('the wanted tier wins, a tier too big comes next, a tier too small last', () => {
    const c = ctx('balanced', 'chat')
    const match = total(c, bare('m', 'balanced'))
    const tooBig = total(c, bare('m', 'powerful'))
    const tooSmall = total(c, bare('m', 'fast'))
    expect(match).toBeGreaterThan(tooBig)
    expect(tooBig).toBeGreaterThan(tooSmall)
    expect(reasonsOf(c, bare('m', 'balanced'))).toContain(REASON_CODES.TIER_MATCH)
    expect(reasonsOf(c, bare('m', 'powerful'))).toContain(REASON_CODES.TIER_TOO_BIG)
    expect(reasonsOf(c, bare('m', 'fast'))).toContain(REASON_CODES.TIER_TOO_SMALL)
  })

  it('every tier too big costs the same again, and so does every tier too small', () => {
    const light = ctx('fast', 'chat')
    const match = total(light, bare('m', 'fast'))
    const oneBig = total(light, bare('m', 'balanced'))
    const twoBig = total(light, bare('m', 'powerful'))
    expect(match - oneBig).toBeGreaterThan(0)
    expect(oneBig - twoBig).toBeCloseTo(match - oneBig, 9)

    const heavy = ctx('powerful', 'chat')
    const top = total(heavy, bare('m', 'powerful'))
    const oneSmall = total(heavy, bare('m', 'balanced'))
    const twoSmall = total(heavy, bare('m', 'fast'))
    expect(top - oneSmall).toBeGreaterThan(match - oneBig)
    expect(oneSmall - twoSmall).toBeCloseTo(top - oneSmall, 9)
  })

  it('a tier too big costs more than PRIMARY gains over SECONDARY', () => {
    const c = ctx('fast', 'chat')
    const fit = total(c, bare('small', 'fast'), at({}, 'SECONDARY'))
    const big = total(c, bare('big', 'balanced'), at({}, 'PRIMARY'))
    expect(fit).toBeGreaterThan(big)
  })

  // The tier fit each model gets equals that of a plain model of the tier it counts as.
  it.each<[string, Tier, Specialisation[], Tier, TaskType, Tier, string]>([
    [
      'coder lifted to powerful for code',
      'balanced',
      ['code'],
      'powerful',
      'code',
      'powerful',
      REASON_CODES.TIER_MATCH,
    ],
    [
      'fast coder lifted to balanced for code',
      'fast',
      ['code'],
      'powerful',
      'code',
      'balanced',
      REASON_CODES.TIER_TOO_SMALL,
    ],
    [
      'fast coder reaches balanced code work',
      'fast',
      ['code'],
      'balanced',
      'code',
      'balanced',
      REASON_CODES.TIER_MATCH,
    ],
    [
      'powerful coder stays powerful',
      'powerful',
      ['code'],
      'powerful',
      'code',
      'powerful',
      REASON_CODES.TIER_MATCH,
    ],
    [
      'coder not lifted for prose',
      'balanced',
      ['code'],
      'powerful',
      'writing',
      'balanced',
      REASON_CODES.TIER_TOO_SMALL,
    ],
    [
      'coder never "too big" for moderate code',
      'balanced',
      ['code'],
      'balanced',
      'code',
      'balanced',
      REASON_CODES.TIER_MATCH,
    ],
    [
      'reasoner not lifted',
      'balanced',
      ['reasoning'],
      'powerful',
      'reasoning',
      'balanced',
      REASON_CODES.TIER_TOO_SMALL,
    ],
  ])('%s', (_name, tier, specs, wanted, task, countsAs, reason) => {
    const c = ctx(wanted, task)
    const s = scoreModel(c, bare('m', tier, specs), scoreServer(at()))
    const reference = scoreModel(c, bare('ref', countsAs), scoreServer(at()))
    expect(s.terms.tierFit).toBe(reference.terms.tierFit)
    expect(s.reasons).toContain(reason)
  })

  it.each<[string, Tier, number, number]>([
    ['smaller is better for light work', 'fast', 1, 3],
    ['smaller is better for moderate work', 'balanced', 12, 14],
  ])('%s', (_name, tier, small, big) => {
    const c = ctx(tier, 'chat')
    const a = scoreModel(c, model(`a:${small}b`, tier), plainServer).terms.tierFit
    const b = scoreModel(c, model(`b:${big}b`, tier), plainServer).terms.tierFit
    expect(a).toBeGreaterThan(b)
  })

  it.each<[string, Tier, Tier]>([
    ['bigger is better for powerful work', 'powerful', 'powerful'],
    ['bigger is better when reaching up', 'fast', 'powerful'],
  ])('%s', (_name, tier, wanted) => {
    const c = ctx(wanted, 'chat')
    const a = scoreModel(c, model('a:1b', tier), plainServer).terms.tierFit
    const b = scoreModel(c, model('b:3b', tier), plainServer).terms.tierFit
    expect(b).toBeGreaterThan(a)
  })

  it('size only breaks ties: a 405B model on SECONDARY loses to a 70B one on PRIMARY', () => {
    const c = ctx('powerful', 'reasoning')
    const primary = total(c, model('llama3.3:70b', 'powerful'), at({}, 'PRIMARY'))
    const secondary = total(c, model('llama3.1:405b', 'powerful'), at({}, 'SECONDARY'))
    expect(primary).toBeGreaterThan(secondary)
  })
})

describe('scoreModel: specialisation', () => {
  it('a code specialist beats a general model of its tier on code, even one already loaded', () => {
    const c = ctx('balanced', 'code')
    const coder = bare('coder', 'balanced', ['code'])
    const general = bare('general', 'balanced', [], { loaded: true, fullyInGpu: true })
    expect(total(c, coder)).toBeGreaterThan(total(c, general))
    expect(reasonsOf(c, coder)).toContain(REASON_CODES.SPECIALISATION_MATCH)
    expect(reasonsOf(c, general)).not.toContain(REASON_CODES.SPECIALISATION_MATCH)
  })

  it.each<[TaskType]>([['explanation'], ['reasoning'], ['chat']])(
    'a code specialist loses %s to a cold general model, even loaded and measured fast',
    (task) => {
      const c = ctx('balanced', task)
      const coder = bare('coder', 'balanced', ['code'], {
        loaded: true,
        fullyInGpu: true,
        tokensPerSecond: 1e6,
      })
      expect(total(c, bare('general', 'balanced'))).toBeGreaterThan(total(c, coder))
      expect(reasonsOf(c, coder)).not.toContain(REASON_CODES.SPECIALISATION_MATCH)
    },
  )

  it('a reasoning specialist beats a general model of its tier on reasoning, within its tier only', () => {
    const moderate = ctx('balanced', 'reasoning')
    const reasoner = bare('reasoner', 'balanced', ['reasoning'])
    expect(total(moderate, reasoner)).toBeGreaterThan(total(moderate, bare('general', 'balanced')))
    expect(reasonsOf(moderate, reasoner)).toContain(REASON_CODES.SPECIALISATION_MATCH)
    // Never a tier lift: a powerful general model still wins complex reasoning.
    const complex = ctx('powerful', 'reasoning')
    expect(total(complex, bare('general', 'powerful'))).toBeGreaterThan(total(complex, reasoner))
  })

  it.each<[string, Specialisation[], TaskType]>([
    ['a vision model on reasoning', ['vision'], 'reasoning'],
    ['an embedding-tagged model on reasoning', ['embedding'], 'reasoning'],
    ['a reasoner on chat', ['reasoning'], 'chat'],
    ['a reasoner on code', ['reasoning'], 'code'],
    ['a vision model on code', ['vision'], 'code'],
  ])('%s scores as a general model would', (_name, specs, task) => {
    const c = ctx('balanced', task)
    const m = bare('m', 'balanced', specs)
    expect(total(c, m)).toBe(total(c, bare('general', 'balanced')))
    expect(reasonsOf(c, m)).not.toContain(REASON_CODES.SPECIALISATION_MATCH)
  })

  it('images: a vision model beats a blind one, even loaded and measured fast', () => {
    const c = ctx('balanced', 'chat', { wantsVision: true })
    const vision = bare('v', 'balanced', ['vision'])
    const blind = bare('b', 'balanced', [], {
      loaded: true,
      fullyInGpu: true,
      tokensPerSecond: 1e6,
    })
    expect(total(c, vision)).toBeGreaterThan(total(c, blind))
    expect(reasonsOf(c, vision)).toContain(REASON_CODES.SPECIALISATION_MATCH)
    expect(reasonsOf(c, blind)).not.toContain(REASON_CODES.SPECIALISATION_MATCH)
  })

  it('images raise a vision model and lower a blind one; without images both are plain', () => {
    const text = ctx('balanced', 'chat')
    const images = ctx('balanced', 'chat', { wantsVision: true })
    const vision = bare('v', 'balanced', ['vision'])
    const blind = bare('b', 'balanced')
    expect(total(text, vision)).toBe(total(text, blind))
    expect(total(images, vision)).toBeGreaterThan(total(text, vision))
    expect(total(images, blind)).toBeLessThan(total(text, blind))
  })

  it('only a vision model sees: with images, an embedding-tagged model is as blind as a plain one', () => {
    const c = ctx('balanced', 'chat', { wantsVision: true })
    expect(total(c, bare('e', 'balanced', ['embedding']))).toBe(total(c, bare('b', 'balanced')))
  })

  it('a coder that can see gets both its code bonus and the vision bonus', () => {
    const c = ctx('balanced', 'code', { wantsVision: true })
    const both = bare('vc', 'balanced', ['code', 'vision'])
    expect(total(c, both)).toBeGreaterThan(total(c, bare('c', 'balanced', ['code'])))
    expect(total(c, both)).toBeGreaterThan(total(c, bare('v', 'balanced', ['vision'])))
  })
})

describe('scoreModel: resources', () => {
  const c = ctx('balanced', 'chat')

  it('loaded fully in GPU beats loaded partly on the CPU, which still beats cold', () => {
    const full = bare('m', 'balanced', [], { loaded: true, fullyInGpu: true })
    const unknown = bare('m', 'balanced', [], { loaded: true, fullyInGpu: null })
    const partial = bare('m', 'balanced', [], { loaded: true, fullyInGpu: false })
    const cold = bare('m', 'balanced')
    expect(total(c, full)).toBeGreaterThan(total(c, partial))
    expect(total(c, partial)).toBeGreaterThan(total(c, cold))
    expect(total(c, unknown)).toBe(total(c, full))
    expect(reasonsOf(c, full)).toContain(REASON_CODES.MODEL_LOADED)
    expect(reasonsOf(c, full)).not.toContain(REASON_CODES.PARTIAL_GPU)
    expect(reasonsOf(c, partial)).toEqual(
      expect.arrayContaining([REASON_CODES.MODEL_LOADED, REASON_CODES.PARTIAL_GPU]),
    )
    expect(reasonsOf(c, cold)).toContain(REASON_CODES.MODEL_COLD)
    expect(reasonsOf(c, cold)).not.toContain(REASON_CODES.MODEL_LOADED)
  })

  it('num_ctx: a runner loaded with another context length counts as cold; a fitting one as loaded', () => {
    const loadedAt = (n: number | null) =>
      bare('m', 'balanced', [], { loaded: true, fullyInGpu: true, loadedContextLength: n })
    const cold = bare('m', 'balanced')
    const asking = ctx('balanced', 'chat', { numCtx: 8192 })
    // Asked for 8192: the 8192 runner keeps its loaded bonus, the 4096 one is scored as a cold load.
    expect(total(asking, loadedAt(8192))).toBe(total(c, loadedAt(8192)))
    expect(total(asking, loadedAt(4096))).toBe(total(asking, cold))
    expect(total(asking, loadedAt(8192))).toBeGreaterThan(total(asking, loadedAt(4096)))
    expect(reasonsOf(asking, loadedAt(4096))).toContain(REASON_CODES.CONTEXT_RELOAD)
    expect(reasonsOf(asking, loadedAt(4096))).not.toContain(REASON_CODES.MODEL_LOADED)
    expect(reasonsOf(asking, loadedAt(8192))).not.toContain(REASON_CODES.CONTEXT_RELOAD)
    // A request without num_ctx, or a runner whose context is unknown, stays loaded.
    expect(total(c, loadedAt(4096))).toBe(total(c, loadedAt(8192)))
    expect(reasonsOf(c, loadedAt(4096))).toContain(REASON_CODES.MODEL_LOADED)
    expect(total(asking, loadedAt(null))).toBe(total(c, loadedAt(8192)))
    // A cold model is cold for any num_ctx, without a reload reason.
    expect(reasonsOf(asking, cold)).not.toContain(REASON_CODES.CONTEXT_RELOAD)
  })

  it('measured speed counts per tenfold, unmeasured as nothing', () => {
    const tps = (t: number | null) => total(c, bare('m', 'balanced', [], { tokensPerSecond: t }))
    expect(tps(9)).toBeGreaterThan(tps(null))
    expect(tps(0)).toBe(tps(null))
    expect(tps(-5)).toBe(tps(null))
    expect(tps(99) - tps(9)).toBeCloseTo(tps(9) - tps(null), 9)
  })

  it('speed is capped: a cold model at any speed loses to a loaded unmeasured one', () => {
    const fast = bare('m', 'balanced', [], { tokensPerSecond: 1e9 })
    const loaded = bare('m', 'balanced', [], { loaded: true, fullyInGpu: true })
    expect(total(c, loaded)).toBeGreaterThan(total(c, fast))
    expect(total(c, fast)).toBe(total(c, bare('m', 'balanced', [], { tokensPerSecond: 1e6 })))
  })

  // The spec's invariant (SCORE_WEIGHTS): resource terms reorder models of the same fit but never
  // make a wrong tier win on their own. Each row: the fitting model at the worst of one term
  // against a model a tier off at the best of it.
  it.each<[string, ServerOverrides, ModelOverrides, ServerOverrides, ModelOverrides]>([
    ['latency', { latencyMs: 1e6 }, {}, { latencyMs: 0 }, {}],
    ['requests in flight', { inFlight: 1000 }, {}, { inFlight: 0 }, {}],
    ['cold against loaded', {}, {}, {}, { loaded: true, fullyInGpu: true }],
    [
      'partly on the CPU',
      {},
      { loaded: true, fullyInGpu: false },
      {},
      { loaded: true, fullyInGpu: true },
    ],
    ['measured speed', {}, {}, {}, { tokensPerSecond: 1e9 }],
    [
      'degraded with a half-open breaker',
      {
        health: { kind: 'degraded', since: 0, latencyMs: 900, reason: 'slow' },
        breaker: 'half-open',
      },
      {},
      {},
      {},
    ],
  ])('%s never makes a wrong tier win', (_name, worstServer, worstModel, bestServer, bestModel) => {
    const fit = total(c, bare('fit', 'balanced', [], worstModel), at(worstServer))
    for (const off of ['fast', 'powerful'] as const) {
      expect(fit).toBeGreaterThan(total(c, bare('off', off, [], bestModel), at(bestServer)))
    }
  })
})

describe('scoreModel: task_models preferences', () => {
  const prefs = preferenceMap(
    { code: ['qwen2.5-coder:14b', 'llama3', 'a', 'b', 'c', 'd', 'llama3:latest'] },
    'code',
  )
  const score = (name: string) =>
    total(ctx('balanced', 'code', { preferences: prefs }), bare(name, 'balanced'))

  it('listed models win by rank, over any unlisted one', () => {
    expect(score('qwen2.5-coder:14b')).toBeGreaterThan(score('llama3:latest'))
    expect(score('llama3:latest')).toBeGreaterThan(score('a:latest'))
    expect(score('a:latest')).toBeGreaterThan(score('b:latest'))
    expect(score('d:latest')).toBeGreaterThan(score('gemma3:1b'))
  })

  it('every step down the list costs the same, down to a floor that still beats unlisted', () => {
    expect(score('llama3:latest') - score('a:latest')).toBeCloseTo(
      score('qwen2.5-coder:14b') - score('llama3:latest'),
      9,
    )
    expect(score('c:latest')).toBe(score('d:latest'))
    expect(score('d:latest')).toBeGreaterThan(score('gemma3:1b'))
  })

  it('a name matches name:latest, and a model listed twice keeps its better rank', () => {
    expect(prefs.get('llama3:latest')).toBe(1)
    expect(prefs.size).toBe(6)
    const reasons = reasonsOf(
      ctx('balanced', 'code', { preferences: prefs }),
      bare('llama3', 'balanced'),
    )
    expect(reasons).toContain(REASON_CODES.PREFERRED_MODEL)
    expect(reasonsOf(ctx('balanced', 'code'), bare('llama3', 'balanced'))).not.toContain(
      REASON_CODES.PREFERRED_MODEL,
    )
  })

  it('only the task type at hand counts', () => {
    expect(preferenceMap({ code: ['x'] }, 'chat').size).toBe(0)
    expect(preferenceMap({}, 'code').size).toBe(0)
  })
})

describe('scoreServer', () => {
  const c = ctx('balanced', 'chat')
  const m = bare('m', 'balanced')

  it('PRIMARY beats SECONDARY beats FALLBACK, each with its reason', () => {
    const primary = at({}, 'PRIMARY')
    const secondary = at({}, 'SECONDARY')
    const fallback = at({}, 'FALLBACK')
    expect(total(c, m, primary)).toBeGreaterThan(total(c, m, secondary))
    expect(total(c, m, secondary)).toBeGreaterThan(total(c, m, fallback))
    expect(scoreServer(primary).reasons).toEqual([REASON_CODES.PRIORITY_PRIMARY])
    expect(scoreServer(secondary).reasons).toEqual([REASON_CODES.PRIORITY_SECONDARY])
    expect(scoreServer(fallback).reasons).toEqual([REASON_CODES.PRIORITY_FALLBACK])
  })

  it('online beats a half-open breaker beats probing beats degraded beats degraded and half-open', () => {
    const degraded = { kind: 'degraded', since: 0, latencyMs: 900, reason: 'slow' } as const
    const order = [
      at(),
      at({ breaker: 'half-open' }),
      at({ health: { kind: 'probing', since: 0 } }),
      at({ health: degraded }),
      at({ health: degraded, breaker: 'half-open' }),
    ].map((s) => total(c, m, s))
    expect(order).toEqual([...order].sort((a, b) => b - a))
    expect(new Set(order).size).toBe(order.length)
    expect(scoreServer(at({ health: degraded })).reasons).toContain(REASON_CODES.SERVER_DEGRADED)
    expect(scoreServer(at({ health: { kind: 'probing', since: 0 } })).reasons).not.toContain(
      REASON_CODES.SERVER_DEGRADED,
    )
  })

  it('a probing PRIMARY loses to an online one, and a half-open one to both', () => {
    const probing = total(c, m, at({ health: { kind: 'probing', since: 0 } }))
    expect(total(c, m, at())).toBeGreaterThan(probing)
    expect(probing).toBeGreaterThan(
      total(c, m, at({ health: { kind: 'probing', since: 0 }, breaker: 'half-open' })),
    )
  })

  it('latency costs in proportion, up to a cap; unknown latency costs nothing', () => {
    const ms = (latencyMs: number | null) => total(c, m, at({ latencyMs }))
    expect(ms(10)).toBeGreaterThan(ms(100))
    expect(ms(0) - ms(40)).toBeCloseTo(2 * (ms(0) - ms(20)), 9)
    expect(ms(null)).toBe(ms(0))
    expect(ms(100_000)).toBe(ms(1_000_000))
    expect(ms(100_000)).toBeLessThan(ms(100))
  })

  it('every request in flight costs the same, up to a cap; only a busy server is marked BUSY', () => {
    const busy = (inFlight: number) => total(c, m, at({ inFlight }))
    expect(busy(0)).toBeGreaterThan(busy(1))
    expect(busy(0) - busy(2)).toBeCloseTo(2 * (busy(0) - busy(1)), 9)
    expect(busy(50)).toBe(busy(100))
    expect(busy(50)).toBeLessThan(busy(2))
    expect(scoreServer(at({ inFlight: 1 })).reasons).toContain(REASON_CODES.BUSY)
    expect(scoreServer(at({ inFlight: 0 })).reasons).not.toContain(REASON_CODES.BUSY)
  })

  it('the terms add up to the total', () => {
    const s = scoreModel(
      ctx('balanced', 'code', { wantsVision: true, preferences: new Map([['m:7b', 0]]) }),
      model('m:7b', 'fast', ['code'], { loaded: true, fullyInGpu: false, tokensPerSecond: 30 }),
      scoreServer(at({ inFlight: 2, latencyMs: 70, breaker: 'half-open' }, 'SECONDARY')),
    )
    const { total: sum, ...parts } = s.terms
    expect(Object.values(parts).every((v) => v !== 0)).toBe(true)
    expect(Object.values(parts).reduce((a, b) => a + b, 0)).toBeCloseTo(sum, 9)
  })
})

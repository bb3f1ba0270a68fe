import { describe, expect, it } from 'vitest'
import {
  preferenceMap,
  SCORE_WEIGHTS as W,
  scoreModel,
  scoreServer,
} from '../../../../electron/core/routing/scoring'
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
import type { Complexity, Specialisation, TaskType, Tier } from '../../../../shared/types'
import { model, server } from '../../../helpers/fleet-fixtures'

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

describe('scoreModel: tier fit', () => {
  it.each<[string, Tier, Specialisation[], Tier, TaskType, string, number]>([
    ['exact match', 'fast', [], 'fast', 'chat', REASON_CODES.TIER_MATCH, W.tierMatch],
    [
      'one too big',
      'balanced',
      [],
      'fast',
      'chat',
      REASON_CODES.TIER_TOO_BIG,
      W.tierMatch - W.tooBigStep,
    ],
    [
      'two too big',
      'powerful',
      [],
      'fast',
      'chat',
      REASON_CODES.TIER_TOO_BIG,
      W.tierMatch - 2 * W.tooBigStep,
    ],
    [
      'one too small',
      'balanced',
      [],
      'powerful',
      'chat',
      REASON_CODES.TIER_TOO_SMALL,
      W.tierMatch - W.tooSmallStep,
    ],
    [
      'two too small',
      'fast',
      [],
      'powerful',
      'chat',
      REASON_CODES.TIER_TOO_SMALL,
      W.tierMatch - 2 * W.tooSmallStep,
    ],
    [
      'coder lifted to powerful for code',
      'balanced',
      ['code'],
      'powerful',
      'code',
      REASON_CODES.TIER_MATCH,
      W.tierMatch,
    ],
    [
      'coder not lifted for prose',
      'balanced',
      ['code'],
      'powerful',
      'writing',
      REASON_CODES.TIER_TOO_SMALL,
      W.tierMatch - W.tooSmallStep,
    ],
    [
      'coder never "too big" for moderate code',
      'balanced',
      ['code'],
      'balanced',
      'code',
      REASON_CODES.TIER_MATCH,
      W.tierMatch,
    ],
    [
      'reasoner not lifted',
      'balanced',
      ['reasoning'],
      'powerful',
      'reasoning',
      REASON_CODES.TIER_TOO_SMALL,
      W.tierMatch - W.tooSmallStep,
    ],
  ])('%s', (_name, tier, specs, wanted, task, reason, base) => {
    // A size-less model isolates the tier term from the size tie-break.
    const m = model('m', tier, specs, { parametersB: null })
    const s = scoreModel(ctx(wanted, task), m, plainServer)
    expect(s.terms.tierFit).toBe(base)
    expect(s.reasons).toContain(reason)
  })

  it('too big costs more than PRIMARY gains over SECONDARY', () => {
    expect(W.tooBigStep).toBeGreaterThan(W.priorityPrimary - W.prioritySecondary)
  })

  it('the loaded bonus is smaller than a tier step', () => {
    expect(W.loaded).toBeLessThan(W.tooBigStep)
    expect(W.loaded).toBeLessThan(W.tooSmallStep)
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
})

describe('scoreModel: other terms', () => {
  it.each<[string, TaskType, Specialisation[], number, boolean]>([
    ['code specialist on code', 'code', ['code'], W.codeSpecialist, true],
    ['reasoning specialist on reasoning', 'reasoning', ['reasoning'], W.reasoningSpecialist, true],
    ['code specialist off task', 'explanation', ['code'], W.specialistOffTask, false],
    ['reasoner on chat', 'chat', ['reasoning'], 0, false],
    ['general model on code', 'code', [], 0, false],
  ])('specialisation: %s', (_name, task, specs, want, matched) => {
    const s = scoreModel(ctx('balanced', task), model('m:7b', 'balanced', specs), plainServer)
    expect(s.terms.specialisation).toBe(want)
    expect(s.reasons.includes(REASON_CODES.SPECIALISATION_MATCH)).toBe(matched)
  })

  it.each<
    [
      string,
      Parameters<typeof model>[3],
      keyof ReturnType<typeof scoreModel>['terms'],
      number,
      string | null,
    ]
  >([
    ['cold', {}, 'loaded', 0, REASON_CODES.MODEL_COLD],
    ['loaded', { loaded: true, fullyInGpu: true }, 'loaded', W.loaded, REASON_CODES.MODEL_LOADED],
    [
      'loaded in part on the CPU',
      { loaded: true, fullyInGpu: false },
      'gpu',
      W.partialGpu,
      REASON_CODES.PARTIAL_GPU,
    ],
    ['no measured speed', {}, 'speed', 0, null],
    ['slow measured speed', { tokensPerSecond: 9 }, 'speed', W.speedFactor, null],
    ['very fast speed is capped', { tokensPerSecond: 1e6 }, 'speed', W.speedCap, null],
  ])('%s', (_name, overrides, term, want, reason) => {
    const s = scoreModel(
      ctx('balanced', 'chat'),
      model('m:7b', 'balanced', [], overrides),
      plainServer,
    )
    expect(s.terms[term]).toBeCloseTo(want, 9)
    if (reason) expect(s.reasons).toContain(reason)
  })

  it('preferences give a bonus by rank, matching name and name:latest', () => {
    const prefs = preferenceMap(
      { code: ['qwen2.5-coder:14b', 'llama3', 'a', 'b', 'c', 'd'] },
      'code',
    )
    const score = (name: string) =>
      scoreModel(
        ctx('balanced', 'code', { preferences: prefs }),
        model(name, 'balanced'),
        plainServer,
      ).terms.preference
    expect(score('qwen2.5-coder:14b')).toBe(W.preferenceTop)
    expect(score('llama3:latest')).toBe(W.preferenceTop - W.preferenceStep)
    expect(score('d:latest')).toBe(W.preferenceMin)
    expect(score('gemma3:1b')).toBe(0)
    expect(preferenceMap({ code: ['x'] }, 'chat').size).toBe(0)
  })

  it('vision: images favour vision models and punish blind ones', () => {
    const c = ctx('balanced', 'chat', { wantsVision: true })
    expect(
      scoreModel(c, model('v:7b', 'balanced', ['vision']), plainServer).terms.specialisation,
    ).toBe(W.visionMatch)
    expect(scoreModel(c, model('b:7b', 'balanced'), plainServer).terms.specialisation).toBe(
      W.visionMissing,
    )
  })
})

describe('scoreServer', () => {
  it.each<
    [string, Parameters<typeof server>[3], 'priority' | 'health' | 'latency' | 'inFlight', number]
  >([
    ['PRIMARY', {}, 'priority', W.priorityPrimary],
    [
      'degraded',
      { health: { kind: 'degraded', since: 0, latencyMs: 1, reason: 'slow' } },
      'health',
      W.degraded,
    ],
    ['probing', { health: { kind: 'probing', since: 0 } }, 'health', W.probing],
    ['half-open breaker', { breaker: 'half-open' }, 'health', W.halfOpen],
    ['100 ms latency', { latencyMs: 100 }, 'latency', 10 * W.latencyPer10ms],
    ['huge latency is capped', { latencyMs: 100_000 }, 'latency', W.latencyCap],
    ['unknown latency', { latencyMs: null }, 'latency', 0],
    ['two in flight', { inFlight: 2 }, 'inFlight', 2 * W.inFlightEach],
    ['many in flight is capped', { inFlight: 50 }, 'inFlight', W.inFlightCap],
  ])('%s', (_name, overrides, term, want) => {
    expect(scoreServer(server('s', 'PRIMARY', [], overrides))[term]).toBeCloseTo(want, 9)
  })

  it.each([
    ['PRIMARY', W.priorityPrimary, REASON_CODES.PRIORITY_PRIMARY],
    ['SECONDARY', W.prioritySecondary, REASON_CODES.PRIORITY_SECONDARY],
    ['FALLBACK', W.priorityFallback, REASON_CODES.PRIORITY_FALLBACK],
  ] as const)('priority %s', (priority, want, reason) => {
    const t = scoreServer(server('s', priority, []))
    expect(t.priority).toBe(want)
    expect(t.reasons).toContain(reason)
  })
})

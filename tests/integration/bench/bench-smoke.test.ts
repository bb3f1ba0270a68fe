/**
 * The benchmark code runs and produces numbers: the decision-time part with few iterations, and the report
 * built from it. No timing assertions (machines differ); the full bench is `npm run bench`.
 */
import { describe, expect, it } from 'vitest'
import { runDecisionBench } from '../../../bench/decision-bench'
import { largeFleetViews, seedFleetViews } from '../../../bench/fleet-views'
import { goalRows, markdownTable } from '../../../bench/report'
import { machineInfo, parseSections } from '../../../bench/run'
import { median, percentile, slope } from '../../../bench/stats'

describe('bench smoke', () => {
  it('builds fleets of the asked shape with real tiers', () => {
    const large = largeFleetViews(50, 20)
    expect(large).toHaveLength(50)
    expect(large.every((s) => s.models.length === 20)).toBe(true)
    const tiers = new Set(large.flatMap((s) => s.models.map((m) => m.tier)))
    expect([...tiers].sort()).toEqual(['balanced', 'fast', 'powerful'])
    expect(seedFleetViews().map((s) => s.id)).toEqual(['remote', 'localhost'])
  })

  it('measures decision and classification times', () => {
    const r = runDecisionBench({ iterations: 30, rounds: 2, warmup: 10, servers: 10, models: 20 })
    for (const t of [r.seed, r.large, r.classify]) {
      expect(t.n).toBe(60)
      expect(Number.isFinite(t.median) && t.median > 0).toBe(true)
      expect(t.p99).toBeGreaterThanOrEqual(t.median)
    }
    expect(r.large.candidates).toBe(200)
    const table = markdownTable(
      goalRows({
        at: '',
        machine: machineInfo(),
        quick: true,
        durationS: 0,
        decision: r,
        goals: [],
      }),
    )
    expect(table).toContain('large fleet (10×20 = 200)')
    expect(table.split('\n')).toHaveLength(2 + 3)
  })

  it.each([
    [[1, 2, 3, 4], 2.5, 4],
    [[5], 5, 5],
    [[3, 1, 2], 2, 3],
  ])('median and p99 of %j', (xs, med, p99) => {
    expect(median(xs)).toBe(med)
    expect(percentile(xs, 99)).toBe(p99)
  })

  it('slope finds a trend and its absence', () => {
    expect(slope([0, 1, 2, 3], [10, 12, 14, 16])).toBeCloseTo(2)
    expect(slope([0, 1, 2, 3], [5, 5, 5, 5])).toBe(0)
  })

  it('names an unknown section', () => {
    expect(parseSections('decision,proxy')).toEqual(['decision', 'proxy'])
    expect(() => parseSections('decision,nope')).toThrow(/unknown section "nope"/)
  })
})

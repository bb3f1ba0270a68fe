import { describe, expect, it } from 'vitest'
import { backoffDelayMs, ewma } from '../../../../electron/core/discovery/backoff'

describe('backoffDelayMs', () => {
  it.each([
    [0, 1000],
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [4, 8000],
    [6, 32_000],
    [7, 60_000],
    [50, 60_000],
    [5000, 60_000],
  ])('after %d failures waits %d ms', (failures, ms) => {
    expect(backoffDelayMs(failures)).toBe(ms)
  })

  it('follows a custom policy', () => {
    const policy = { baseMs: 50, maxMs: 300 }
    expect([1, 2, 3, 4, 5].map((n) => backoffDelayMs(n, policy))).toEqual([50, 100, 200, 300, 300])
  })
})

describe('ewma', () => {
  it.each([
    [null, 100, 100],
    [100, 200, 130],
    [130, 100, 121],
    [Number.NaN, 40, 40],
  ])('previous %s, sample %d → %d', (previous, sample, expected) => {
    expect(ewma(previous, sample)).toBeCloseTo(expected, 10)
  })

  it('converges on a steady sample', () => {
    let avg: number | null = null
    for (let i = 0; i < 60; i++) avg = ewma(avg, i === 0 ? 1000 : 10)
    expect(avg).toBeCloseTo(10, 3)
  })
})

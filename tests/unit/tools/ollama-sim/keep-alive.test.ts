import { describe, expect, it } from 'vitest'
import { parseGoDuration, parseKeepAlive } from '../../../../tools/ollama-sim'

describe('keep_alive as Ollama reads it', () => {
  it.each([
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['300ms', 300],
    ['1.5s', 1500],
    ['0', 0],
    ['-1m', -60_000],
    ['2h', 7_200_000],
  ])('parseGoDuration(%s) = %i ms', (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms)
  })

  it.each(['', '5', 'soon', '5 m', 'm5', '1d'])('parseGoDuration(%j) is invalid', (text) => {
    expect(parseGoDuration(text)).toBeNull()
  })

  it.each([
    [300, { kind: 'ms', ms: 300_000 }],
    [0, { kind: 'ms', ms: 0 }],
    [-1, { kind: 'forever' }],
    ['10m', { kind: 'ms', ms: 600_000 }],
    ['-1s', { kind: 'forever' }],
  ])('parseKeepAlive(%j)', (value, expected) => {
    expect(parseKeepAlive(value)).toEqual({ ok: true, value: expected })
  })

  it.each([
    ['soon', 'time: invalid duration "soon"'],
    [true, 'keep_alive must be a number of seconds or a duration string, got true'],
  ])('parseKeepAlive(%j) names what is wrong', (value, error) => {
    expect(parseKeepAlive(value)).toEqual({ ok: false, error })
  })
})

import { describe, expect, it } from 'vitest'
import { CircuitBreaker } from '../../../../electron/core/routing/circuit-breaker'
import type { BreakerState } from '../../../../shared/types'

/** A breaker on a hand-driven clock, recording every change event. */
function setup(opts: { failureThreshold?: number; openMs?: number; maxOpenMs?: number } = {}) {
  let t = 1_000_000
  const breaker = new CircuitBreaker({ ...opts, now: () => t, timers: false })
  const events: string[] = []
  breaker.onDidChange((id) => events.push(`${id}:${breaker.state(id)}`))
  return {
    breaker,
    events,
    advance: (ms: number) => {
      t += ms
    },
  }
}

type Step =
  | 'hard'
  | 'soft'
  | 'ok'
  | 'allow'
  | `wait ${number}`
  | `state ${BreakerState}`
  | `allow ${'true' | 'false'}`

/** Runs a script of steps against server `s`; `state X` / `allow X` steps assert. */
function run(steps: Step[], opts: Parameters<typeof setup>[0] = {}) {
  const { breaker, advance, events } = setup(opts)
  for (const step of steps) {
    if (step === 'hard') breaker.recordFailure('s', { hard: true })
    else if (step === 'soft') breaker.recordFailure('s')
    else if (step === 'ok') breaker.recordSuccess('s')
    else if (step === 'allow') breaker.allow('s')
    else if (step.startsWith('wait ')) advance(Number(step.slice(5)))
    else if (step.startsWith('state ')) expect(breaker.state('s'), step).toBe(step.slice(6))
    else if (step.startsWith('allow ')) expect(breaker.allow('s'), step).toBe(step === 'allow true')
  }
  return { breaker, events }
}

describe('CircuitBreaker transitions', () => {
  it.each<[string, Step[]]>([
    ['unknown server is closed and allowed', ['state closed', 'allow true']],
    ['one hard failure opens at once', ['hard', 'state open', 'allow false']],
    ['two soft failures keep it closed', ['soft', 'soft', 'state closed', 'allow true']],
    ['three soft failures open it', ['soft', 'soft', 'soft', 'state open', 'allow false']],
    ['a success resets the soft count', ['soft', 'soft', 'ok', 'soft', 'soft', 'state closed']],
    ['still open just before openMs', ['hard', 'wait 9999', 'state open', 'allow false']],
    ['half-open after openMs', ['hard', 'wait 10000', 'state half-open']],
    [
      'half-open lets exactly one trial through',
      ['hard', 'wait 10000', 'allow true', 'allow false', 'allow false'],
    ],
    [
      'trial success closes it',
      ['hard', 'wait 10000', 'allow', 'ok', 'state closed', 'allow true'],
    ],
    ['trial failure re-opens it', ['hard', 'wait 10000', 'allow', 'soft', 'state open']],
    [
      're-open lasts twice as long',
      [
        'hard',
        'wait 10000',
        'allow',
        'hard',
        'wait 19999',
        'state open',
        'wait 1',
        'state half-open',
      ],
    ],
    [
      'third opening lasts four times as long',
      [
        'hard',
        'wait 10000',
        'allow',
        'hard',
        'wait 20000',
        'allow',
        'hard',
        'wait 39999',
        'state open',
        'wait 1',
        'state half-open',
      ],
    ],
    [
      'a success resets the doubling',
      [
        'hard',
        'wait 10000',
        'allow',
        'hard',
        'wait 20000',
        'allow',
        'ok',
        'hard',
        'wait 10000',
        'state half-open',
      ],
    ],
    [
      'a lost trial is replaced after openMs',
      ['hard', 'wait 10000', 'allow true', 'wait 9999', 'allow false', 'wait 1', 'allow true'],
    ],
    [
      'failures of requests already in flight do not extend an opening',
      ['hard', 'wait 5000', 'hard', 'soft', 'wait 5000', 'state half-open'],
    ],
  ])('%s', (_name, steps) => {
    run(steps)
  })

  it('caps the opening at maxOpenMs', () => {
    const steps: Step[] = ['hard']
    // Open 10 s, 20 s, 40 s, 80 s, then capped at 120 s.
    for (const ms of [10_000, 20_000, 40_000, 80_000]) steps.push(`wait ${ms}`, 'allow', 'hard')
    steps.push('wait 119999', 'state open', 'wait 1', 'state half-open')
    run(steps)
  })

  it('honours a custom soft threshold and openMs', () => {
    run(['soft', 'state open', 'wait 500', 'state half-open'], { failureThreshold: 1, openMs: 500 })
  })

  it('keeps servers apart', () => {
    const { breaker } = setup()
    breaker.recordFailure('a', { hard: true })
    expect(breaker.state('a')).toBe('open')
    expect(breaker.state('b')).toBe('closed')
    expect(breaker.allow('b')).toBe(true)
    expect(breaker.snapshot()).toEqual({ a: 'open' })
  })

  it('fires onDidChange on every state change, and only then', () => {
    const { breaker, events } = setup()
    breaker.recordFailure('s') // closed, no event
    breaker.recordFailure('s', { hard: true }) // → open
    breaker.recordFailure('s', { hard: true }) // stays open, no event
    expect(breaker.state('s')).toBe('open')
    expect(events).toEqual(['s:open'])
  })

  it('fires the half-open change when the clock passes, and closed on success', () => {
    const { breaker, events, advance } = setup()
    breaker.recordFailure('s', { hard: true })
    advance(10_000)
    expect(breaker.allow('s')).toBe(true)
    breaker.recordSuccess('s')
    breaker.recordSuccess('s') // already closed: no event
    expect(events).toEqual(['s:open', 's:half-open', 's:closed'])
  })

  it('forget makes a server closed again', () => {
    const { breaker, events } = setup()
    breaker.recordFailure('s', { hard: true })
    breaker.forget('s')
    expect(breaker.state('s')).toBe('closed')
    expect(events).toEqual(['s:open', 's:closed'])
  })

  it('counts hard failures toward the soft threshold', () => {
    const opts = { hardFailureThreshold: 2 }
    const breaker = new CircuitBreaker({ ...opts, timers: false })
    breaker.recordFailure('s')
    breaker.recordFailure('s')
    expect(breaker.state('s')).toBe('closed')
    breaker.recordFailure('s', { hard: true })
    expect(breaker.state('s')).toBe('open')
    // …and two hard ones open it before the soft threshold is reached.
    breaker.recordFailure('t', { hard: true })
    expect(breaker.state('t')).toBe('closed')
    breaker.recordFailure('t', { hard: true })
    expect(breaker.state('t')).toBe('open')
  })

  it('an opening is never shorter than openMs, even with a smaller maxOpenMs', () => {
    run(['hard', 'wait 4999', 'state open', 'wait 1', 'state half-open'], {
      openMs: 5000,
      maxOpenMs: 1000,
    })
  })

  it('a custom maxOpenMs caps the doubling', () => {
    run(
      [
        'hard',
        'wait 1000',
        'allow',
        'hard',
        'wait 1499',
        'state open',
        'wait 1',
        'state half-open',
      ],
      { openMs: 1000, maxOpenMs: 1500 },
    )
  })

  it('snapshot reads an expired opening as half-open, and says so once', () => {
    const { breaker, events, advance } = setup()
    breaker.recordFailure('s', { hard: true })
    breaker.recordFailure('t')
    advance(10_000)
    expect(breaker.snapshot()).toEqual({ s: 'half-open', t: 'closed' })
    expect(breaker.snapshot()).toEqual({ s: 'half-open', t: 'closed' })
    expect(events).toEqual(['s:open', 's:half-open'])
  })

  it('ignores a success from a server it does not know', () => {
    const { breaker, events } = setup()
    expect(() => breaker.recordSuccess('nope')).not.toThrow()
    expect(breaker.snapshot()).toEqual({})
    expect(events).toEqual([])
  })

  it.each([
    ['failureThreshold', { failureThreshold: 0 }],
    ['maxOpenMs', { maxOpenMs: 0 }],
    ['openMs', { openMs: Number.POSITIVE_INFINITY }],
    ['openMs', { openMs: -1 }],
    ['hardFailureThreshold', { hardFailureThreshold: Number.NaN }],
  ])('rejects a bad %s with a clear error', (name, opts) => {
    expect(() => new CircuitBreaker(opts)).toThrow(new RegExp(`${name} must be a positive number`))
  })
})

describe('CircuitBreaker change events: which transitions fire, and which do not', () => {
  it.each<[string, Step[], string[]]>([
    ['failures under the threshold', ['soft', 'soft'], []],
    ['closed → open on the soft threshold', ['soft', 'soft', 'soft'], ['s:open']],
    ['closed → open on a hard failure', ['hard'], ['s:open']],
    ['a success while closed', ['soft', 'ok', 'ok'], []],
    [
      'failures, refusals and reads while open',
      ['hard', 'hard', 'soft', 'allow', 'wait 9999', 'state open', 'allow'],
      ['s:open'],
    ],
    [
      'open → half-open once, however often it is read',
      ['hard', 'wait 10000', 'state half-open', 'state half-open', 'allow', 'allow'],
      ['s:open', 's:half-open'],
    ],
    [
      'half-open → closed on the trial success',
      ['hard', 'wait 10000', 'allow', 'ok'],
      ['s:open', 's:half-open', 's:closed'],
    ],
    [
      'half-open → open on the trial failure',
      ['hard', 'wait 10000', 'allow', 'soft'],
      ['s:open', 's:half-open', 's:open'],
    ],
    [
      'a failure after an unread expiry: half-open, then open again',
      ['hard', 'wait 10000', 'hard'],
      ['s:open', 's:half-open', 's:open'],
    ],
    ['open → closed on a late success', ['hard', 'ok'], ['s:open', 's:closed']],
  ])('%s', (_name, steps, expected) => {
    expect(run(steps).events).toEqual(expected)
  })

  it('forget fires only for a breaker that was not closed', () => {
    const { breaker, events } = setup()
    breaker.forget('unknown')
    breaker.recordFailure('soft')
    breaker.forget('soft')
    expect(events).toEqual([])
    breaker.recordFailure('hard', { hard: true })
    breaker.forget('hard')
    breaker.forget('hard')
    expect(events).toEqual(['hard:open', 'hard:closed'])
  })
})

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { CircuitBreaker } from '../../../../electron/core/routing/circuit-breaker'

/**
 * The breaker's own wake-up timer, on Vitest's fake timers (Date.now included): when it wakes, how
 * often, and that nothing is left pending once it has nothing to wait for.
 */
beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 })
})
afterEach(() => {
  vi.useRealTimers()
})

/** A breaker on the default (faked) clock with its timers on, recording `id:state` per event. */
function setup(opts: { openMs?: number; maxOpenMs?: number; now?: () => number } = {}) {
  const breaker = new CircuitBreaker(opts)
  const events: string[] = []
  breaker.onDidChange((id) => events.push(`${id}:${breaker.state(id)}`))
  return { breaker, events }
}

describe('CircuitBreaker wake-up timer', () => {
  it('wakes once, exactly when the opening ends, and fires half-open unasked', () => {
    const { breaker, events } = setup()
    const opened = Date.now()
    breaker.recordFailure('s', { hard: true })
    expect(vi.getTimerCount()).toBe(1)
    vi.advanceTimersToNextTimer()
    // The first wake-up is the opening's end, not a poll every millisecond.
    expect(Date.now() - opened).toBe(10_000)
    expect(events).toEqual(['s:open', 's:half-open'])
    // Half-open waits for a request, not for a timer.
    expect(vi.getTimerCount()).toBe(0)
  })

  it('does not wake during the opening', () => {
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout')
    const { breaker, events } = setup()
    breaker.recordFailure('s', { hard: true })
    vi.advanceTimersByTime(9_999)
    expect(events).toEqual(['s:open'])
    vi.advanceTimersByTime(1)
    expect(events).toEqual(['s:open', 's:half-open'])
    // Armed once for the whole opening.
    expect(setTimeoutSpy).toHaveBeenCalledTimes(1)
    setTimeoutSpy.mockRestore()
  })

  it('a re-opening wakes at its doubled end', () => {
    const { breaker, events } = setup()
    breaker.recordFailure('s', { hard: true })
    vi.advanceTimersByTime(10_000)
    expect(breaker.allow('s')).toBe(true)
    breaker.recordFailure('s')
    const reopened = Date.now()
    vi.advanceTimersToNextTimer()
    expect(Date.now() - reopened).toBe(20_000)
    expect(events).toEqual(['s:open', 's:half-open', 's:open', 's:half-open'])
  })

  it('re-arms for the rest when it wakes before its clock says the opening is over', () => {
    // The breaker's clock lags the timers (timers may fire early): at the first wake-up only 6 of
    // the 10 s have passed by that clock, so it sleeps the remaining 4 s, once.
    let clock = 0
    const { breaker, events } = setup({ now: () => clock })
    breaker.recordFailure('s', { hard: true })
    clock = 6_000
    vi.advanceTimersByTime(10_000)
    expect(events).toEqual(['s:open'])
    expect(vi.getTimerCount()).toBe(1)
    const woke = Date.now()
    clock = 10_000
    vi.advanceTimersToNextTimer()
    expect(Date.now() - woke).toBe(4_000)
    expect(events).toEqual(['s:open', 's:half-open'])
    expect(vi.getTimerCount()).toBe(0)
  })

  it('a half-open read before the timer wakes cancels the timer, with one event', () => {
    let clock = 0
    const { breaker, events } = setup({ now: () => clock })
    breaker.recordFailure('s', { hard: true })
    clock = 10_000
    expect(breaker.state('s')).toBe('half-open')
    expect(vi.getTimerCount()).toBe(0)
    vi.advanceTimersByTime(60_000)
    expect(events).toEqual(['s:open', 's:half-open'])
  })

  it('a success while open cancels the wake-up', () => {
    const { breaker, events } = setup()
    breaker.recordFailure('s', { hard: true })
    breaker.recordSuccess('s') // a request that was in flight when it opened came back fine
    expect(vi.getTimerCount()).toBe(0)
    vi.advanceTimersByTime(60_000)
    expect(events).toEqual(['s:open', 's:closed'])
    expect(breaker.state('s')).toBe('closed')
  })

  it('forget cancels the wake-up', () => {
    const { breaker, events } = setup()
    breaker.recordFailure('s', { hard: true })
    breaker.forget('s')
    expect(vi.getTimerCount()).toBe(0)
    vi.advanceTimersByTime(60_000)
    expect(events).toEqual(['s:open', 's:closed'])
  })

  it('dispose cancels every wake-up and no event follows', () => {
    const { breaker, events } = setup()
    breaker.recordFailure('a', { hard: true })
    breaker.recordFailure('b', { hard: true })
    expect(vi.getTimerCount()).toBe(2)
    breaker.dispose()
    expect(vi.getTimerCount()).toBe(0)
    vi.advanceTimersByTime(60_000)
    // Even a state read that finds the opening over tells nobody.
    expect(breaker.state('a')).toBe('half-open')
    breaker.recordSuccess('b')
    expect(events).toEqual(['a:open', 'b:open'])
  })

  it('with timers off it arms nothing and changes only when asked', () => {
    const breaker = new CircuitBreaker({ timers: false })
    const events: string[] = []
    breaker.onDidChange((id) => events.push(id))
    breaker.recordFailure('s', { hard: true })
    expect(vi.getTimerCount()).toBe(0)
    vi.advanceTimersByTime(10_000)
    expect(events).toEqual(['s'])
    expect(breaker.state('s')).toBe('half-open')
    expect(events).toEqual(['s', 's'])
  })

  it('its timer never keeps the process alive', () => {
    vi.useRealTimers()
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout')
    const breaker = new CircuitBreaker()
    breaker.recordFailure('s', { hard: true })
    const handle = setTimeoutSpy.mock.results[0]?.value as NodeJS.Timeout
    setTimeoutSpy.mockRestore()
    expect(handle.hasRef()).toBe(false)
    breaker.dispose()
  })
})

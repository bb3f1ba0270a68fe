/**
 * BackgroundLoads (issue 12 point 2): a load AILLM did not wait for runs to its end, once per (server,
 * model), is given up on timeout or shutdown, teaches the scheduler model the server's load speed, and
 * is visible as a snapshot with change events. Driven with a load the test resolves by hand.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { RoutingTarget } from '../../../../shared/types'
import {
  BackgroundLoads,
  type BackgroundLoad,
} from '../../../../electron/core/chat/background-loads'
import { createMemoryLogger } from '../../../../electron/core/logger'
import {
  SchedulerModel,
  type FinalTimings,
} from '../../../../electron/core/scheduler/scheduler-model'

const target: RoutingTarget = {
  serverId: 'gpu',
  serverName: 'remote',
  model: 'qwen2.5-coder:14b',
} as RoutingTarget

/** A load that ends when the test says so; `signals` are the abort signals it was given. */
function manualLoads() {
  const pending: { resolve(t: FinalTimings): void; reject(e: Error): void; signal: AbortSignal }[] =
    []
  const load = (_t: RoutingTarget, signal: AbortSignal) =>
    new Promise<FinalTimings>((resolve, reject) => pending.push({ resolve, reject, signal }))
  return { pending, load }
}

const flush = () => new Promise((r) => setImmediate(r))

let loads: BackgroundLoads | null = null
afterEach(() => {
  loads?.dispose()
  loads = null
  vi.useRealTimers()
})

function make(o: { timeoutMs?: number } = {}) {
  const m = manualLoads()
  const scheduler = new SchedulerModel()
  const logger = createMemoryLogger()
  let clock = 1000
  const events: BackgroundLoad[][] = []
  loads = new BackgroundLoads({
    load: m.load,
    sizeOf: () => 9_000_000_000,
    scheduler,
    logger,
    now: () => clock,
    ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
  })
  loads.onDidChange((s) => events.push(s))
  return {
    ...m,
    scheduler,
    logger,
    events,
    loads,
    advance: (ms: number) => (clock += ms),
  }
}

describe('BackgroundLoads', () => {
  it('start runs one load per server and model, and a second start while it runs does not', () => {
    const fx = make()
    expect(fx.loads.start(target)).toBe(true)
    expect(fx.loads.start(target)).toBe(false)
    expect(fx.loads.start({ ...target, model: 'gemma3:12b' })).toBe(true)
    expect(fx.loads.start({ ...target, serverId: 'laptop' })).toBe(true)
    expect(fx.pending).toHaveLength(3)
    expect(fx.loads.snapshot().map((l) => [l.serverId, l.model, l.state])).toEqual([
      ['gpu', 'qwen2.5-coder:14b', 'loading'],
      ['gpu', 'gemma3:12b', 'loading'],
      ['laptop', 'qwen2.5-coder:14b', 'loading'],
    ])
    expect(fx.logger.records.map((r) => r.message)).toContain(
      'Loading qwen2.5-coder:14b on remote in the background',
    )
  })

  it('a finished load is "loaded" with its time, teaches the scheduler, and may start again', async () => {
    const fx = make()
    fx.loads.start(target)
    fx.advance(2500)
    fx.pending[0]?.resolve({ load_duration: 2_000_000_000, total_duration: 2_400_000_000 })
    await flush()
    const [ended] = fx.loads.snapshot()
    expect(ended).toMatchObject({ state: 'loaded', ms: 2500, error: null, startedAt: 1000 })
    // 9 GB in 2 s: the scheduler model now knows this server's load speed.
    const gpu = fx.scheduler.snapshot().find((s) => s.serverId === 'gpu')
    expect(gpu?.loadBytesPerMs).toBeGreaterThan(0)
    expect(fx.events.at(-1)?.[0]?.state).toBe('loaded')
    expect(
      fx.logger.records.some((r) =>
        /^Loaded qwen2\.5-coder:14b on remote in the background \(2\.5 s\)$/.test(r.message),
      ),
    ).toBe(true)
    expect(fx.loads.start(target)).toBe(true)
  })

  it('a failed load is "failed" with the error, warned once, and not taught to the scheduler', async () => {
    const fx = make()
    fx.loads.start(target)
    fx.pending[0]?.reject(new Error('model requires more system memory'))
    await flush()
    expect(fx.loads.snapshot()[0]).toMatchObject({
      state: 'failed',
      error: 'model requires more system memory',
    })
    expect(
      fx.scheduler.snapshot().find((s) => s.serverId === 'gpu')?.loadBytesPerMs ?? null,
    ).toBeNull()
    const warnings = fx.logger.records.filter((r) => r.level === 'WARNING')
    expect(warnings.map((r) => r.message)).toEqual([
      'Background load of qwen2.5-coder:14b on remote failed: model requires more system memory',
    ])
  })

  it('adopt takes over a request that is still loading; done(false) fails it; a running load refuses it', async () => {
    const fx = make()
    let resolveDone!: (loaded: boolean) => void
    const done = new Promise<boolean>((r) => (resolveDone = r))
    const abort = vi.fn()
    expect(fx.loads.adopt(target, done, abort)).toBe(true)
    expect(fx.loads.adopt(target, Promise.resolve(true), vi.fn())).toBe(false)
    resolveDone(false)
    await flush()
    expect(fx.loads.snapshot()[0]).toMatchObject({
      state: 'failed',
      error: 'the server ended the request before the model answered',
    })
    expect(abort).not.toHaveBeenCalled()
    expect(fx.loads.adopt(target, Promise.resolve(true), vi.fn())).toBe(true)
    await flush()
    expect(fx.loads.snapshot()[0]?.state).toBe('loaded')
  })

  it('a load that takes longer than the timeout is aborted and failed (the adopted request is given up)', async () => {
    vi.useFakeTimers()
    const fx = make({ timeoutMs: 5000 })
    const abort = vi.fn()
    fx.loads.adopt(target, new Promise<boolean>(() => undefined), abort)
    fx.loads.start({ ...target, model: 'gemma3:12b' })
    vi.advanceTimersByTime(4999)
    expect(abort).not.toHaveBeenCalled()
    expect(fx.pending[0]?.signal.aborted).toBe(false)
    vi.advanceTimersByTime(1)
    expect(abort).toHaveBeenCalledTimes(1)
    expect(fx.pending[0]?.signal.aborted).toBe(true)
    await vi.runAllTimersAsync()
    expect(fx.loads.snapshot().map((l) => [l.model, l.state, l.error])).toEqual([
      ['gemma3:12b', 'failed', 'the load took too long'],
      ['qwen2.5-coder:14b', 'failed', 'the load took too long'],
    ])
  })

  it('dispose gives up every running load', async () => {
    const fx = make()
    fx.loads.start(target)
    const signal = fx.pending[0]?.signal
    fx.loads.dispose()
    expect(signal?.aborted).toBe(true)
    expect((signal?.reason as Error).message).toBe('AILLM is shutting down')
    loads = null
  })

  it('keeps the 10 newest ended loads after the running ones', async () => {
    const fx = make()
    for (let i = 0; i < 12; i++) {
      fx.loads.start({ ...target, model: `m${i}` })
      fx.pending[i]?.resolve({})
      await flush()
    }
    fx.loads.start({ ...target, model: 'running' })
    const snap = fx.loads.snapshot()
    expect(snap.map((l) => l.model)).toEqual([
      'running',
      'm11',
      'm10',
      'm9',
      'm8',
      'm7',
      'm6',
      'm5',
      'm4',
      'm3',
      'm2',
    ])
  })
})

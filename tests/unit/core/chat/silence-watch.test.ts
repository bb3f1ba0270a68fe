import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { WaitProgress } from '../../../../shared/types'
import {
  SilenceWatch,
  type SilenceLimits,
  type SilenceVerdict,
} from '../../../../electron/core/chat/silence-watch'
import type { WaitPrediction } from '../../../../electron/core/scheduler/scheduler-model'

const LIMITS: SilenceLimits = {
  wedgeMarginMs: 5000,
  firstTokenMs: 15_000,
  coldFirstTokenMs: 90_000,
  stallMs: 30_000,
  probeAfterMs: 500,
  probeEveryMs: 2000,
  probeTimeoutMs: 1500,
}

function prediction(p: Partial<WaitPrediction> = {}): WaitPrediction {
  const queueMs = p.queueMs ?? 0
  const loadMs = p.loadMs ?? 0
  const promptMs = p.promptMs ?? 0
  return {
    queueAhead: p.queueAhead ?? 0,
    queueMs,
    loadMs,
    promptMs,
    totalMs: queueMs + loadMs + promptMs,
    measured: { load: true, prompt: true },
  }
}

type ProbeMode = 'answers' | 'hangs' | 'refused' | 'not-resident'

function watch(
  opts: {
    prediction?: WaitPrediction
    probe?: ProbeMode
    hasAlternative?: boolean
    offline?: () => boolean
    limits?: Partial<SilenceLimits>
    cold?: boolean
    coldPrediction?: WaitPrediction
  } = {},
) {
  const verdicts: { at: number; verdict: SilenceVerdict }[] = []
  const progress: WaitProgress[] = []
  let probes = 0
  const t0 = Date.now()
  const w = new SilenceWatch({
    model: 'llama3.3:70b',
    serverName: 'remote',
    prediction: opts.prediction ?? prediction(),
    cold: opts.cold ?? (opts.prediction?.loadMs ?? 0) > 0,
    ...(opts.coldPrediction ? { coldPrediction: opts.coldPrediction } : {}),
    limits: { ...LIMITS, ...opts.limits },
    hasAlternative: opts.hasAlternative ?? true,
    probe: (signal) => {
      probes++
      const mode = opts.probe ?? 'answers'
      if (mode === 'answers') return Promise.resolve(undefined)
      if (mode === 'not-resident') return Promise.resolve(false)
      if (mode === 'refused') return Promise.reject(new Error('ECONNREFUSED'))
      return new Promise((_, reject) =>
        signal.addEventListener('abort', () => reject(signal.reason)),
      )
    },
    isOffline: opts.offline ?? (() => false),
    onProgress: (p) => progress.push(p),
    onVerdict: (verdict) => verdicts.push({ at: Date.now() - t0, verdict }),
  })
  w.start()
  return { w, verdicts, progress, probes: () => probes }
}

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('SilenceWatch: broken servers are left quickly', () => {
  it('a frozen box (status checks unanswered) is given up within about 2 s, cold model or not', async () => {
    const { verdicts } = watch({ prediction: prediction({ loadMs: 25_000 }), probe: 'hangs' })
    await vi.advanceTimersByTimeAsync(1900)
    expect(verdicts).toEqual([])
    await vi.advanceTimersByTimeAsync(400)
    expect(verdicts).toHaveLength(1)
    expect(verdicts[0]?.verdict.kind).toBe('frozen')
    expect(verdicts[0]?.at).toBeLessThanOrEqual(2250)
    expect(verdicts[0]?.verdict).toMatchObject({
      detail: expect.stringMatching(/remote stopped answering/),
    })
  })

  it('a box that refuses the status check is frozen too', async () => {
    const { verdicts } = watch({ probe: 'refused' })
    await vi.advanceTimersByTimeAsync(1000)
    expect(verdicts.map((v) => v.verdict.kind)).toEqual(['frozen'])
  })

  it('a wedged runner (probes answer, no token) is left at the prediction plus the margin', async () => {
    const { verdicts, probes } = watch({ prediction: prediction({ loadMs: 18_000 }) })
    await vi.advanceTimersByTimeAsync(22_700)
    expect(verdicts).toEqual([])
    await vi.advanceTimersByTimeAsync(600)
    expect(verdicts.map((v) => v.verdict.kind)).toEqual(['wedged'])
    expect(verdicts[0]?.at).toBeGreaterThanOrEqual(23_000)
    expect(verdicts[0]?.verdict).toMatchObject({ ms: 23_000 })
    // Probed every 2 s while waiting, not in a tight loop.
    expect(probes()).toBeGreaterThanOrEqual(9)
    expect(probes()).toBeLessThanOrEqual(12)
  })

  it('a warm model that says nothing is left after the margin, not after 15 s', async () => {
    const { verdicts } = watch()
    await vi.advanceTimersByTimeAsync(5300)
    expect(
      verdicts.map((v) => [v.verdict.kind, v.verdict.kind === 'wedged' && v.verdict.ms]),
    ).toEqual([['wedged', 5000]])
  })

  it('the margin grows with a long prediction (a quarter of it)', async () => {
    const { w } = watch({ prediction: prediction({ loadMs: 40_000 }) })
    expect(w.deadlineMs).toBe(50_000)
  })

  it('never waits longer than the configured upper bounds while an alternative exists', () => {
    // A cold 80 s load: 80 + 20 s margin would pass cold_first_token_ms (90 s).
    expect(watch({ prediction: prediction({ loadMs: 80_000 }) }).w.deadlineMs).toBe(90_000)
    // A warm model's queue and prompt time extend first_token_ms; the margin does not pass it.
    const warm = watch({
      prediction: prediction({ promptMs: 40_000 }),
      limits: { firstTokenMs: 6000 },
    })
    expect(warm.w.deadlineMs).toBe(46_000)
  })

  it('moves on as soon as the registry marks the server offline', async () => {
    let offline = false
    const { verdicts } = watch({
      prediction: prediction({ loadMs: 30_000 }),
      offline: () => offline,
    })
    await vi.advanceTimersByTimeAsync(3000)
    offline = true
    await vi.advanceTimersByTimeAsync(300)
    expect(verdicts.map((v) => v.verdict.kind)).toEqual(['offline'])
  })

  it('a stream that goes silent after its first chunk stalls at stall_ms', async () => {
    const { w, verdicts } = watch({ limits: { stallMs: 8000 } })
    await vi.advanceTimersByTimeAsync(1000)
    w.sawLife('content')
    await vi.advanceTimersByTimeAsync(7700)
    expect(verdicts).toEqual([])
    await vi.advanceTimersByTimeAsync(600)
    expect(verdicts.map((v) => v.verdict.kind)).toEqual(['stall'])
  })
})

describe('SilenceWatch: legitimate waits are waited for, and explained', () => {
  it('a long load completes: no verdict before the prediction, the person told what and how long', async () => {
    const { w, verdicts, progress } = watch({ prediction: prediction({ loadMs: 25_000 }) })
    await vi.advanceTimersByTimeAsync(24_000)
    w.sawLife('content')
    await vi.advanceTimersByTimeAsync(10_000)
    w.stop()
    expect(verdicts).toEqual([])
    expect(progress.map((p) => p.text)).toEqual(['Loading llama3.3:70b on remote — about 25 s'])
    expect(progress[0]).toMatchObject({ phase: 'loading', etaMs: 25_000, ahead: 0 })
  })

  it('queue, then load, then a long prompt: one message per phase', async () => {
    const { w, progress } = watch({
      prediction: prediction({ queueAhead: 1, queueMs: 6000, loadMs: 10_000, promptMs: 12_000 }),
    })
    await vi.advanceTimersByTimeAsync(27_000)
    w.sawLife('content')
    w.stop()
    expect(progress.map((p) => p.phase)).toEqual(['queued', 'loading', 'reading'])
    expect(progress[0]?.text).toBe('1 request ahead on remote — about 6 s')
    expect(progress[2]?.text).toBe('Reading a long conversation on remote — about 12 s')
  })

  it('thinking counts as progress: no wedge verdict while the model thinks', async () => {
    const { w, verdicts, progress } = watch()
    await vi.advanceTimersByTimeAsync(1000)
    for (let i = 0; i < 20; i++) {
      w.sawLife('thinking')
      await vi.advanceTimersByTimeAsync(1000)
    }
    w.stop()
    expect(verdicts).toEqual([])
    expect(progress.map((p) => p.phase)).toContain('thinking')
    expect(progress.find((p) => p.phase === 'thinking')?.text).toBe(
      'llama3.3:70b is thinking on remote…',
    )
  })

  it('says so when a wait outlasts its prediction', async () => {
    const { progress } = watch({ prediction: prediction({ loadMs: 4000 }) })
    await vi.advanceTimersByTimeAsync(6000)
    expect(progress.map((p) => p.phase)).toEqual(['loading', 'waiting'])
    expect(progress[1]?.text).toMatch(/slower than expected — waiting up to \d+ s more/)
  })

  it('a load longer than cold_first_token_ms is handed elsewhere at once, with the reason', () => {
    const { verdicts } = watch({ prediction: prediction({ loadMs: 120_000 }) })
    expect(verdicts.map((v) => v.verdict)).toEqual([
      {
        kind: 'too-long',
        ms: 120_000,
        detail: 'loading llama3.3:70b on remote would take about 120 s',
      },
    ])
  })

  it('a cold model of unknown size waits up to cold_first_token_ms, a warm one up to first_token_ms', () => {
    expect(watch({ cold: true }).w.deadlineMs).toBe(90_000)
    expect(watch({ cold: true, hasAlternative: false }).w.deadlineMs).toBe(90_000)
    expect(watch({ limits: { wedgeMarginMs: 20_000 } }).w.deadlineMs).toBe(15_000)
  })

  it('a load speed only assumed (never measured on this server) neither skips nor shortens the wait', () => {
    const guessed = { ...prediction({ loadMs: 120_000 }), measured: { load: false, prompt: false } }
    const { verdicts, w } = watch({ prediction: guessed })
    expect(verdicts).toEqual([])
    expect(w.deadlineMs).toBe(90_000)
    w.stop()
  })

  it('a "warm" model missing from /api/ps was evicted: its wait becomes a load from then on', async () => {
    const { w, verdicts, progress } = watch({
      probe: 'not-resident',
      coldPrediction: prediction({ loadMs: 8000 }),
    })
    expect(w.deadlineMs).toBe(5000)
    await vi.advanceTimersByTimeAsync(600)
    // Found at the first status check (500 ms): 500 + 8 s load + 5 s margin.
    expect(w.deadlineMs).toBe(13_500)
    expect(progress.map((p) => p.text)).toEqual([
      'Loading llama3.3:70b on remote — it had been unloaded',
    ])
    await vi.advanceTimersByTimeAsync(10_000)
    expect(verdicts).toEqual([])
    w.stop()
  })

  it('with no alternative, even a long load is waited for', async () => {
    const { verdicts, w } = watch({
      prediction: prediction({ loadMs: 120_000 }),
      hasAlternative: false,
    })
    expect(w.deadlineMs).toBe(150_000)
    await vi.advanceTimersByTimeAsync(100_000)
    expect(verdicts).toEqual([])
    w.stop()
  })

  it('stop() ends the ticker and the probes: no verdict afterwards', async () => {
    const { w, verdicts, probes } = watch({ probe: 'hangs' })
    w.stop()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(verdicts).toEqual([])
    expect(probes()).toBe(0)
  })
})

import { describe, expect, it } from 'vitest'
import type { KeepAlive } from '../../../../tools/ollama-sim'
import { resolveModel } from '../../../../tools/ollama-sim'
import { readOptions, type RunnerOptions } from '../../../../tools/ollama-sim/request-options'
import {
  QueueAbortedError,
  Scheduler,
  type Lease,
  type SchedulerOptions,
} from '../../../../tools/ollama-sim/scheduler'

const GB = 1e9
const MIN: KeepAlive = { kind: 'ms', ms: 60_000 }
const FIVE_MIN: KeepAlive = { kind: 'ms', ms: 300_000 }

/** Runner options as a request with these `options` would have them. */
function opts(options: Record<string, unknown> = {}): RunnerOptions {
  const read = readOptions(options, { numCtx: 4096, trainedContext: 131_072 })
  if (!read.ok) throw new Error(read.error)
  return read.value.runner
}

const model = (name: string, gb: number) => resolveModel({ name, sizeVram: gb * GB })

/** Lets pending promise callbacks run. */
const tick = (): Promise<void> => new Promise((r) => setImmediate(r))

/**
 * A scheduler whose loads finish only when the test says so (`finishLoad`), on a fake clock.
 * `loadsStarted` names the model of every load begun, in order.
 */
function harness(extra: Partial<SchedulerOptions> = {}) {
  const clock = { now: 1_000_000 }
  const pendingLoads: (() => void)[] = []
  const loadsStarted: string[] = []
  const scheduler: Scheduler = new Scheduler({
    now: () => clock.now,
    waitLoad: (_ms, signal) =>
      new Promise<void>((resolve, reject) => {
        loadsStarted.push(scheduler.loading ?? '?')
        pendingLoads.push(resolve)
        signal.addEventListener('abort', () => {
          pendingLoads.splice(pendingLoads.indexOf(resolve), 1)
          reject(new QueueAbortedError('load'))
        })
      }),
    loadMs: (m) => Math.round(m.sizeBytes / 1e6),
    numParallel: 1,
    ...extra,
  })
  const finishLoad = async (): Promise<void> => {
    await tick()
    pendingLoads.shift()?.()
    await tick()
  }
  const acquire = (
    name: string,
    gb: number,
    o: RunnerOptions = opts(),
    keepAlive: KeepAlive | null = null,
    signal: AbortSignal = new AbortController().signal,
  ): Promise<Lease> => scheduler.acquire(model(name, gb), o, keepAlive, FIVE_MIN, signal)
  /** Acquires and finishes the load at once when one starts. */
  const warm = async (name: string, gb: number, keepAlive: KeepAlive | null = null) => {
    const lease = acquire(name, gb, opts(), keepAlive)
    await finishLoad()
    return lease
  }
  const names = (): string[] => scheduler.list().map((m) => m.name)
  return { scheduler, clock, acquire, warm, finishLoad, loadsStarted, names }
}

describe('Scheduler: keep_alive', () => {
  it('keeps a model for keep_alive after its last request, never while in use', async () => {
    const h = harness()
    const lease = await h.warm('gemma3:1b', 1, MIN)
    h.clock.now += 120_000
    expect(h.names()).toEqual(['gemma3:1b'])
    lease.release()
    h.clock.now += 59_999
    expect(h.names()).toEqual(['gemma3:1b'])
    h.clock.now += 1
    expect(h.names()).toEqual([])
  })

  it('sticks to the runner: a later request without keep_alive keeps the last one given', async () => {
    const h = harness()
    ;(await h.warm('gemma3:1b', 1, { kind: 'ms', ms: 3_600_000 })).release()
    ;(await h.acquire('gemma3:1b', 1)).release()
    expect(h.scheduler.list()[0]?.expiresAt).toBe(h.clock.now + 3_600_000)
    // A new runner starts from the server default.
    const fresh = harness()
    ;(await fresh.warm('gemma3:1b', 1)).release()
    expect(fresh.scheduler.list()[0]?.expiresAt).toBe(fresh.clock.now + 300_000)
  })

  it('orders by remaining time, forever first; keep_alive 0 unloads when the request ends', async () => {
    const h = harness()
    ;(await h.warm('a:1b', 1, MIN)).release()
    ;(await h.warm('b:1b', 1, { kind: 'forever' })).release()
    ;(await h.warm('c:1b', 1, FIVE_MIN)).release()
    expect(h.names()).toEqual(['b:1b', 'c:1b', 'a:1b'])
    const zero = await h.acquire('c:1b', 1, opts(), { kind: 'ms', ms: 0 })
    expect(h.names()).toContain('c:1b')
    zero.release()
    expect(h.names()).toEqual(['b:1b', 'a:1b'])
  })

  it('unloadSoon unloads an idle model at once and a busy one when its request ends', async () => {
    const h = harness()
    ;(await h.warm('a:1b', 1)).release()
    const busy = await h.warm('b:1b', 1)
    h.scheduler.unloadSoon('a:1b')
    h.scheduler.unloadSoon('b:1b')
    h.scheduler.unloadSoon('never-loaded:1b')
    expect(h.names()).toEqual(['b:1b'])
    busy.release()
    expect(h.names()).toEqual([])
  })
})

describe('Scheduler: loads', () => {
  it('loads one model at a time; a loading model is not listed', async () => {
    const h = harness()
    const a = h.acquire('gemma3:12b', 8)
    const b = h.acquire('qwen3:14b', 9)
    await tick()
    expect(h.loadsStarted).toEqual(['gemma3:12b'])
    expect(h.scheduler.loading).toBe('gemma3:12b')
    expect(h.names()).toEqual([])
    expect(h.scheduler.queued).toBe(1)
    await h.finishLoad()
    expect(h.names()).toEqual(['gemma3:12b'])
    expect(h.loadsStarted).toEqual(['gemma3:12b', 'qwen3:14b'])
    await h.finishLoad()
    expect((await a).loadMs).toBeGreaterThan(0)
    expect((await b).loadMs).toBeGreaterThan(0)
    expect(h.scheduler.loading).toBeNull()
    expect(h.scheduler.queued).toBe(0)
  })

  it('a second request for a model being loaded waits for that load instead of loading again', async () => {
    const h = harness()
    const first = h.acquire('gemma3:12b', 8)
    const second = h.acquire('gemma3:12b', 8)
    await h.finishLoad()
    const lease = await first
    lease.release()
    expect((await second).loadMs).toBe(0)
    expect(h.loadsStarted).toEqual(['gemma3:12b'])
    expect(h.scheduler.loads.get('gemma3:12b')).toBe(1)
  })

  it('a client that leaves aborts its load: nothing is loaded and the next load starts', async () => {
    const h = harness()
    const leaving = new AbortController()
    const a = h.acquire('gemma3:12b', 8, opts(), null, leaving.signal)
    const b = h.acquire('qwen3:14b', 9)
    await tick()
    leaving.abort()
    await expect(a).rejects.toBeInstanceOf(QueueAbortedError)
    await tick()
    expect(h.loadsStarted).toEqual(['gemma3:12b', 'qwen3:14b'])
    await h.finishLoad()
    await b
    expect(h.names()).toEqual(['qwen3:14b'])
    expect(h.scheduler.loads.has('gemma3:12b')).toBe(false)
  })

  it('a client that leaves while queued for a load gives up its place', async () => {
    const h = harness()
    const a = h.acquire('a:1b', 1)
    const leaving = new AbortController()
    const b = h.acquire('b:1b', 1, opts(), null, leaving.signal)
    await tick()
    expect(h.scheduler.queued).toBe(1)
    leaving.abort()
    await expect(b).rejects.toBeInstanceOf(QueueAbortedError)
    expect(h.scheduler.queued).toBe(0)
    await h.finishLoad()
    await a
    expect(h.loadsStarted).toEqual(['a:1b'])
  })

  it('an already aborted request is refused before it loads anything', async () => {
    const h = harness()
    const gone = new AbortController()
    gone.abort()
    await expect(h.acquire('a:1b', 1, opts(), null, gone.signal)).rejects.toBeInstanceOf(
      QueueAbortedError,
    )
    expect(h.loadsStarted).toEqual([])
  })
})

describe('Scheduler: memory budget and eviction', () => {
  it('evicts an idle model when the next one does not fit the GPU budget', async () => {
    const h = harness({ vramBytes: 16 * GB })
    ;(await h.warm('gemma3:12b', 8)).release()
    ;(await h.warm('phi3:3b', 2)).release()
    expect(h.names().sort()).toEqual(['gemma3:12b', 'phi3:3b'])
    ;(await h.warm('qwen3:14b', 9)).release()
    // 8 + 2 + 9 > 16: the soonest to expire goes (gemma3:12b was used first).
    expect(h.names().sort()).toEqual(['phi3:3b', 'qwen3:14b'])
    expect(h.scheduler.list().find((m) => m.name === 'qwen3:14b')?.sizeVram).toBe(9 * GB)
  })

  it('evicts idle models first and keeps a busy one', async () => {
    const h = harness({ vramBytes: 20 * GB })
    const busy = await h.warm('a:1b', 8)
    h.clock.now += 1000
    ;(await h.warm('b:1b', 8)).release()
    // a expires first (kept busy, its clock started earlier), but it is in use.
    ;(await h.warm('c:1b', 8)).release()
    expect(h.names().sort()).toEqual(['a:1b', 'c:1b'])
    busy.release()
  })

  it('waits for a busy model when nothing idle can make room, then evicts it', async () => {
    const h = harness({ vramBytes: 10 * GB })
    const busy = await h.warm('llama3.3:70b', 9)
    const next = h.acquire('gemma3:12b', 8)
    await tick()
    expect(h.loadsStarted).toEqual(['llama3.3:70b'])
    // While it waits, a new request for the busy model must not keep it busy forever.
    const late = h.acquire('llama3.3:70b', 9)
    busy.release()
    await h.finishLoad()
    const lease = await next
    expect(h.names()).toEqual(['gemma3:12b'])
    lease.release()
    await h.finishLoad()
    await late
    expect(h.loadsStarted).toEqual(['llama3.3:70b', 'gemma3:12b', 'llama3.3:70b'])
  })

  it('keeps at most maxLoadedModels models, GPU or not', async () => {
    const h = harness({ maxLoadedModels: 2 })
    ;(await h.warm('a:1b', 0)).release()
    h.clock.now += 1
    ;(await h.warm('b:1b', 0)).release()
    h.clock.now += 1
    ;(await h.warm('c:1b', 0)).release()
    expect(h.names().sort()).toEqual(['b:1b', 'c:1b'])
  })

  it('does not evict CPU-only models to make GPU room', async () => {
    const h = harness({ vramBytes: 10 * GB })
    ;(await h.warm('cpu:1b', 0)).release()
    ;(await h.warm('gpu:8b', 6)).release()
    ;(await h.warm('gpu2:8b', 6)).release()
    expect(h.names().sort()).toEqual(['cpu:1b', 'gpu2:8b'])
  })

  it('a model bigger than the budget takes the whole budget (partial offload) once alone', async () => {
    const h = harness({ vramBytes: 24 * GB })
    ;(await h.warm('gemma3:12b', 8)).release()
    ;(await h.warm('llama3.3:70b', 42)).release()
    expect(h.scheduler.list()).toMatchObject([{ name: 'llama3.3:70b', sizeVram: 24 * GB }])
  })

  it('a client that leaves while waiting for a busy model lets the others use it again', async () => {
    const h = harness({ vramBytes: 10 * GB })
    const busy = await h.warm('a:1b', 9)
    const leaving = new AbortController()
    const waiting = h.acquire('b:1b', 8, opts(), null, leaving.signal)
    await tick()
    leaving.abort()
    await expect(waiting).rejects.toBeInstanceOf(QueueAbortedError)
    busy.release()
    // a is usable again without a reload.
    expect((await h.acquire('a:1b', 9)).loadMs).toBe(0)
  })
})

describe('Scheduler: runner options and slots', () => {
  it('reloads a model when num_ctx changes, after its running request ends', async () => {
    const h = harness()
    const first = await h.warm('gemma3:12b', 8)
    expect(h.scheduler.list()[0]?.contextLength).toBe(4096)
    const bigger = h.acquire('gemma3:12b', 8, opts({ num_ctx: 8192 }))
    await tick()
    expect(h.loadsStarted).toEqual(['gemma3:12b'])
    first.release()
    await h.finishLoad()
    const lease = await bigger
    expect(lease.loadMs).toBeGreaterThan(0)
    expect(h.scheduler.list()[0]?.contextLength).toBe(8192)
    expect(h.scheduler.loads.get('gemma3:12b')).toBe(2)
    lease.release()
    // Same options again: no reload.
    expect((await h.acquire('gemma3:12b', 8, opts({ num_ctx: 8192 }))).loadMs).toBe(0)
  })

  it.each([
    ['num_batch', { num_batch: 1024 }],
    ['num_gpu', { num_gpu: 10 }],
    ['main_gpu', { main_gpu: 1 }],
    ['use_mmap', { use_mmap: false }],
    ['num_thread', { num_thread: 8 }],
  ])('reloads when %s changes', async (_name, changed) => {
    const h = harness()
    ;(await h.warm('gemma3:12b', 8)).release()
    const lease = h.acquire('gemma3:12b', 8, opts(changed))
    await h.finishLoad()
    expect((await lease).loadMs).toBeGreaterThan(0)
  })

  it('does not reload for options that are not the runner’s', async () => {
    const h = harness()
    ;(await h.warm('gemma3:12b', 8)).release()
    const same = opts({ temperature: 0.1, num_predict: 5, num_gpu: -1, seed: 3 })
    expect((await h.acquire('gemma3:12b', 8, same)).loadMs).toBe(0)
  })

  it('serves numParallel requests at once per model; the next one waits for a slot', async () => {
    const h = harness({ numParallel: 2 })
    const a = await h.warm('gemma3:1b', 1)
    const b = await h.acquire('gemma3:1b', 1)
    let third: Lease | null = null
    const c = h.acquire('gemma3:1b', 1).then((l) => (third = l))
    await tick()
    expect(third).toBeNull()
    expect(h.scheduler.list()[0]).toMatchObject({ active: 3, waiting: 1 })
    // Waiting for a slot is not waiting to be scheduled.
    expect(h.scheduler.queued).toBe(0)
    b.release()
    await c
    expect(h.scheduler.list()[0]).toMatchObject({ active: 2, waiting: 0 })
    a.release()
  })

  it('a client that leaves while waiting for a slot frees its place', async () => {
    const h = harness()
    const a = await h.warm('gemma3:1b', 1)
    const leaving = new AbortController()
    const b = h.acquire('gemma3:1b', 1, opts(), null, leaving.signal)
    const c = h.acquire('gemma3:1b', 1)
    await tick()
    leaving.abort()
    await expect(b).rejects.toBeInstanceOf(QueueAbortedError)
    a.release()
    const lease = await c
    expect(h.scheduler.list()[0]).toMatchObject({ active: 1, waiting: 0 })
    lease.release()
    lease.release()
    expect(h.scheduler.list()[0]).toMatchObject({ active: 0 })
  })

  it('a crashed runner is unloaded; the next request loads it again', async () => {
    const h = harness()
    const lease = await h.warm('gemma3:1b', 1)
    lease.crash()
    expect(h.names()).toEqual([])
    lease.release()
    const again = h.acquire('gemma3:1b', 1)
    await h.finishLoad()
    expect((await again).loadMs).toBeGreaterThan(0)
  })

  it('retain unloads models no longer offered', async () => {
    const h = harness()
    ;(await h.warm('a:1b', 1)).release()
    ;(await h.warm('b:1b', 1)).release()
    h.scheduler.retain((name) => name === 'b:1b')
    expect(h.names()).toEqual(['b:1b'])
  })
})

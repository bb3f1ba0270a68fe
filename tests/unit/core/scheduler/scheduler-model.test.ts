import { describe, expect, it } from 'vitest'
import { SchedulerModel, estimateTokens } from '../../../../electron/core/scheduler/scheduler-model'

const GB = 1_000_000_000
const ms = (n: number): number => n * 1e6 // Ollama's durations are nanoseconds

const coder = { serverId: 'remote', model: 'qwen2.5-coder:14b', sizeBytes: 9 * GB }

describe('SchedulerModel predictions', () => {
  it('before any answer, assumes a SATA-class disk and a middling prompt rate', () => {
    const model = new SchedulerModel()
    const p = model.predict({ ...coder, cold: true, promptTokens: 3000 })
    // 9 GB at 0.5 GB/s, 3,000 tokens at 300 tokens/s.
    expect(p).toMatchObject({ loadMs: 18_000, promptMs: 10_000, queueAhead: 0, queueMs: 0 })
    expect(p.totalMs).toBe(28_000)
    expect(p.measured).toEqual({ load: false, prompt: false })
  })

  it('a warm model costs no load', () => {
    const p = new SchedulerModel().predict({ ...coder, cold: false, promptTokens: 0 })
    expect(p.loadMs).toBe(0)
    expect(p.totalMs).toBe(0)
  })

  it("learns a server's load speed from load_duration and applies it to its other models", () => {
    const model = new SchedulerModel()
    // 9 GB loaded in 4.5 s: 2 GB/s.
    model.observe('remote', coder.model, coder.sizeBytes, { load_duration: ms(4500) })
    const big = model.predict({
      serverId: 'remote',
      model: 'llama3.3:70b',
      sizeBytes: 40 * GB,
      cold: true,
      promptTokens: 0,
    })
    expect(big.loadMs).toBe(20_000)
    expect(big.measured.load).toBe(true)
    // Another server keeps the default.
    const elsewhere = model.predict({ ...coder, serverId: 'laptop', cold: true, promptTokens: 0 })
    expect(elsewhere.loadMs).toBe(18_000)
  })

  it('ignores a "load" of a resident model (a few ms) for the disk speed', () => {
    const model = new SchedulerModel()
    model.observe('remote', coder.model, coder.sizeBytes, { load_duration: ms(20) })
    expect(model.predict({ ...coder, cold: true, promptTokens: 0 }).measured.load).toBe(false)
  })

  it('moves the load speed towards new samples without jumping to each one', () => {
    const model = new SchedulerModel()
    model.observe('remote', coder.model, coder.sizeBytes, { load_duration: ms(9000) }) // 1 GB/s
    model.observe('remote', coder.model, coder.sizeBytes, { load_duration: ms(3000) }) // 3 GB/s
    const loadMs = model.predict({ ...coder, cold: true, promptTokens: 0 }).loadMs
    // Between the two measured speeds, nearer the older one.
    expect(loadMs).toBeLessThan(9000)
    expect(loadMs).toBeGreaterThan(4500)
  })

  it('learns the prompt rate per model; a cached, tiny prompt teaches nothing', () => {
    const model = new SchedulerModel()
    model.observe('remote', coder.model, coder.sizeBytes, {
      prompt_eval_count: 4000,
      prompt_eval_duration: ms(2000),
    })
    model.observe('remote', coder.model, coder.sizeBytes, {
      prompt_eval_count: 5,
      prompt_eval_duration: ms(1),
    })
    const p = model.predict({ ...coder, cold: false, promptTokens: 10_000 })
    expect(p.promptMs).toBe(5000) // 2,000 tokens/s
    expect(p.measured.prompt).toBe(true)
    const other = model.predict({ ...coder, model: 'gemma3:12b', cold: false, promptTokens: 3000 })
    expect(other.promptMs).toBe(10_000)
  })
})

describe('SchedulerModel queue', () => {
  it('counts our own earlier requests on the same (server, model) as ahead', () => {
    const model = new SchedulerModel()
    const first = model.enter('remote', coder.model)
    const second = model.enter('remote', coder.model)
    const otherModel = model.enter('remote', 'gemma3:12b')
    expect(model.ahead(first)).toBe(0)
    expect(model.ahead(second)).toBe(1)
    expect(model.ahead(otherModel)).toBe(0)
    model.leave(first)
    expect(model.ahead(second)).toBe(0)
  })

  it('prices each request ahead at the measured answer time', () => {
    const model = new SchedulerModel()
    model.observe('remote', coder.model, coder.sizeBytes, {
      load_duration: ms(1000),
      total_duration: ms(7000),
    })
    model.enter('remote', coder.model)
    model.enter('remote', coder.model)
    const mine = model.enter('remote', coder.model)
    const p = model.predict({ ...coder, cold: false, promptTokens: 0 }, mine)
    expect(p.queueAhead).toBe(2)
    expect(p.queueMs).toBe(12_000) // 2 × (7 s − the 1 s load)
  })

  it('shows the queue and the measurements in its snapshot, and announces changes', () => {
    const model = new SchedulerModel()
    const seen: number[] = []
    model.onDidChange((servers) => seen.push(servers.length))
    const t = model.enter('remote', coder.model)
    model.observe('remote', coder.model, coder.sizeBytes, { load_duration: ms(4500) })
    expect(model.snapshot()).toEqual([
      {
        serverId: 'remote',
        loadBytesPerMs: 2_000_000,
        models: [{ model: coder.model, promptTokensPerSecond: null, answerMs: null, queued: 1 }],
      },
    ])
    model.leave(t)
    expect(model.snapshot()[0]?.models[0]?.queued).toBe(0)
    expect(seen).toEqual([1, 1, 1])
    model.forget('remote')
    expect(model.snapshot()).toEqual([])
  })

  it('forgets only the server it is told to, and a disposed model announces nothing more', () => {
    const model = new SchedulerModel()
    model.observe('remote', coder.model, coder.sizeBytes, { load_duration: ms(4500) })
    model.observe('laptop', 'gemma3:1b', GB, {
      load_duration: ms(1000),
      prompt_eval_count: 64,
      prompt_eval_duration: ms(100),
    })
    model.forget('remote')
    expect(model.snapshot().map((s) => s.serverId)).toEqual(['laptop'])
    expect(model.snapshot()[0]?.models.map((m) => m.model)).toEqual(['gemma3:1b'])
    expect(model.predict({ ...coder, cold: true, promptTokens: 0 }).measured.load).toBe(false)

    const seen: number[] = []
    model.onDidChange((servers) => seen.push(servers.length))
    model.dispose()
    model.forget('laptop')
    expect(seen).toEqual([])
  })

  it('a load of a model of unknown size teaches no load speed', () => {
    const model = new SchedulerModel()
    model.observe('remote', coder.model, 0, { load_duration: ms(4500) })
    expect(model.snapshot()[0]?.loadBytesPerMs ?? null).toBeNull()
    const p = model.predict({ ...coder, cold: true, promptTokens: 0 })
    expect(p).toMatchObject({ loadMs: 18_000, measured: { load: false } })
  })
})

describe('estimateTokens', () => {
  it('counts about four characters a token, rounding up', () => {
    expect(estimateTokens('')).toBe(0)
    expect(estimateTokens('abcd')).toBe(1)
    expect(estimateTokens('abcde')).toBe(2)
    expect(estimateTokens('x'.repeat(4000))).toBe(1000)
  })
})

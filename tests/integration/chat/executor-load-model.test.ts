/**
 * `loadModel`: the empty request that makes a server load a model (Ollama's load idiom), sent where the
 * registry says to dial, bounded by the connect deadline and the caller's signal.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startSimServer, type SimServer } from '../../../tools/ollama-sim/index'
import { blackHole } from './black-hole'
import { executor, target } from './executor-fixtures'

let sim: SimServer

beforeAll(async () => {
  sim = await startSimServer({
    name: 'cold',
    port: 0,
    models: ['gemma3:12b', 'qwen2.5:1.5b'],
    loadMs: 200,
    tokensPerSecond: 400,
    replyWords: 4,
  })
})

afterAll(async () => {
  await sim?.stop()
})

it('loads the model with a generate that asks for nothing, and resolves once it is loaded', async () => {
  const { exec } = executor()
  const before = sim.requests.length
  const timings = await exec.loadModel(
    target(sim, 'gemma3:12b', 'balanced', false),
    new AbortController().signal,
  )
  expect(sim.loaded()).toEqual(['gemma3:12b'])
  // Resolved with Ollama's answer to a load (it carries no durations), only once the load is done.
  expect(timings).toMatchObject({ done: true, done_reason: 'load' })
  const sent = sim.requests.slice(before)
  expect(sent.map((r) => `${r.method} ${r.path} ${r.model ?? ''}`)).toEqual([
    'POST /api/generate gemma3:12b',
  ])
})

it('dials the resolved address when the target has one, not its advertised URL', async () => {
  const { exec } = executor()
  const resolved = {
    ...target({ name: 'cold', url: 'http://127.0.0.1:9' }, 'qwen2.5:1.5b', 'fast', false),
    dialUrl: sim.url,
  }
  await exec.loadModel(resolved, new AbortController().signal)
  expect(sim.loaded()).toContain('qwen2.5:1.5b')
})

it('gives up on a server that never accepts within the connect deadline', async () => {
  const hole = await blackHole()
  try {
    const { exec } = executor({ connect_ms: 300 })
    const started = Date.now()
    await expect(
      exec.loadModel(target(hole, 'gemma3:12b'), new AbortController().signal),
    ).rejects.toThrow()
    // Its own deadline, not a plain request's 10 s default.
    expect(Date.now() - started).toBeLessThan(5_000)
  } finally {
    hole.stop()
  }
})

it('stops when its signal aborts', async () => {
  const hole = await blackHole()
  try {
    const { exec } = executor({ connect_ms: 60_000 })
    const controller = new AbortController()
    setTimeout(() => controller.abort(new Error('no longer wanted')), 100)
    const started = Date.now()
    await expect(exec.loadModel(target(hole, 'gemma3:12b'), controller.signal)).rejects.toThrow()
    expect(Date.now() - started).toBeLessThan(5_000)
  } finally {
    hole.stop()
  }
})

/**
 * Benchmark 6: 50 chats at once across the seed fleet through `serve`, against the same 50 sent directly to
 * the servers `serve` chose (same model, same server), in alternating batches. Counts errors, checks that
 * the in-flight counts return to zero, and compares latency percentiles.
 */
import { Ollama } from 'ollama'
import { startSimServer, type SimServer } from '../tools/ollama-sim'
import { benchConfigYaml, startBenchServe, timedChat, waitFor, type StreamTiming } from './harness'
import { median, percentile, round } from './stats'

/** A mix that spreads over both servers and five models. */
const PROMPTS = [
  'Hi!',
  'Explain the Singleton pattern',
  'Write an auth system with JWT, refresh tokens and rate limiting',
  'Привет!',
  'Prove that the square root of two is irrational, step by step',
  'What is the capital of France?',
  'Write a Python function that merges two sorted lists',
]

/** Options of the concurrency benchmark. */
export interface ConcurrencyBenchOptions {
  rounds: number
  concurrency: number
  /** Simulated generation pace, tokens per second (real time), so requests really overlap. */
  tokensPerSecond: number
}

/** Result of the concurrency benchmark. */
export interface ConcurrencyBenchResult {
  concurrency: number
  rounds: number
  errors: number
  /** Every server's in-flight count and the API's open requests were back to 0 after each batch. */
  inFlightBackToZero: boolean
  /** Total time per chat, ms, over all rounds. */
  direct: { medianMs: number; p99Ms: number }
  proxied: { medianMs: number; p99Ms: number }
  /** Medians over rounds of (proxied − direct) at the median and at p99, ms. */
  addedMedianMs: number
  addedP99Ms: number
  /** Where the chats went, e.g. `gemma3:1b@localhost: 14`. */
  spread: Record<string, number>
}

/** Runs benchmark 6. */
export async function runConcurrencyBench(
  opts: ConcurrencyBenchOptions,
): Promise<ConcurrencyBenchResult> {
  const pace = { timeScale: 1, tokensPerSecond: opts.tokensPerSecond, port: 0 }
  const sims: SimServer[] = [
    await startSimServer({
      name: 'remote',
      models: ['llama3.3:70b', 'gemma3:12b', 'qwen2.5-coder:14b', 'qwen3:14b'],
      ...pace,
    }),
    await startSimServer({
      name: 'localhost',
      models: ['gemma3:1b', 'qwen2.5:1.5b', 'phi3:3b'],
      ...pace,
    }),
  ]
  const [remote, local] = sims as [SimServer, SimServer]
  const { serve, close } = await startBenchServe(
    benchConfigYaml(
      [
        { name: 'remote', url: remote.url, priority: 'PRIMARY' },
        { name: 'localhost', url: local.url, priority: 'SECONDARY' },
      ],
      { primaryFirst: true },
    ),
  )
  const proxy = new Ollama({ host: serve.url })
  const direct: Record<string, Ollama> = {
    remote: new Ollama({ host: remote.url }),
    localhost: new Ollama({ host: local.url }),
  }
  const spread: Record<string, number> = {}
  let errors = 0
  let inFlightBackToZero = true
  const proxiedAll: number[] = []
  const directAll: number[] = []
  const addedMedian: number[] = []
  const addedP99: number[] = []
  try {
    // Where `serve` sends each prompt when idle: the direct batch asks the very same pairs.
    const target = new Map<string, { model: string; server: string }>()
    for (const p of PROMPTS) {
      const t = await timedChat(proxy, 'auto', p)
      const [model, server] = t.answeredBy.split('@')
      if (!model || !server) throw new Error(`concurrency bench: no route for "${p}"`)
      target.set(p, { model, server })
    }
    const batch = async (send: (prompt: string) => Promise<StreamTiming>) => {
      const results = await Promise.allSettled(
        Array.from({ length: opts.concurrency }, (_, i) =>
          send(PROMPTS[i % PROMPTS.length] ?? 'Hi!'),
        ),
      )
      const ok: StreamTiming[] = []
      for (const r of results) {
        if (r.status === 'fulfilled') ok.push(r.value)
        else errors++
      }
      return ok
    }
    for (let r = 0; r < opts.rounds; r++) {
      const d = await batch((p) => {
        const t = target.get(p)
        const client = t ? direct[t.server] : undefined
        if (!t || !client) throw new Error(`no direct client for "${p}"`)
        return timedChat(client, t.model, p)
      })
      const x = await batch((p) => timedChat(proxy, 'auto', p))
      for (const t of x) spread[t.answeredBy] = (spread[t.answeredBy] ?? 0) + 1
      const settled = await waitFor(
        () => serve.api.inFlight() === 0 && serve.core.servers().every((s) => s.inFlight === 0),
        2000,
      )
      if (!settled) inFlightBackToZero = false
      const dt = d.map((t) => t.totalMs)
      const xt = x.map((t) => t.totalMs)
      directAll.push(...dt)
      proxiedAll.push(...xt)
      addedMedian.push(median(xt) - median(dt))
      addedP99.push(percentile(xt, 99) - percentile(dt, 99))
    }
  } finally {
    await close()
    await Promise.all(sims.map((s) => s.stop()))
  }
  return {
    concurrency: opts.concurrency,
    rounds: opts.rounds,
    errors,
    inFlightBackToZero,
    direct: { medianMs: round(median(directAll), 2), p99Ms: round(percentile(directAll, 99), 2) },
    proxied: {
      medianMs: round(median(proxiedAll), 2),
      p99Ms: round(percentile(proxiedAll, 99), 2),
    },
    addedMedianMs: round(median(addedMedian), 2),
    addedP99Ms: round(median(addedP99), 2),
    spread,
  }
}

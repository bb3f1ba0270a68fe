/**
 * Benchmark 1: decision time (classify + score + choose, i.e. `decide`) on the seed fleet and on a large
 * fleet built as ServerView fixtures, and classification alone. No network: pure CPU.
 */
import { performance } from 'node:perf_hooks'
import { DEFAULT_CONFIG } from '../electron/core/config'
import { classify } from '../electron/core/routing/classifier'
import { decide } from '../electron/core/routing/router'
import type { ChatMessage, OllamaProviderConfig, ServerView } from '../shared/types'
import { largeFleetViews, seedFleetViews } from './fleet-views'
import { median, round, summarise, type Summary } from './stats'

/** The prompts routed in turn: the spec's acceptance cases, other languages, a follow-up and a long paste. */
export const DECISION_PROMPTS: readonly ChatMessage[][] = [
  [{ role: 'user', content: 'Hi!' }],
  [{ role: 'user', content: 'Привет!' }],
  [{ role: 'user', content: 'Explain the Singleton pattern' }],
  [{ role: 'user', content: 'Объясни паттерн Singleton' }],
  [{ role: 'user', content: 'Write an auth system with JWT, refresh tokens and rate limiting' }],
  [{ role: 'user', content: 'Напиши систему авторизации с JWT, refresh tokens и rate limiting' }],
  [
    {
      role: 'user',
      content:
        'Prove that there are infinitely many primes, then compare three proofs step by step and explain which generalises best',
    },
  ],
  [{ role: 'user', content: 'Erkläre mir kurz, wie ein Hash-Join funktioniert' }],
  [
    { role: 'user', content: 'Write a Python function that merges two sorted lists' },
    { role: 'assistant', content: '```python\ndef merge(a, b):\n    ...\n```' },
    { role: 'user', content: 'and now in Rust?' },
  ],
  [
    {
      role: 'user',
      content: `What is wrong with this code?\n\`\`\`ts\n${'const x: number = compute(a, b) // step\n'.repeat(80)}\`\`\``,
    },
  ],
]

/** Options of the decision benchmark. */
export interface DecisionBenchOptions {
  /** Timed calls per round and fleet. */
  iterations: number
  /** Rounds; the report gives the median over all calls and the spread of the round medians. */
  rounds: number
  /** Untimed calls first, so the JIT has compiled the hot paths. */
  warmup?: number
  /** Large fleet shape; default 50 servers × 20 models. */
  servers?: number
  models?: number
}

/** Timings of one measured function, in µs. */
export interface MicroTiming extends Summary {
  /** Lowest and highest median of a single round: how noisy the machine was. */
  roundMedians: { min: number; max: number }
}

/** Result of the decision benchmark. */
export interface DecisionBenchResult {
  seed: MicroTiming & { candidates: number }
  large: MicroTiming & { candidates: number; servers: number; modelsPerServer: number }
  classify: MicroTiming
  /** `decisionMicros` as the router measures itself on the large fleet (median), for comparison. */
  largeSelfReportedMedianUs: number
}

/** The provider config the decisions run with: the defaults, distributed mode on. */
function benchConfig(): OllamaProviderConfig {
  const config = structuredClone(DEFAULT_CONFIG.llm.providers.ollama)
  config.distributed_mode = true
  return config
}

/** Times `fn(i)` once per call, in µs, for `iterations` calls per round. */
function timeCalls(
  fn: (i: number) => unknown,
  opts: { iterations: number; rounds: number; warmup: number },
): MicroTiming {
  let sink = 0
  for (let i = 0; i < opts.warmup; i++) if (fn(i)) sink++
  const all: number[] = []
  const roundMedians: number[] = []
  for (let r = 0; r < opts.rounds; r++) {
    const samples = new Array<number>(opts.iterations)
    for (let i = 0; i < opts.iterations; i++) {
      const t0 = performance.now()
      if (fn(i)) sink++
      samples[i] = (performance.now() - t0) * 1000
    }
    roundMedians.push(median(samples))
    all.push(...samples)
  }
  // Keeps the calls observable so nothing is optimised away.
  if (sink < 0) console.log(sink)
  return {
    ...summarise(all),
    roundMedians: {
      min: round(Math.min(...roundMedians), 3),
      max: round(Math.max(...roundMedians), 3),
    },
  }
}

function decider(servers: ServerView[], config: OllamaProviderConfig) {
  return (i: number) =>
    decide({
      messages: DECISION_PROMPTS[i % DECISION_PROMPTS.length] ?? [],
      servers,
      config,
      mode: { kind: 'auto' },
      requestedModel: null,
    }).chosen
}

/** Runs benchmark 1. */
export function runDecisionBench(opts: DecisionBenchOptions): DecisionBenchResult {
  const warmup = opts.warmup ?? Math.min(2000, opts.iterations)
  const timing = { iterations: opts.iterations, rounds: opts.rounds, warmup }
  const config = benchConfig()
  const seed = seedFleetViews()
  const servers = opts.servers ?? 50
  const modelsPerServer = opts.models ?? 20
  const large = largeFleetViews(servers, modelsPerServer)
  const count = (fleet: ServerView[]) => fleet.reduce((n, s) => n + s.models.length, 0)

  const classifyTiming = timeCalls(
    (i) => classify(DECISION_PROMPTS[i % DECISION_PROMPTS.length] ?? []).complexity,
    timing,
  )
  const seedTiming = timeCalls(decider(seed, config), timing)
  const largeTiming = timeCalls(decider(large, config), timing)
  const self: number[] = []
  for (let i = 0; i < Math.min(500, opts.iterations); i++) {
    self.push(
      decide({
        messages: DECISION_PROMPTS[i % DECISION_PROMPTS.length] ?? [],
        servers: large,
        config,
        mode: { kind: 'auto' },
        requestedModel: null,
      }).decisionMicros,
    )
  }
  return {
    seed: { ...seedTiming, candidates: count(seed) },
    large: { ...largeTiming, candidates: count(large), servers, modelsPerServer },
    classify: classifyTiming,
    largeSelfReportedMedianUs: round(median(self), 3),
  }
}

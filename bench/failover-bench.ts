/**
 * Benchmark 3: failover. A complex request routed to the primary while the primary (a) refuses connections
 * and (b) is hung (accepts, never answers); first-token time the first time and for later requests, against
 * the healthy path measured in the same round.
 */
import { Ollama } from 'ollama'
import { startSimServer, type Fault, type SimServer } from '../tools/ollama-sim'
import { benchConfigYaml, startBenchServe, timedChat, waitFor } from './harness'
import { median, round } from './stats'

/** The spec's acceptance case 3: routed to qwen2.5-coder:14b @ remote when all is well. */
export const COMPLEX_PROMPT = 'Write an auth system with JWT, refresh tokens and rate limiting'

/** The timeouts of this bench: what "the configured timeout" of the goal means. */
export const FAILOVER_TIMEOUTS = {
  connect_ms: 500,
  probe_ms: 800,
  first_token_ms: 1000,
  cold_first_token_ms: 1000,
  stall_ms: 1000,
} as const

/** Options of the failover benchmark. */
export interface FailoverBenchOptions {
  rounds: number
  /** Healthy requests and later (after the first failure) requests per round. */
  perRound: number
}

/** One fault's figures: medians over rounds, ms. */
export interface FaultFigures {
  firstTtftMs: number
  laterTtftMs: number
  /** first − healthy and later − healthy (medians of the per-round differences). */
  firstAddedMs: number
  laterAddedMs: number
  /** Who answered the first request, e.g. `qwen2.5:1.5b@localhost`. */
  firstAnsweredBy: string[]
  /** Attempts the first request made before it answered (from the response metadata). */
  firstAttempts: number[]
}

/** Result of the failover benchmark. */
export interface FailoverBenchResult {
  healthyTtftMs: number
  healthyAnsweredBy: string[]
  refused: FaultFigures
  hung: FaultFigures
  timeoutMs: number
}

async function attemptsOf(
  client: Ollama,
): Promise<{ ttftMs: number; by: string; attempts: number }> {
  // The streamed answer's done chunk carries the metadata with every attempt.
  const started = performance.now()
  let first = -1
  let by = ''
  let attempts = 0
  const stream = await client.chat({
    model: 'auto',
    messages: [{ role: 'user', content: COMPLEX_PROMPT }],
    stream: true,
  })
  for await (const part of stream) {
    const piece = part.message?.content ?? ''
    if (piece !== '' && first < 0) {
      first = performance.now() - started
      by = /^\[([^\]]+)\]/.exec(piece)?.[1] ?? piece
    }
    const meta = (part as unknown as { metadata?: { attempts?: unknown[] } }).metadata
    if (meta?.attempts) attempts = meta.attempts.length
  }
  return { ttftMs: first, by, attempts }
}

async function faultRounds(
  opts: FailoverBenchOptions,
  remote: SimServer,
  client: Ollama,
  reset: () => Promise<void>,
  fault: Fault,
): Promise<{ healthy: number[]; figures: FaultFigures; healthyBy: Set<string> }> {
  const healthy: number[] = []
  const healthyBy = new Set<string>()
  const first: number[] = []
  const later: number[] = []
  const firstAdded: number[] = []
  const laterAdded: number[] = []
  const firstBy: string[] = []
  const firstAttempts: number[] = []
  for (let r = 0; r < opts.rounds; r++) {
    await reset()
    const h: number[] = []
    for (let i = 0; i < opts.perRound; i++) {
      const t = await timedChat(client, 'auto', COMPLEX_PROMPT)
      healthyBy.add(t.answeredBy)
      h.push(t.ttftMs)
    }
    await remote.setFault(fault)
    const f = await attemptsOf(client)
    const l: number[] = []
    for (let i = 0; i < opts.perRound; i++)
      l.push((await timedChat(client, 'auto', COMPLEX_PROMPT)).ttftMs)
    await remote.setFault({ kind: 'none' })
    const hm = median(h)
    healthy.push(...h)
    first.push(f.ttftMs)
    firstBy.push(f.by)
    firstAttempts.push(f.attempts)
    later.push(median(l))
    firstAdded.push(f.ttftMs - hm)
    laterAdded.push(median(l) - hm)
  }
  return {
    healthy,
    healthyBy,
    figures: {
      firstTtftMs: round(median(first), 2),
      laterTtftMs: round(median(later), 2),
      firstAddedMs: round(median(firstAdded), 2),
      laterAddedMs: round(median(laterAdded), 2),
      firstAnsweredBy: [...new Set(firstBy)],
      firstAttempts,
    },
  }
}

/** Runs benchmark 3. */
export async function runFailoverBench(opts: FailoverBenchOptions): Promise<FailoverBenchResult> {
  const remote = await startSimServer({
    name: 'remote',
    port: 0,
    models: ['llama3.3:70b', 'gemma3:12b', 'qwen2.5-coder:14b', 'qwen3:14b'],
    timeScale: 0,
  })
  const local = await startSimServer({
    name: 'localhost',
    port: 0,
    models: ['gemma3:1b', 'qwen2.5:1.5b', 'phi3:3b'],
    timeScale: 0,
  })
  const yaml = benchConfigYaml(
    [
      { name: 'remote', url: remote.url, priority: 'PRIMARY' },
      { name: 'localhost', url: local.url, priority: 'SECONDARY' },
    ],
    { primaryFirst: true, timeouts: FAILOVER_TIMEOUTS },
  )
  const { serve, close } = await startBenchServe(yaml)
  const client = new Ollama({ host: serve.url })
  // Back to healthy: the probe sees the primary answer again and closes its breaker, as a person's
  // "Rediscover" does; then routing must pick the primary again.
  const reset = async () => {
    await serve.core.handlers['servers:rediscover']()
    const ok = await waitFor(() => {
      const primary = serve.core.servers().find((s) => s.id === 'primary')
      return primary?.health.kind === 'online' && primary.breaker === 'closed'
    }, 3000)
    if (!ok) throw new Error('failover bench: the primary did not come back online after a reset')
  }
  try {
    for (let i = 0; i < 5; i++) await timedChat(client, 'auto', COMPLEX_PROMPT)
    const refused = await faultRounds(opts, remote, client, reset, { kind: 'stopped' })
    const hung = await faultRounds(opts, remote, client, reset, { kind: 'hang' })
    return {
      healthyTtftMs: round(median([...refused.healthy, ...hung.healthy]), 2),
      healthyAnsweredBy: [...new Set([...refused.healthyBy, ...hung.healthyBy])],
      refused: refused.figures,
      hung: hung.figures,
      timeoutMs: FAILOVER_TIMEOUTS.first_token_ms,
    }
  } finally {
    await close()
    await Promise.all([remote.stop(), local.stop()])
  }
}

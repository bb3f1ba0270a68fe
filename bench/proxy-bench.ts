/**
 * Benchmark 2: proxy overhead. The same simulated server is asked directly and through `serve` (model `auto`
 * and the named model), interleaved request by request so machine noise hits all three alike.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Ollama } from 'ollama'
import { startSimServer, type SimServer } from '../tools/ollama-sim'
import { startBenchServe, timedChat, type StreamTiming } from './harness'
import { median, round } from './stats'

/** The model and prompt: a moderate prompt that `auto` routes to gemma3:12b on the one server. */
const PROMPT = 'Explain the Singleton pattern'
const MODEL = 'gemma3:12b'
const MODELS = ['llama3.3:70b', 'gemma3:12b', 'qwen2.5-coder:14b', 'qwen3:14b']

/** Options of the proxy benchmark. */
export interface ProxyBenchOptions {
  rounds: number
  /** Requests per path and round for the time-to-first-token part. */
  ttftRequests: number
  /** Streams per path and round for the paced throughput part. */
  paceStreams: number
  /** Pace of the throughput part, tokens per second (real time). */
  paceTokensPerSecond: number
}

type Path = 'direct' | 'pipe' | 'auto' | 'named'
const PATHS: readonly Path[] = ['direct', 'pipe', 'auto', 'named']

/**
 * The floor of any Node proxy: a bare node:http relay that pipes request and answer through unchanged
 * (keep-alive upstream, no parsing, no routing). What AILLM adds beyond it is our own code.
 */
async function startPipeProxy(target: string): Promise<{ url: string; close(): Promise<void> }> {
  const agent = new http.Agent({ keepAlive: true })
  const upstream = new URL(target)
  const server = http.createServer((req, res) => {
    const out = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers: req.headers,
        agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      },
    )
    out.on('error', () => res.destroy())
    req.pipe(out)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** Per path: medians over all samples. */
interface PathFigures {
  ttftMs: number
  totalMs: number
  /** Content chunks per second over the whole stream (request → done). */
  chunksPerSecond: number
}

/** Result of the proxy benchmark. */
export interface ProxyBenchResult {
  unpaced: Record<Path, PathFigures> & {
    /** Median over rounds of (proxied median − direct median) time to first token, ms. */
    addedTtftMs: { pipe: number; auto: number; named: number }
    /** Median over rounds of the proxied/direct chunk rate: the relay's ceiling, not a real model's pace. */
    capacityRatio: { pipe: number; auto: number; named: number }
    chunksPerReply: number
    capacityChunksPerReply: number
  }
  paced: Record<Path, PathFigures> & {
    tokensPerSecond: number
    /** Median over rounds of proxied/direct full-stream throughput. */
    throughputRatio: { pipe: number; auto: number; named: number }
    chunksPerReply: number
  }
  answeredBy: string[]
}

async function measure(
  sim: SimServer,
  rounds: number,
  perRound: number,
): Promise<{ byRound: Record<Path, StreamTiming[]>[]; answeredBy: Set<string> }> {
  const { serve, close } = await startBenchServe(
    `llm:\n  providers:\n    ollama:\n      base_url: ${sim.url}\n      auto_discover: false\n      mdns:\n        enabled: false\napi:\n  host: 127.0.0.1\n`,
  )
  const pipe = await startPipeProxy(sim.url)
  const clients: Record<Path, Ollama> = {
    direct: new Ollama({ host: sim.url }),
    pipe: new Ollama({ host: pipe.url }),
    auto: new Ollama({ host: serve.url }),
    named: new Ollama({ host: serve.url }),
  }
  const model: Record<Path, string> = { direct: MODEL, pipe: MODEL, auto: 'auto', named: MODEL }
  const answeredBy = new Set<string>()
  const byRound: Record<Path, StreamTiming[]>[] = []
  try {
    // Warm-up: connections, JIT, the model "loaded" on the simulator.
    for (const p of PATHS) for (let i = 0; i < 5; i++) await timedChat(clients[p], model[p], PROMPT)
    for (let r = 0; r < rounds; r++) {
      const round: Record<Path, StreamTiming[]> = { direct: [], pipe: [], auto: [], named: [] }
      for (let i = 0; i < perRound; i++) {
        // Rotate the order so no path always runs right after another.
        for (let k = 0; k < PATHS.length; k++) {
          const p = PATHS[(i + k) % PATHS.length] as Path
          const t = await timedChat(clients[p], model[p], PROMPT)
          answeredBy.add(t.answeredBy)
          round[p].push(t)
        }
      }
      byRound.push(round)
    }
  } finally {
    await pipe.close()
    await close()
  }
  return { byRound, answeredBy }
}

function figures(samples: StreamTiming[]): PathFigures {
  return {
    ttftMs: round(median(samples.map((s) => s.ttftMs)), 3),
    totalMs: round(median(samples.map((s) => s.totalMs)), 3),
    chunksPerSecond: round(median(samples.map((s) => s.chunks / (s.totalMs / 1000))), 1),
  }
}

function perRound(
  byRound: Record<Path, StreamTiming[]>[],
  f: (proxied: StreamTiming[], direct: StreamTiming[]) => number,
): { pipe: number; auto: number; named: number } {
  return {
    pipe: round(median(byRound.map((r) => f(r.pipe, r.direct))), 4),
    auto: round(median(byRound.map((r) => f(r.auto, r.direct))), 4),
    named: round(median(byRound.map((r) => f(r.named, r.direct))), 4),
  }
}

const ttftDiff = (p: StreamTiming[], d: StreamTiming[]) =>
  median(p.map((s) => s.ttftMs)) - median(d.map((s) => s.ttftMs))
const rateRatio = (p: StreamTiming[], d: StreamTiming[]) =>
  median(p.map((s) => s.chunks / s.totalMs)) / median(d.map((s) => s.chunks / s.totalMs))

/** Runs benchmark 2. */
export async function runProxyBench(opts: ProxyBenchOptions): Promise<ProxyBenchResult> {
  const answeredBy = new Set<string>()
  // Unpaced: the simulator waits for nothing, so every millisecond measured is HTTP and our code.
  // A short reply for first-token time (a long one is written in one burst that the first read waits on).
  const fast = await startSimServer({ name: 'gpu', port: 0, models: MODELS, timeScale: 0 })
  let unpaced: Awaited<ReturnType<typeof measure>>
  try {
    unpaced = await measure(fast, opts.rounds, opts.ttftRequests)
  } finally {
    await fast.stop()
  }
  // Long unpaced replies: how many chunks per second the relay can carry at most.
  const burst = await startSimServer({
    name: 'gpu',
    port: 0,
    models: MODELS,
    timeScale: 0,
    replyWords: 300,
  })
  let capacity: Awaited<ReturnType<typeof measure>>
  try {
    capacity = await measure(burst, opts.rounds, opts.paceStreams * 2)
  } finally {
    await burst.stop()
  }
  // Paced: a fast GPU's generation speed in real time; what a person's client actually sees.
  const paced = await startSimServer({
    name: 'gpu',
    port: 0,
    models: MODELS,
    timeScale: 1,
    tokensPerSecond: opts.paceTokensPerSecond,
    replyWords: 150,
  })
  let pacedRun: Awaited<ReturnType<typeof measure>>
  try {
    pacedRun = await measure(paced, opts.rounds, opts.paceStreams)
  } finally {
    await paced.stop()
  }
  for (const a of [...unpaced.answeredBy, ...capacity.answeredBy, ...pacedRun.answeredBy]) {
    answeredBy.add(a)
  }
  const all = (runs: Record<Path, StreamTiming[]>[], p: Path) => runs.flatMap((r) => r[p])
  const chunks = (runs: Record<Path, StreamTiming[]>[]) => all(runs, 'direct')[0]?.chunks ?? 0
  return {
    unpaced: {
      direct: figures(all(unpaced.byRound, 'direct')),
      pipe: figures(all(unpaced.byRound, 'pipe')),
      auto: figures(all(unpaced.byRound, 'auto')),
      named: figures(all(unpaced.byRound, 'named')),
      addedTtftMs: perRound(unpaced.byRound, ttftDiff),
      capacityRatio: perRound(capacity.byRound, rateRatio),
      chunksPerReply: chunks(unpaced.byRound),
      capacityChunksPerReply: chunks(capacity.byRound),
    },
    paced: {
      direct: figures(all(pacedRun.byRound, 'direct')),
      pipe: figures(all(pacedRun.byRound, 'pipe')),
      auto: figures(all(pacedRun.byRound, 'auto')),
      named: figures(all(pacedRun.byRound, 'named')),
      tokensPerSecond: opts.paceTokensPerSecond,
      throughputRatio: perRound(pacedRun.byRound, rateRatio),
      chunksPerReply: chunks(pacedRun.byRound),
    },
    answeredBy: [...answeredBy].sort(),
  }
}

/**
 * Benchmark 5: resources of `serve` in a child process: start-up time to the first routed answer, RSS after
 * start and every 100 routed requests up to 1,000, and the trend (least-squares slope) of those samples.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { Ollama } from 'ollama'
import { startSimServer, type SimServer } from '../tools/ollama-sim'
import { benchConfigYaml, benchDir } from './harness'
import type { ChildMessage } from './serve-child'
import { round, slope } from './stats'

/** The child is bundled like `npm run serve` (plain Node, no TypeScript loader), so its RSS is the product's. */
const CHILD = fileURLToPath(new URL('../out/bench/serve-child.mjs', import.meta.url))

/** Bundles the child the way tools/build-serve.mjs bundles `serve`. */
export async function buildChild(): Promise<void> {
  const { buildServe } = (await import('../tools/build-serve.mjs')) as {
    buildServe(entries: Record<string, string>): Promise<void>
  }
  await buildServe({ 'out/bench/serve-child': 'bench/serve-child.ts' })
}

/** Prompts sent in turn: every tier and both servers of the seed fleet get traffic. */
const PROMPTS = [
  'Hi!',
  'Explain the Singleton pattern',
  'Write an auth system with JWT, refresh tokens and rate limiting',
  'Привет!',
  'Prove that the square root of two is irrational, step by step',
]

/** Options of the resource benchmark. */
export interface ResourcesBenchOptions {
  requests: number
  sampleEvery: number
}

/** One RSS sample. */
export interface RssSample {
  requests: number
  rssMb: number
  heapMb: number
}

/** Result of the resource benchmark. */
export interface ResourcesBenchResult {
  /** Spawn → `serve` listening (includes Node start-up and the first discovery round), ms. */
  listeningMs: number
  /** Spawn → first routed answer complete, ms. */
  firstAnswerMs: number
  rssAfterStartMb: number
  rssAfterAllMb: number
  maxRssMb: number
  samples: RssSample[]
  /** RSS growth per 100 requests over all samples and over the second half only, MB. */
  slopeMbPer100: number
  slopeSecondHalfMbPer100: number
  /** Live heap (after a full GC) growth per 100 requests over the second half, MB: the leak test. */
  heapSlopeSecondHalfMbPer100: number
  errors: number
  /** RSS of the same runtime (plain Node) with none of our code loaded, measured in the same run. */
  runtimeBaselineRssMb: number
}

/** The bundled `serve` child (or the bare runtime with `--baseline`), with an IPC channel. */
export function spawnChild(args: string[]): ChildProcess {
  return fork(CHILD, args, {
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
}

/** Stops the child: SIGTERM, then SIGKILL after 3 s. */
export async function stopChild(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((r) => child.once('exit', r))
  child.kill('SIGTERM')
  await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))])
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
}

/** RSS of an idle child under the same runtime. */
async function runtimeBaseline(): Promise<number> {
  const child = spawnChild(['--baseline'])
  try {
    await nextMessage(child, 'listening')
    // Let start-up garbage settle the way it has in `serve` by the time it is measured.
    await new Promise((r) => setTimeout(r, 200))
    return (await memory(child)).rssMb
  } finally {
    await stopChild(child)
  }
}

/** The child's next message of `kind`; rejects when it fails or exits. */
export function nextMessage(
  child: ChildProcess,
  kind: ChildMessage['kind'],
): Promise<ChildMessage> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: ChildMessage) => {
      if (m.kind === kind || m.kind === 'failed') {
        cleanup()
        if (m.kind === 'failed') reject(new Error(`serve child failed: ${m.message}`))
        else resolve(m)
      }
    }
    const onExit = (code: number | null) => {
      cleanup()
      reject(new Error(`serve child exited early (code ${code})`))
    }
    const cleanup = () => {
      child.off('message', onMessage)
      child.off('exit', onExit)
    }
    child.on('message', onMessage)
    child.on('exit', onExit)
  })
}

/** The child's RSS (as the OS sees it) and live heap after a full GC, MB. */
export async function memory(child: ChildProcess): Promise<{ rssMb: number; heapMb: number }> {
  const reply = nextMessage(child, 'memory')
  child.send({ kind: 'memory' })
  const m = await reply
  if (m.kind !== 'memory') throw new Error('unexpected reply')
  return { rssMb: round(m.rss / 2 ** 20, 1), heapMb: round(m.heapUsed / 2 ** 20, 2) }
}

/** Runs benchmark 5. */
export async function runResourcesBench(
  opts: ResourcesBenchOptions,
): Promise<ResourcesBenchResult> {
  await buildChild()
  const sims: SimServer[] = [
    await startSimServer({
      name: 'remote',
      port: 0,
      models: ['llama3.3:70b', 'gemma3:12b', 'qwen2.5-coder:14b', 'qwen3:14b'],
      timeScale: 0,
    }),
    await startSimServer({
      name: 'localhost',
      port: 0,
      models: ['gemma3:1b', 'qwen2.5:1.5b', 'phi3:3b'],
      timeScale: 0,
    }),
  ]
  const [remote, local] = sims as [SimServer, SimServer]
  const d = benchDir(
    benchConfigYaml(
      [
        { name: 'remote', url: remote.url, priority: 'PRIMARY' },
        { name: 'localhost', url: local.url, priority: 'SECONDARY' },
      ],
      { primaryFirst: true },
    ),
  )
  let child: ChildProcess | null = null
  try {
    const spawned = performance.now()
    child = spawnChild([d.configPath, join(d.dir, 'data')])
    const listening = await nextMessage(child, 'listening')
    const listeningMs = performance.now() - spawned
    if (listening.kind !== 'listening') throw new Error('unexpected reply')
    const client = new Ollama({ host: listening.url })
    await client.chat({
      model: 'auto',
      messages: [{ role: 'user', content: 'Hi!' }],
      stream: false,
    })
    const firstAnswerMs = performance.now() - spawned
    const start = await memory(child)
    const samples: RssSample[] = [{ requests: 0, ...start }]
    let errors = 0
    for (let i = 1; i <= opts.requests; i++) {
      try {
        const stream = await client.chat({
          model: 'auto',
          messages: [{ role: 'user', content: PROMPTS[i % PROMPTS.length] ?? 'Hi!' }],
          stream: true,
        })
        for await (const part of stream) if (part.done) break
      } catch {
        errors++
      }
      if (i % opts.sampleEvery === 0) samples.push({ requests: i, ...(await memory(child)) })
    }
    const xs = samples.map((s) => s.requests / 100)
    const ys = samples.map((s) => s.rssMb)
    const half = samples.filter((s) => s.requests >= opts.requests / 2)
    return {
      listeningMs: round(listeningMs, 1),
      firstAnswerMs: round(firstAnswerMs, 1),
      rssAfterStartMb: start.rssMb,
      rssAfterAllMb: samples.at(-1)?.rssMb ?? start.rssMb,
      maxRssMb: Math.max(...ys),
      samples,
      slopeMbPer100: round(slope(xs, ys), 3),
      slopeSecondHalfMbPer100: round(
        slope(
          half.map((s) => s.requests / 100),
          half.map((s) => s.rssMb),
        ),
        3,
      ),
      heapSlopeSecondHalfMbPer100: round(
        slope(
          half.map((s) => s.requests / 100),
          half.map((s) => s.heapMb),
        ),
        3,
      ),
      errors,
      runtimeBaselineRssMb: await runtimeBaseline(),
    }
  } finally {
    await stopChild(child)
    await Promise.all(sims.map((s) => s.stop()))
    d.dispose()
  }
}

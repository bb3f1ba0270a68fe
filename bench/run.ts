/**
 * `npm run bench`: routing cost, proxy overhead, failover, discovery, resources, concurrency (issue 8),
 * a silent GPU box (issue 12) and the HTTP edge under stalled bodies and a stalled reader (issue 13).
 * Loopback only (127.0.0.1, port 0 everywhere), bounded loops. Prints a markdown table and writes
 * bench/results.json. `--only decision,proxy` runs some sections; `--quick` runs fewer rounds.
 */
import { writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { runConcurrencyBench, type ConcurrencyBenchResult } from './concurrency-bench'
import { runDecisionBench, type DecisionBenchResult } from './decision-bench'
import { runDiscoveryBench, type DiscoveryBenchResult } from './discovery-bench'
import { runEdgeBench, type EdgeBenchResult } from './edge-bench'
import { runFailoverBench, type FailoverBenchResult } from './failover-bench'
import { runProxyBench, type ProxyBenchResult } from './proxy-bench'
import { goalRows, markdownTable, type GoalRow } from './report'
import { runResourcesBench, type ResourcesBenchResult } from './resources-bench'
import { runSilenceBench, type SilenceBenchResult } from './silence-bench'

/** The sections, in the order they run. */
export const SECTIONS = [
  'decision',
  'proxy',
  'failover',
  'discovery',
  'resources',
  'concurrency',
  'silence',
  'edge',
] as const
/** One section's name. */
export type Section = (typeof SECTIONS)[number]

/** The machine a run was made on. */
export interface MachineInfo {
  cpus: number
  cpuModel: string
  memoryGb: number
  node: string
  platform: string
}

/** Everything one run measured; written to bench/results.json. */
export interface BenchResults {
  at: string
  machine: MachineInfo
  quick: boolean
  durationS: number
  decision?: DecisionBenchResult
  proxy?: ProxyBenchResult
  failover?: FailoverBenchResult
  discovery?: DiscoveryBenchResult
  resources?: ResourcesBenchResult
  concurrency?: ConcurrencyBenchResult
  silence?: SilenceBenchResult
  edge?: EdgeBenchResult
  goals: GoalRow[]
}

/** What this machine is, for the report. */
export function machineInfo(): MachineInfo {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  }
}

/** Parses `--only a,b` into sections; throws naming an unknown one. */
export function parseSections(only: string | undefined): Section[] {
  if (only === undefined || only === '') return [...SECTIONS]
  return only.split(',').map((s) => {
    const name = s.trim()
    if (!(SECTIONS as readonly string[]).includes(name)) {
      throw new Error(`unknown section "${name}" (sections: ${SECTIONS.join(', ')})`)
    }
    return name as Section
  })
}

/** Runs the chosen sections one after another (never in parallel: they would disturb each other). */
export async function runBench(
  sections: readonly Section[],
  quick: boolean,
): Promise<BenchResults> {
  const started = Date.now()
  const results: BenchResults = {
    at: new Date().toISOString(),
    machine: machineInfo(),
    quick,
    durationS: 0,
    goals: [],
  }
  const step = (name: string) => console.error(`bench: ${name}...`)
  for (const section of sections) {
    step(section)
    switch (section) {
      case 'decision':
        results.decision = runDecisionBench({
          iterations: quick ? 500 : 5000,
          rounds: quick ? 2 : 5,
        })
        break
      case 'proxy':
        results.proxy = await runProxyBench({
          rounds: quick ? 2 : 5,
          ttftRequests: quick ? 10 : 40,
          paceStreams: quick ? 2 : 3,
          paceTokensPerSecond: 500,
        })
        break
      case 'failover':
        results.failover = await runFailoverBench({
          rounds: quick ? 1 : 3,
          perRound: quick ? 3 : 10,
        })
        break
      case 'discovery':
        results.discovery = await runDiscoveryBench({ rounds: quick ? 1 : 3 })
        break
      case 'resources':
        results.resources = await runResourcesBench({
          requests: quick ? 200 : 1000,
          sampleEvery: quick ? 20 : 100,
        })
        break
      case 'concurrency':
        results.concurrency = await runConcurrencyBench({
          rounds: quick ? 1 : 5,
          concurrency: 50,
          tokensPerSecond: 1000,
        })
        break
      case 'silence':
        results.silence = await runSilenceBench()
        break
      case 'edge':
        results.edge = await runEdgeBench({
          bodies: 20,
          announcedBytes: 15 * 1024 * 1024,
          sentBytes: 14 * 1024 * 1024,
          bytesPerSecond: 2 * 1024 * 1024,
          answerWords: quick ? 400_000 : 1_000_000,
          stallMs: 5000,
        })
        break
    }
  }
  results.goals = goalRows(results)
  results.durationS = Math.round((Date.now() - started) / 100) / 10
  return results
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { only: { type: 'string' }, quick: { type: 'boolean' }, out: { type: 'string' } },
    strict: true,
  })
  let sections: Section[]
  try {
    sections = parseSections(values.only)
  } catch (err) {
    console.error(`bench: ${(err as Error).message}`)
    process.exit(2)
  }
  const results = await runBench(sections, values.quick === true)
  const out = values.out ?? fileURLToPath(new URL('./results.json', import.meta.url))
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`)
  const m = results.machine
  console.log(`\n## AILLM benchmarks — ${results.at}\n`)
  console.log(
    `${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GB, Node ${m.node}, ${m.platform}; ${results.durationS} s\n`,
  )
  console.log(markdownTable(results.goals))
  console.log(`\nFull figures: ${out}`)
  // Keep-alive sockets of the clients must not hold the process open.
  process.exit(0)
}

if (process.argv[1] && /run\.[cm]?[jt]s$/.test(process.argv[1])) {
  main().catch((err: unknown) => {
    console.error(`bench failed: ${(err as Error).stack ?? String(err)}`)
    process.exit(1)
  })
}

/**
 * Benchmark 4: discovery of 20 configured servers of which 5 refuse connections and 5 are hung. The core's
 * first discovery round (`AppCore.start`) must end within the probe timeout + 200 ms: dead servers are probed
 * in parallel and never wait on each other.
 */
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createAppCore } from '../electron/core/app-core'
import { createMemoryLogger } from '../electron/core/logger'
import { startSimServer, type SimServer } from '../tools/ollama-sim'
import { benchConfigYaml, benchDir } from './harness'
import { median, round } from './stats'

/** The probe timeout of this bench: the goal's reference. */
export const DISCOVERY_PROBE_MS = 1000

/** Options of the discovery benchmark. */
export interface DiscoveryBenchOptions {
  rounds: number
  servers?: number
  refusing?: number
  hung?: number
}

/** Result of the discovery benchmark. */
export interface DiscoveryBenchResult {
  servers: number
  refusing: number
  hung: number
  probeTimeoutMs: number
  /** `start()` wall time per round, ms. */
  roundsMs: number[]
  medianMs: number
  maxMs: number
  /** Health counts after the first round (last round's). */
  online: number
  offline: number
}

const SMALL = ['gemma3:1b', 'qwen2.5:1.5b', 'phi3:3b']

/** Runs benchmark 4. */
export async function runDiscoveryBench(
  opts: DiscoveryBenchOptions,
): Promise<DiscoveryBenchResult> {
  const total = opts.servers ?? 20
  const refusing = opts.refusing ?? 5
  const hung = opts.hung ?? 5
  const sims: SimServer[] = []
  try {
    for (let i = 0; i < total; i++) {
      sims.push(await startSimServer({ name: `s${i + 1}`, port: 0, models: SMALL, timeScale: 0 }))
    }
    // Healthy first, then refusing (listener closed: ECONNREFUSED), then hung (accepts, never answers).
    const healthy = total - refusing - hung
    for (let i = healthy; i < healthy + refusing; i++) await sims[i]?.setFault({ kind: 'stopped' })
    for (let i = healthy + refusing; i < total; i++) await sims[i]?.setFault({ kind: 'hang' })
    const yaml = benchConfigYaml(
      sims.map((s) => ({ name: s.name, url: s.url, priority: 'SECONDARY' as const })),
      { timeouts: { probe_ms: DISCOVERY_PROBE_MS, connect_ms: 500 } },
    )
    const roundsMs: number[] = []
    let online = 0
    let offline = 0
    for (let r = 0; r < opts.rounds; r++) {
      const d = benchDir(yaml)
      const core = await createAppCore({
        configPath: d.configPath,
        dataDir: join(d.dir, 'data'),
        logger: createMemoryLogger('WARNING'),
      })
      try {
        const started = performance.now()
        await core.start()
        roundsMs.push(performance.now() - started)
        const servers = core.servers()
        online = servers.filter(
          (s) => s.health.kind === 'online' || s.health.kind === 'degraded',
        ).length
        offline = servers.filter((s) => s.health.kind === 'offline').length
      } finally {
        await core.stop()
        d.dispose()
      }
    }
    return {
      servers: total,
      refusing,
      hung,
      probeTimeoutMs: DISCOVERY_PROBE_MS,
      roundsMs: roundsMs.map((ms) => round(ms, 1)),
      medianMs: round(median(roundsMs), 1),
      maxMs: round(Math.max(...roundsMs), 1),
      online,
      offline,
    }
  } finally {
    await Promise.all(sims.map((s) => s.stop()))
  }
}

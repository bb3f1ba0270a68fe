/**
 * Benchmark 7: a silent GPU box (issue 12), with the DEFAULT timeouts. (a) The primary freezes (nothing
 * answers, status checks included): first-token time of a complex request. (b) Its runner wedges
 * (status checks answer, no token) while the coder is cold: first-token time against the load time the
 * scheduler model predicts. (c) The coder's load takes longer than cold_first_token_ms allows: answered by
 * the laptop, and the load on the GPU box is not aborted (it finishes once and the next request uses it).
 */
import { Ollama } from 'ollama'
import { startSimServer, type SimServer } from '../tools/ollama-sim'
import { COMPLEX_PROMPT } from './failover-bench'
import { benchConfigYaml, startBenchServe, timedChat, waitFor } from './harness'
import { round } from './stats'

/** Result of the silence benchmark (ms unless named otherwise). */
export interface SilenceBenchResult {
  frozen: { ttftMs: number; answeredBy: string }
  wedged: { ttftMs: number; predictedLoadMs: number; marginMs: number; answeredBy: string }
  longLoad: {
    ttftMs: number
    answeredBy: string
    coldFirstTokenMs: number
    loadMs: number
    /** How often the GPU box loaded the coder (1 = never aborted and restarted). */
    loads: number
    nextAnsweredBy: string
  }
}

const MODELS = ['llama3.3:70b', 'gemma3:12b', 'qwen2.5-coder:14b', 'qwen3:14b']
/** 9 GB-class models at 4 GB/s: a couple of seconds per cold load. */
const DISK_MBPS = 4000

async function fleet(remoteLoadMs?: number): Promise<{ remote: SimServer; local: SimServer }> {
  const remote = await startSimServer({
    name: 'remote',
    port: 0,
    models: remoteLoadMs
      ? MODELS.map((name) => (name === 'qwen2.5-coder:14b' ? { name, loadMs: remoteLoadMs } : name))
      : MODELS,
    diskMBps: DISK_MBPS,
  })
  const local = await startSimServer({
    name: 'localhost',
    port: 0,
    models: ['gemma3:1b', 'qwen2.5:1.5b', 'phi3:3b'],
  })
  return { remote, local }
}

async function withServe<T>(
  remote: SimServer,
  local: SimServer,
  timeouts: Record<string, number>,
  body: (client: Ollama, serve: Awaited<ReturnType<typeof startBenchServe>>['serve']) => Promise<T>,
): Promise<T> {
  const yaml = benchConfigYaml(
    [
      { name: 'remote', url: remote.url, priority: 'PRIMARY' },
      { name: 'localhost', url: local.url, priority: 'SECONDARY' },
    ],
    { primaryFirst: true, timeouts },
  )
  const { serve, close } = await startBenchServe(yaml)
  try {
    return await body(new Ollama({ host: serve.url }), serve)
  } finally {
    await close()
    await Promise.all([remote.stop(), local.stop()])
  }
}

/** Runs benchmark 7. */
export async function runSilenceBench(): Promise<SilenceBenchResult> {
  const frozen = await (async () => {
    const { remote, local } = await fleet()
    return withServe(remote, local, {}, async (client) => {
      await remote.setFault({ kind: 'frozen' })
      const t = await timedChat(client, 'auto', COMPLEX_PROMPT)
      return { ttftMs: round(t.ttftMs, 1), answeredBy: t.answeredBy }
    })
  })()

  const wedged = await (async () => {
    const { remote, local } = await fleet()
    return withServe(remote, local, {}, async (client, serve) => {
      // One cold load (the explanation model) teaches the scheduler model this box's disk speed.
      await timedChat(client, 'auto', 'Explain the Singleton pattern')
      const coder = serve.core
        .servers()
        .find((s) => s.id === 'primary')
        ?.models.find((m) => m.name === 'qwen2.5-coder:14b')
      const speed = serve.core.scheduler.snapshot().find((s) => s.serverId === 'primary')
      const predictedLoadMs =
        coder && speed?.loadBytesPerMs ? coder.sizeBytes / speed.loadBytesPerMs : Number.NaN
      await remote.setFault({ kind: 'wedged' })
      const t = await timedChat(client, 'auto', COMPLEX_PROMPT)
      return {
        ttftMs: round(t.ttftMs, 1),
        predictedLoadMs: round(predictedLoadMs, 1),
        marginMs: serve.core.config().llm.providers.ollama.timeouts.wedge_margin_ms,
        answeredBy: t.answeredBy,
      }
    })
  })()

  const longLoad = await (async () => {
    const loadMs = 6000
    const coldFirstTokenMs = 3000
    const { remote, local } = await fleet(loadMs)
    return withServe(remote, local, { cold_first_token_ms: coldFirstTokenMs }, async (client) => {
      const t = await timedChat(client, 'auto', COMPLEX_PROMPT)
      await waitFor(() => remote.loaded().includes('qwen2.5-coder:14b'), loadMs + 5000)
      const next = await timedChat(client, 'auto', COMPLEX_PROMPT)
      return {
        ttftMs: round(t.ttftMs, 1),
        answeredBy: t.answeredBy,
        coldFirstTokenMs,
        loadMs,
        loads: remote.state().loads['qwen2.5-coder:14b'] ?? 0,
        nextAnsweredBy: next.answeredBy,
      }
    })
  })()

  return { frozen, wedged, longLoad }
}

/**
 * What the network benchmarks share: a temp dir with a config for simulated servers, `serve` on 127.0.0.1
 * port 0 in this process, and one streamed chat timed from request to first token and to the end.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { Ollama } from 'ollama'
import { createMemoryLogger } from '../electron/core/logger'
import { startServe, type Serve } from '../electron/serve/serve'
import type { Priority, TimeoutsConfig } from '../shared/types'

/** One server in a bench config. */
export interface BenchServer {
  name: string
  url: string
  priority: Priority
}

/** Timeouts the failover and discovery benches set; the rest keep the defaults. */
export type BenchTimeouts = Partial<TimeoutsConfig>

/**
 * A config for these servers: the first one is `base_url` (named `primary` by the core) when `primaryFirst`,
 * else all are `additional_servers`. mDNS and auto-discovery are off: loopback only.
 */
export function benchConfigYaml(
  servers: readonly BenchServer[],
  opts: { timeouts?: BenchTimeouts; primaryFirst?: boolean } = {},
): string {
  const [first, ...rest] = servers
  const primary = opts.primaryFirst && first ? first : null
  const additional = primary ? rest : servers
  const lines = ['llm:', '  providers:', '    ollama:']
  if (primary) lines.push(`      base_url: ${primary.url}`)
  if (additional.length > 0) {
    lines.push('      additional_servers:')
    for (const s of additional) {
      lines.push(
        `        - name: ${s.name}`,
        `          url: ${s.url}`,
        `          priority: ${s.priority}`,
      )
    }
  }
  lines.push(
    '      distributed_mode: true',
    '      auto_discover: false',
    '      mdns:',
    '        enabled: false',
  )
  const timeouts = Object.entries(opts.timeouts ?? {})
  if (timeouts.length > 0) {
    lines.push('      timeouts:')
    for (const [key, value] of timeouts) lines.push(`        ${key}: ${value}`)
  }
  lines.push('api:', '  host: 127.0.0.1', '')
  return lines.join('\n')
}

/** A temp dir holding `config.yaml`; removed by `dispose`. */
export interface BenchDir {
  dir: string
  configPath: string
  dispose(): void
}

/** Writes the config into a fresh temp dir. */
export function benchDir(configYaml: string): BenchDir {
  const dir = mkdtempSync(join(tmpdir(), 'aillm-bench-'))
  const configPath = join(dir, 'config.yaml')
  writeFileSync(configPath, configYaml)
  return { dir, configPath, dispose: () => rmSync(dir, { recursive: true, force: true }) }
}

/** `serve` in this process on 127.0.0.1:0 over a bench config; `close` also removes the temp dir. */
export async function startBenchServe(
  configYaml: string,
): Promise<{ serve: Serve; close(): Promise<void> }> {
  const d = benchDir(configYaml)
  try {
    const serve = await startServe({
      configPath: d.configPath,
      dataDir: join(d.dir, 'data'),
      port: 0,
      host: '127.0.0.1',
      // Warnings only: the bench must not measure an ever-growing in-memory log.
      logger: createMemoryLogger('WARNING'),
      buildUi: false,
    })
    return {
      serve,
      async close() {
        await serve.close()
        d.dispose()
      },
    }
  } catch (err) {
    d.dispose()
    throw err
  }
}

/** One streamed chat, timed. */
export interface StreamTiming {
  /** Request sent → first non-empty content chunk, ms. */
  ttftMs: number
  /** Request sent → done chunk, ms. */
  totalMs: number
  /** Content chunks received. */
  chunks: number
  chars: number
  /** The reply's `[model@server]` prefix: who really answered. */
  answeredBy: string
}

/** Streams one chat through the official client and times it; throws on errors (callers count them). */
export async function timedChat(
  client: Ollama,
  model: string,
  prompt: string,
): Promise<StreamTiming> {
  const started = performance.now()
  let first = -1
  let chunks = 0
  let text = ''
  const stream = await client.chat({
    model,
    messages: [{ role: 'user', content: prompt }],
    stream: true,
  })
  for await (const part of stream) {
    const piece = part.message?.content ?? ''
    if (piece !== '') {
      if (first < 0) first = performance.now()
      chunks++
      text += piece
    }
  }
  const ended = performance.now()
  const prefix = /^\[([^\]]+)\]/.exec(text)
  return {
    ttftMs: (first < 0 ? ended : first) - started,
    totalMs: ended - started,
    chunks,
    chars: text.length,
    answeredBy: prefix?.[1] ?? '(unknown)',
  }
}

/** Waits until `check` holds or `timeoutMs` passes; returns whether it held. */
export async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = performance.now() + timeoutMs
  while (!check()) {
    if (performance.now() > until) return false
    await new Promise((r) => setTimeout(r, 5))
  }
  return true
}

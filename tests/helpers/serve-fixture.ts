/**
 * A small fleet shaped like the product spec's topology on 127.0.0.1 (port 0 for each server, so tests never
 * collide), plus `serve` on port 0 pointed at it. Real HTTP all the way: no mocks of our own parts.
 */
import { startSimServer, type SimServer } from '../../tools/ollama-sim'
import { startServeOnConfig } from './serve-on-config'
import type { Serve } from '../../electron/serve/serve'
import type { createMemoryLogger } from '../../electron/core/logger'

export const REMOTE_MODELS = [
  'llama3.3:70b',
  'gemma3:12b',
  'qwen2.5-coder:14b',
  'qwen3:14b',
  'nomic-embed-text',
]
export const LOCAL_MODELS = ['gemma3:1b', 'qwen2.5:1.5b', 'phi3:3b']

export interface ServeFixture {
  remote: SimServer
  local: SimServer
  serve: Serve
  logger: ReturnType<typeof createMemoryLogger>
  dir: string
  configPath: string
  close(): Promise<void>
}

export interface ServeFixtureOptions {
  /** Extra YAML appended under `llm.providers.ollama` (indented by the caller). */
  ollamaExtra?: string
  /** Top-level YAML appended at the end (e.g. an `api:` section). */
  tail?: string
  timeScale?: number
  /** The environment serve's config overrides come from (default: this process's). */
  env?: NodeJS.ProcessEnv
}

/** Starts remote + localhost simulators and `serve` on them. */
export async function startServeFixture(opts: ServeFixtureOptions = {}): Promise<ServeFixture> {
  const timeScale = opts.timeScale ?? 0
  const remote = await startSimServer({ name: 'remote', port: 0, models: REMOTE_MODELS, timeScale })
  const local = await startSimServer({
    name: 'localhost',
    port: 0,
    models: LOCAL_MODELS,
    timeScale,
  })
  const starting = startServeOnConfig(
    `llm:
  providers:
    ollama:
      base_url: ${remote.url}
      additional_servers:
        - name: localhost
          url: ${local.url}
          priority: SECONDARY
      auto_discover: false
      mdns:
        enabled: false
      timeouts:
        connect_ms: 400
        probe_ms: 800
        first_token_ms: 1500
        cold_first_token_ms: 3000
        stall_ms: 1500
${opts.ollamaExtra ?? ''}
${opts.tail ?? ''}
`,
    undefined,
    opts.env,
  )
  // A serve that refuses its config leaves no simulator running behind it.
  const started = await starting.catch(async (err: unknown) => {
    await Promise.all([remote.stop(), local.stop()])
    throw err
  })
  const { serve, logger, dir, configPath } = started
  return {
    remote,
    local,
    serve,
    logger,
    dir,
    configPath,
    async close() {
      await started.close()
      await Promise.all([remote.stop(), local.stop()])
    },
  }
}

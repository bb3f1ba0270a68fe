/**
 * `serve` on two Ollama servers the test started itself (simulators, or relays in front of them): the first
 * as `base_url` (PRIMARY), the second as a SECONDARY additional server, mDNS off, data in a fresh temp dir.
 */
import type { Serve } from '../../electron/serve/serve'
import type { createMemoryLogger } from '../../electron/core/logger'
import { startServeOnConfig } from './serve-on-config'

/**
 * Short limits for failover tests (`ollamaExtra`): a dead box is found in under 2 s, not after the
 * defaults' 15 s. Discovery off, so only the two configured boxes exist.
 */
export const FAST_FAILOVER_EXTRA = `      auto_discover: false
      timeouts:
        connect_ms: 400
        probe_ms: 800
        first_token_ms: 1500
        cold_first_token_ms: 3000
        stall_ms: 1500`

export interface TwoBoxServe {
  serve: Serve
  configPath: string
  logger: ReturnType<typeof createMemoryLogger>
  /** Stops serve and removes its temp dir (the servers are the test's to stop). */
  close(): Promise<void>
}

export interface TwoBoxOptions {
  primaryUrl: string
  secondary: { name: string; url: string }
  /** Extra YAML under `llm.providers.ollama`, each line indented by six spaces. */
  ollamaExtra?: string
}

export async function startTwoBoxServe(opts: TwoBoxOptions): Promise<TwoBoxServe> {
  const { serve, configPath, logger, close } = await startServeOnConfig(
    `llm:
  providers:
    ollama:
      base_url: ${opts.primaryUrl}
      additional_servers:
        - name: ${opts.secondary.name}
          url: ${opts.secondary.url}
          priority: SECONDARY
      mdns:
        enabled: false
${opts.ollamaExtra ?? ''}
`,
    'aillm-two-box-',
  )
  return { serve, configPath, logger, close }
}

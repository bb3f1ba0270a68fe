/**
 * `serve` on two Ollama servers the test started itself (simulators, or relays in front of them): the first
 * as `base_url` (PRIMARY), the second as a SECONDARY additional server, mDNS off, data in a fresh temp dir.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServe, type Serve } from '../../electron/serve/serve'
import { createMemoryLogger } from '../../electron/core/logger'

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
  const dir = mkdtempSync(join(tmpdir(), 'aillm-two-box-'))
  const configPath = join(dir, 'config.yaml')
  writeFileSync(
    configPath,
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
  )
  const logger = createMemoryLogger('DEBUG')
  const serve = await startServe({
    configPath,
    dataDir: join(dir, 'data'),
    port: 0,
    logger,
    buildUi: false,
  })
  return {
    serve,
    configPath,
    logger,
    async close() {
      await serve.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

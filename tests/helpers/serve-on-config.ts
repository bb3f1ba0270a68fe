/**
 * `serve` on port 0 with a config.yaml the caller writes, its data in a fresh temp dir: the part every
 * serve fixture shares. `close()` stops serve and removes the dir (servers it points at are the caller's).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServe, type Serve } from '../../electron/serve/serve'
import { createMemoryLogger } from '../../electron/core/logger'

export interface ServeOnConfig {
  serve: Serve
  logger: ReturnType<typeof createMemoryLogger>
  dir: string
  configPath: string
  close(): Promise<void>
}

/**
 * Writes `yaml` as config.yaml in a temp dir named after `prefix` and starts serve on it; `env` is the
 * environment its config overrides come from (default: this process's).
 */
export async function startServeOnConfig(
  yaml: string,
  prefix = 'aillm-test-',
  env?: NodeJS.ProcessEnv,
): Promise<ServeOnConfig> {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  const configPath = join(dir, 'config.yaml')
  writeFileSync(configPath, yaml)
  const logger = createMemoryLogger('DEBUG')
  // A serve that refuses to start leaves no temp dir behind.
  const serve = await startServe({
    configPath,
    dataDir: join(dir, 'data'),
    port: 0,
    logger,
    buildUi: false,
    ...(env ? { env } : {}),
  }).catch((err: unknown) => {
    rmSync(dir, { recursive: true, force: true })
    throw err
  })
  return {
    serve,
    logger,
    dir,
    configPath,
    async close() {
      await serve.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

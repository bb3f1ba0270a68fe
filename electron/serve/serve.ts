/**
 * Headless AILLM: the routing core, the local API and the web UI on one port. Used by `npm run serve`,
 * `npm run demo`, the browser tests and the benchmarks.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createAppCore, type AppCore } from '../core/app-core'
import { startLocalApi, type LocalApi } from '../core/api/local-api'
import { isLoopbackHost } from '../core/config/host-url'
import { formatConfigIssue } from '../core/config'
import type { Logger } from '../core/logger'
import { createLogger } from '../core/logger'
import { ensurePrivateDirSync } from '../core/private-files'

/** Repo root (this file is electron/serve/serve.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
/** Where electron-vite puts the built renderer. */
export const RENDERER_DIR = join(REPO_ROOT, 'out', 'renderer')

export interface ServeOptions {
  configPath: string
  /** Overrides config `api.port` (0 = any free port). */
  port?: number
  /** Overrides config `api.host`. */
  host?: string
  dataDir?: string
  logger?: Logger
  /** Build the web UI first when it is missing or older than its sources (default true). */
  buildUi?: boolean
  /** Advertise this machine's Ollama over mDNS (`--advertise`), whatever config `advertise` says. */
  advertise?: boolean
  /** The environment the config's overrides come from (AILLM_API_*, AILLM_ORIGINS); default process.env. */
  env?: NodeJS.ProcessEnv
}

/** A running `serve`. */
export interface Serve {
  core: AppCore
  api: LocalApi
  url: string
  /** The dashboard's address, never with the token in it (stdout ends up in journald and CI logs). */
  uiUrl: string
  /** Where the person finds the token the dashboard asks for; null when the API has none. */
  tokenSource: string | null
  close(): Promise<void>
}

/** A configuration problem that stops `serve` from starting; the message is ready to print. */
export class ServeConfigError extends Error {
  override readonly name = 'ServeConfigError'
}

/** Where the token in force comes from, in words: the environment variable wins over the file. */
export function describeTokenSource(
  configPath: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  return env['AILLM_API_TOKEN']?.trim()
    ? 'the AILLM_API_TOKEN environment variable'
    : `api.token in ${configPath}`
}

/** The per-user data folder (conversations, logs): XDG / macOS / Windows conventions. */
export function defaultDataDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home = homedir(),
): string {
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'AILLM')
  if (platform === 'win32') return join(env['APPDATA'] ?? join(home, 'AppData', 'Roaming'), 'AILLM')
  return join(env['XDG_DATA_HOME'] || join(home, '.local', 'share'), 'aillm')
}

function newestMtime(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs)
  }
  return newest
}

/** True when out/renderer is missing or older than renderer/ or shared/. */
export function uiNeedsBuild(root = REPO_ROOT): boolean {
  const index = join(root, 'out', 'renderer', 'index.html')
  if (!existsSync(index)) return true
  const sources = ['renderer', 'shared'].map((d) => join(root, d)).filter((d) => existsSync(d))
  return Math.max(...sources.map(newestMtime)) > statSync(index).mtimeMs
}

/** Builds the renderer with electron-vite (it needs no Electron binary). */
export function buildUi(logger: Logger): void {
  logger.info('Building the web UI (electron-vite build)...')
  const result = spawnSync('npx', ['electron-vite', 'build', '--logLevel', 'warn'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
    // npx is a .cmd script on Windows, which only a shell can start.
    shell: process.platform === 'win32',
  })
  if (result.error) throw new Error(`Building the web UI failed: ${result.error.message}`)
  if (result.status !== 0) throw new Error('Building the web UI failed (see the output above)')
}

/** Starts the core, discovers servers and serves the API and the UI. */
export async function startServe(opts: ServeOptions): Promise<Serve> {
  const dataDir = opts.dataDir ?? defaultDataDir()
  // Conversations and logs are the person's own: owner-only, before the log file is opened.
  ensurePrivateDirSync(dataDir)
  const logger = opts.logger ?? createLogger({ file: join(dataDir, 'logs', 'aillm.log') })
  if (opts.buildUi !== false && uiNeedsBuild()) buildUi(logger)

  const core = await createAppCore({
    configPath: opts.configPath,
    dataDir,
    logger,
    ...(opts.advertise ? { advertise: true } : {}),
    ...(opts.host !== undefined ? { apiHost: opts.host } : {}),
    ...(opts.env ? { env: opts.env } : {}),
  })
  const view = await core.handlers['config:get']()
  if (view.issues.length > 0) {
    await core.stop()
    throw new ServeConfigError(
      `Config ${view.path} has ${view.issues.length} problem(s):\n` +
        view.issues.map((i) => `  ${formatConfigIssue(view.path, i)}`).join('\n'),
    )
  }
  const apiConfig = core.config().api
  const host = opts.host ?? apiConfig.host
  const port = opts.port ?? apiConfig.port
  if (!isLoopbackHost(host) && !apiConfig.token) {
    await core.stop()
    throw new ServeConfigError(
      `Refusing to listen on ${host}: binding to a non-loopback address needs a token. Set api.token in ${view.path} or AILLM_API_TOKEN.`,
    )
  }
  await core.start()
  let api: LocalApi
  try {
    api = await startLocalApi({
      core,
      host,
      port,
      staticDir: existsSync(RENDERER_DIR) ? RENDERER_DIR : null,
    })
  } catch (err) {
    await core.stop()
    throw err
  }
  return {
    core,
    api,
    url: api.url,
    uiUrl: `${api.url}/ui/`,
    tokenSource: apiConfig.token ? describeTokenSource(opts.configPath, opts.env) : null,
    async close() {
      await api.close()
      await core.stop()
    },
  }
}

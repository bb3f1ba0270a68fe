/**
 * Where the desktop app keeps its config and logs, from the command line, the environment and Electron's
 * per-user folders. Pure so the precedence is tested without Electron.
 */
import { join, resolve } from 'node:path'

/** Thrown when `--config` is given without a path. */
export class LaunchOptionError extends Error {
  override readonly name = 'LaunchOptionError'
}

/**
 * config.yaml path: `--config <path>` / `--config=<path>`, else AILLM_CONFIG, else
 * `<userData>/config.yaml`. Relative paths are taken from `cwd`.
 */
export function resolveConfigPath(opts: {
  argv: readonly string[]
  env: Record<string, string | undefined>
  userDataDir: string
  cwd: string
}): string {
  const fromArgs = configArg(opts.argv)
  if (fromArgs !== null) return resolve(opts.cwd, fromArgs)
  const fromEnv = opts.env.AILLM_CONFIG
  if (fromEnv !== undefined && fromEnv.trim() !== '') return resolve(opts.cwd, fromEnv)
  return join(opts.userDataDir, 'config.yaml')
}

function configArg(argv: readonly string[]): string | null {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === undefined) continue
    if (arg.startsWith('--config=')) {
      const value = arg.slice('--config='.length)
      if (value === '') throw new LaunchOptionError('--config= needs a path to config.yaml')
      return value
    }
    if (arg === '--config') {
      const value = argv[i + 1]
      if (value === undefined || value === '' || value.startsWith('--')) {
        throw new LaunchOptionError('--config needs a path to config.yaml')
      }
      return value
    }
  }
  return null
}

/** Name of the desktop app's log file inside Electron's logs folder. */
export const LOG_FILE_NAME = 'aillm.log'

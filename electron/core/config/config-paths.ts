import { homedir as osHomedir } from 'node:os'
import { isAbsolute, posix, resolve, win32 } from 'node:path'

/**
 * Where `serve` looks for config.yaml when neither `--config` nor `AILLM_CONFIG` says otherwise
 * (the Electron app passes its userData folder instead):
 * Linux and others `$XDG_CONFIG_HOME/aillm/config.yaml` or `~/.config/aillm/config.yaml`,
 * macOS `~/Library/Application Support/AILLM/config.yaml`, Windows `%APPDATA%\AILLM\config.yaml`.
 */
export function defaultConfigPath(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  homedir: string = osHomedir(),
): string {
  if (platform === 'win32') {
    const appData = env['APPDATA']?.trim()
    const base = appData ? appData : win32.join(homedir, 'AppData', 'Roaming')
    return win32.join(base, 'AILLM', 'config.yaml')
  }
  if (platform === 'darwin') {
    return posix.join(homedir, 'Library', 'Application Support', 'AILLM', 'config.yaml')
  }
  // The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
  const xdg = env['XDG_CONFIG_HOME']?.trim()
  const base = xdg && posix.isAbsolute(xdg) ? xdg : posix.join(homedir, '.config')
  return posix.join(base, 'aillm', 'config.yaml')
}

/** Options of {@link resolveConfigPath}. */
export interface ResolveConfigPathOptions {
  /** `--config PATH` from the command line. */
  cliPath?: string | null
  env?: NodeJS.ProcessEnv
  platform?: NodeJS.Platform
  homedir?: string
}

/** The config file to use: `--config` beats `AILLM_CONFIG` beats {@link defaultConfigPath}. */
export function resolveConfigPath(opts: ResolveConfigPathOptions = {}): string {
  const env = opts.env ?? process.env
  const explicit = opts.cliPath?.trim() || env['AILLM_CONFIG']?.trim()
  if (explicit) return isAbsolute(explicit) ? explicit : resolve(explicit)
  return defaultConfigPath(opts.platform, env, opts.homedir)
}

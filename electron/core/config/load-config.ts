import { readFileSync } from 'node:fs'
import type { AillmConfig, ConfigIssue } from '../../../shared/types'
import { ConfigError } from './config-issues'
import { resolveConfigPath } from './config-paths'
import { analyseConfigText } from './parse-config'

/** What loading the config file gave: its text ('' when missing), the config or null, the issues. */
export interface ConfigLoadResult {
  path: string
  text: string
  /** False when there is no file (defaults apply: that is not an error). */
  exists: boolean
  config: AillmConfig | null
  issues: ConfigIssue[]
}

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** The file; default {@link resolveConfigPath} (AILLM_CONFIG, then the user's config dir). */
  path?: string
  /** Environment for `AILLM_CONFIG` and the `AILLM_API_*` overrides; default `process.env`. */
  env?: NodeJS.ProcessEnv
}

/** Reads the file's text; a missing file reads as '' (defaults), other read failures as an issue. */
export function readConfigText(path: string): {
  text: string
  exists: boolean
  issue: ConfigIssue | null
} {
  try {
    return { text: readFileSync(path, 'utf8'), exists: true, issue: null }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return { text: '', exists: false, issue: null }
    const message = `cannot read the file: ${code ?? (err as Error).message}`
    return { text: '', exists: true, issue: { key: '', line: null, column: null, message } }
  }
}

/** Loads defaults → file → environment → validation. Never throws for a bad file: see `issues`. */
export function loadConfig(opts: LoadConfigOptions = {}): ConfigLoadResult {
  const env = opts.env ?? process.env
  const path = opts.path ?? resolveConfigPath({ env })
  const read = readConfigText(path)
  if (read.issue !== null) {
    return { path, text: '', exists: read.exists, config: null, issues: [read.issue] }
  }
  const { config, issues } = analyseConfigText(read.text, env)
  return { path, text: read.text, exists: read.exists, config, issues }
}

/** {@link loadConfig} for callers that cannot run without a valid config (the `serve` CLI). */
export function loadConfigOrThrow(opts: LoadConfigOptions = {}): ConfigLoadResult & {
  config: AillmConfig
} {
  const result = loadConfig(opts)
  if (result.config === null) throw new ConfigError(result.path, result.issues)
  return { ...result, config: result.config }
}

import type { ConfigIssue } from '../../../shared/types'
import { describeValue } from './config-issues'
import { originPatternProblem } from './origin-pattern'

/**
 * Environment overrides, applied after the file and before validation (style.md point 9).
 * An empty variable counts as unset. `AILLM_CONFIG` (the file's path) is handled by `resolveConfigPath`.
 */
export const ENV_OVERRIDES = {
  /** Address the local API listens on, e.g. `0.0.0.0` (then a token is required). */
  AILLM_API_HOST: ['api', 'host'],
  /** Port of the local API. */
  AILLM_API_PORT: ['api', 'port'],
  /** Bearer token of the local API. */
  AILLM_API_TOKEN: ['api', 'token'],
  /**
   * Extra allowed browser origins, comma-separated, as Ollama's OLLAMA_ORIGINS (same patterns as
   * `api.allowed_origins`, which it replaces; the default origins stay allowed either way).
   */
  AILLM_ORIGINS: ['api', 'allowed_origins'],
} as const satisfies Record<string, readonly [string, string]>

/** Name of an environment override variable. */
export type EnvOverrideName = keyof typeof ENV_OVERRIDES

/** The file's raw value with the environment laid over it, plus what came from where. */
export interface EnvLayer {
  raw: unknown
  /** Variables that replaced a value, with the value they set. */
  applied: Partial<Record<EnvOverrideName, string | number | string[]>>
  issues: ConfigIssue[]
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** Lays the overrides over the file's raw value; a value of the wrong shape is left for validation. */
export function applyEnvOverrides(raw: unknown, env: NodeJS.ProcessEnv = {}): EnvLayer {
  const applied: EnvLayer['applied'] = {}
  const issues: ConfigIssue[] = []
  const values: [EnvOverrideName, string | number | string[]][] = []
  for (const name of Object.keys(ENV_OVERRIDES) as EnvOverrideName[]) {
    const text = env[name]?.trim()
    if (text === undefined || text === '') continue
    if (name === 'AILLM_API_PORT') {
      if (!/^\d+$/.test(text)) {
        issues.push({
          key: `env.${name}`,
          line: null,
          column: null,
          message: `must be a port number from 1 to 65535 (got ${describeValue(text)})`,
        })
        continue
      }
      values.push([name, Number(text)])
    } else if (name === 'AILLM_ORIGINS') {
      const origins = originsOf(text)
      issues.push(...origins.issues)
      if (origins.issues.length === 0) values.push([name, origins.patterns])
    } else {
      values.push([name, text])
    }
  }
  if (values.length === 0) return { raw, applied, issues }
  const root = raw === null || raw === undefined ? {} : raw
  if (!isPlainObject(root)) return { raw, applied, issues }
  const api = root['api'] === null || root['api'] === undefined ? {} : root['api']
  if (!isPlainObject(api)) return { raw, applied, issues }
  const nextApi: Record<string, unknown> = { ...api }
  for (const [name, value] of values) {
    nextApi[ENV_OVERRIDES[name][1]] = value
    applied[name] = value
  }
  return { raw: { ...root, api: nextApi }, applied, issues }
}

/**
 * AILLM_ORIGINS as OLLAMA_ORIGINS is read (envconfig.AllowedOrigins: split on commas, each entry
 * trimmed, empty ones skipped); each entry that is not a usable pattern is an issue naming it.
 */
function originsOf(text: string): { patterns: string[]; issues: ConfigIssue[] } {
  const patterns: string[] = []
  const issues: ConfigIssue[] = []
  for (const entry of text.split(',')) {
    const pattern = entry.trim()
    if (pattern === '') continue
    const problem = originPatternProblem(pattern)
    if (problem === null) patterns.push(pattern)
    else {
      issues.push({
        key: 'env.AILLM_ORIGINS',
        line: null,
        column: null,
        message: `entry ${describeValue(pattern)} ${problem}`,
      })
    }
  }
  return { patterns, issues }
}

/** The variable that set the value at this dotted key (or inside it: a list's entry), if any. */
export function envNameFor(key: string, applied: EnvLayer['applied']): EnvOverrideName | null {
  for (const name of Object.keys(applied) as EnvOverrideName[]) {
    const at = ENV_OVERRIDES[name].join('.')
    if (key === at || key.startsWith(`${at}.`)) return name
  }
  return null
}

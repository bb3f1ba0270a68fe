import type { ConfigIssue } from '../../../shared/types'

/** A config that must load but does not: the file's path and every problem found in it. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
  constructor(
    readonly path: string,
    readonly issues: ConfigIssue[],
  ) {
    super(
      `Invalid config ${path}:\n${issues.map((i) => `  ${formatConfigIssue(path, i)}`).join('\n')}`,
    )
  }
}

/**
 * One issue as an editor-clickable line:
 * `config.yaml:7:21: llm.providers.ollama.additional_servers.0.priority: must be PRIMARY, SECONDARY or FALLBACK (got "PRIMRY")`.
 * Issues without a place in the file (environment, unreadable file) show the path alone.
 */
export function formatConfigIssue(path: string, issue: ConfigIssue): string {
  const where = issue.line === null ? path : `${path}:${issue.line}:${issue.column ?? 1}`
  const key = issue.key === '' ? '' : `${issue.key}: `
  return `${where}: ${key}${issue.message}`
}

/** Short, safe rendering of a bad value for `(got …)`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)
  }
  return String(value)
}

/** Orders issues as they appear in the file; issues with no place (env, file-level) come first. */
export function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  const rank = (i: ConfigIssue): number =>
    i.line === null ? -1 : i.line * 100_000 + (i.column ?? 0)
  return [...issues].sort((a, b) => rank(a) - rank(b))
}

import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml'
import type { z } from 'zod'
import type { AillmConfig, ConfigIssue } from '../../../shared/types'
import { applyEnvOverrides, envNameFor, type EnvLayer } from './config-env'
import { describeValue, sortIssues } from './config-issues'
import { configSchema, UNKNOWN_KEY_PREFIX } from './config-schema'

/** Result of parsing one config text: the config (null when there are issues) and the issues. */
export interface ParseConfigResult {
  config: AillmConfig | null
  issues: ConfigIssue[]
}

/** Everything the loader and the writer need from one text. */
export interface ConfigAnalysis extends ParseConfigResult {
  /** The YAML document (kept for comment-preserving writes); its `errors` are syntax errors. */
  document: Document
  lineCounter: LineCounter
  /** Environment values that replaced file values. */
  envApplied: EnvLayer['applied']
}

type PathSegment = string | number

/**
 * The largest config text that is parsed. The YAML parser takes about a second per few MB (a
 * 200,000-entry list blocked the event loop 1.25 s on every reload); a real config is a few kB.
 */
export const MAX_CONFIG_CHARS = 256 * 1024

/**
 * Parses config text (YAML) into the full config with defaults, without the environment.
 * `path` only names the file; use `formatConfigIssue(path, issue)` to print the issues.
 */
export function parseConfig(text: string, _path: string): ParseConfigResult {
  const { config, issues } = analyseConfigText(text)
  return { config, issues }
}

/** Parses, lays the environment over the file's values (when `env` is given) and validates. */
export function analyseConfigText(text: string, env?: NodeJS.ProcessEnv): ConfigAnalysis {
  if (text.length > MAX_CONFIG_CHARS) return tooLarge(text)
  const lineCounter = new LineCounter()
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true })
  const base = { document, lineCounter, envApplied: {} }
  if (document.errors.length > 0) {
    const issues = document.errors.map((err): ConfigIssue => {
      const pos = lineCounter.linePos(err.pos[0])
      return {
        key: '',
        line: pos.line,
        column: pos.col,
        message: `YAML syntax error: ${err.message}`,
      }
    })
    return { ...base, config: null, issues }
  }
  let raw: unknown
  try {
    raw = document.toJS({ maxAliasCount: 100 })
  } catch (err) {
    const message = `cannot read the YAML: ${(err as Error).message}`
    return { ...base, config: null, issues: [{ key: '', line: 1, column: 1, message }] }
  }
  const layer = applyEnvOverrides(raw, env)
  const result = configSchema.safeParse(layer.raw, { reportInput: true })
  const issues = [
    ...layer.issues,
    ...(result.success ? [] : toConfigIssues(result.error.issues, document, lineCounter, layer)),
  ]
  const config = result.success && issues.length === 0 ? result.data : null
  return { ...base, envApplied: layer.applied, config, issues: sortIssues(issues) }
}

/** Refused before parsing: the message says how big it is and what is allowed. */
function tooLarge(text: string): ConfigAnalysis {
  const kb = (n: number) => `${Math.round(n / 1024).toLocaleString('en-US')} kB`
  const message =
    `the file is ${kb(text.length)}; a config may be at most ${kb(MAX_CONFIG_CHARS)} ` +
    '(is this the right file? a list this long belongs elsewhere)'
  return {
    document: parseDocument(''),
    lineCounter: new LineCounter(),
    envApplied: {},
    config: null,
    issues: [{ key: '', line: null, column: null, message }],
  }
}

/** Zod issues → ConfigIssues with the dotted key, the place in the file and what is allowed. */
function toConfigIssues(
  zodIssues: readonly z.core.$ZodIssue[],
  document: Document,
  lineCounter: LineCounter,
  layer: EnvLayer,
): ConfigIssue[] {
  const out: ConfigIssue[] = []
  const place = (path: PathSegment[], preferKey: boolean, message: string): ConfigIssue => {
    const key = path.join('.')
    const envName = envNameFor(key, layer.applied)
    if (envName !== null) return { key: `env.${envName}`, line: null, column: null, message }
    const offset = locate(document, path, preferKey)
    const pos = offset === null ? { line: 1, col: 1 } : lineCounter.linePos(offset)
    return { key, line: pos.line, column: pos.col, message }
  }
  for (const issue of zodIssues) {
    const path = issue.path.filter((p): p is PathSegment => typeof p !== 'symbol')
    if (issue.code === 'unrecognized_keys') {
      const allowed = issue.message.startsWith(UNKNOWN_KEY_PREFIX)
        ? issue.message.slice(UNKNOWN_KEY_PREFIX.length)
        : ''
      for (const key of issue.keys) {
        const message = `unknown key "${key}"${allowed === '' ? '' : ` (allowed keys: ${allowed})`}`
        out.push(place([...path, key], true, message))
      }
      continue
    }
    const got =
      'input' in issue && issue.input !== undefined && !issue.message.includes('(got ')
        ? ` (got ${describeValue(issue.input)})`
        : ''
    out.push(place(path, false, `${issue.message}${got}`))
  }
  return out
}

/**
 * Offset of the node at `path`: its value, or (preferKey, or a key written with no value) its key.
 * A path that leaves the file (a defaulted key) stops at the deepest part that exists.
 */
function locate(document: Document, path: PathSegment[], preferKey: boolean): number | null {
  let node: unknown = document.contents
  let offset: number | null = isNode(node) && node.range ? node.range[0] : null
  for (const [i, segment] of path.entries()) {
    const last = i === path.length - 1
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => String(isScalar(p.key) ? p.key.value : p.key) === String(segment),
      )
      if (pair === undefined) break
      const keyOffset = isNode(pair.key) && pair.key.range ? pair.key.range[0] : offset
      const value = pair.value
      const empty =
        value === null || (isScalar(value) && value.value === null && value.source === '')
      offset =
        (last && preferKey) || empty || !isNode(value) || !value.range ? keyOffset : value.range[0]
      node = value
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment]
      if (item === undefined) break
      if (isNode(item) && item.range) offset = item.range[0]
      node = item
    } else {
      break
    }
  }
  return offset
}

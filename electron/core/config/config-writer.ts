import { randomBytes } from 'node:crypto'
import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { isCollection, isMap, isScalar, isSeq, type Document, type YAMLSeq } from 'yaml'
import type { AillmConfig, ConfigIssue } from '../../../shared/types'
import { CONFIG_EXAMPLE_YAML } from './config-example'
import { analyseConfigText, MAX_CONFIG_CHARS } from './parse-config'

type PathSegment = string | number

/** The new file text, or why the config could not be written into the file. */
export type RenderConfigResult = { ok: true; text: string } | { ok: false; issues: ConfigIssue[] }

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * Writes `want` (an already validated config) into the file's YAML document IN PLACE, so the
 * user's comments, key order and untouched spellings survive: only keys whose value changed are
 * set, keys equal to their default are not added, lists of equal length are updated item by item.
 * (yaml re-renders the document, so the spacing before a `#` comment becomes one space.)
 * `currentText` null or blank: start from the commented example. A file with YAML syntax errors is
 * refused (rewriting it would lose what the user meant).
 */
export function renderConfigText(
  currentText: string | null,
  want: AillmConfig,
): RenderConfigResult {
  try {
    return renderInto(currentText, want)
  } catch (err) {
    // yaml throws on shapes we did not foresee; the file must stay as it is, with a reason why.
    const message = `could not write this config into the file (${(err as Error).message}); nothing was written`
    return { ok: false, issues: [{ key: '', line: null, column: null, message }] }
  }
}

function renderInto(currentText: string | null, want: AillmConfig): RenderConfigResult {
  const source =
    currentText === null || currentText.trim() === '' ? CONFIG_EXAMPLE_YAML : currentText
  const first = analyseConfigText(source)
  // Not parsed at all (too large): there is no document to write into without losing the file.
  if (source.length > MAX_CONFIG_CHARS) return { ok: false, issues: first.issues }
  if (first.document.errors.length > 0) {
    return {
      ok: false,
      issues: first.issues.map((i) => ({
        ...i,
        message: `${i.message}; fix the file's YAML before saving from the app`,
      })),
    }
  }
  // Nothing to change: keep the file byte for byte (yaml re-renders spacing before comments).
  if (first.config !== null && isDeepStrictEqual(first.config, want))
    return { ok: true, text: source }
  const doc = first.document
  let analysis = first
  // Values that fail validation (a typo'd key, a bad priority) are replaced or removed first, so
  // the diff below can compare against a valid baseline.
  for (let round = 0; analysis.config === null && round < 5; round++) {
    for (const issue of analysis.issues) {
      if (issue.key === '') {
        doc.contents = doc.createNode({})
        continue
      }
      const path = toDocPath(doc, issue.key)
      const value = getPath(want, path)
      if (value === undefined) doc.deleteIn(path)
      else setValue(doc, path, value)
    }
    analysis = analyseConfigText(doc.toString())
  }
  const baseline = analysis.config
  if (baseline === null) return { ok: false, issues: analysis.issues }
  applyDiff(doc, [], want, baseline)
  let check = analyseConfigText(doc.toString())
  if (check.config !== null && !isDeepStrictEqual(check.config, want)) {
    // A default that depends on another key moved (clearing base_url brings back the default
    // localhost server when the file has no additional_servers): diff once more against that.
    applyDiff(doc, [], want, check.config)
    check = analyseConfigText(doc.toString())
  }
  const text = doc.toString()
  if (check.config === null || !isDeepStrictEqual(check.config, want)) {
    const message = 'could not write this config into the file without changing its meaning'
    return {
      ok: false,
      issues:
        check.issues.length > 0 ? check.issues : [{ key: '', line: null, column: null, message }],
    }
  }
  return { ok: true, text }
}

/** Sets only what differs; recursion stops at the first differing scalar or list. */
function applyDiff(doc: Document, path: PathSegment[], want: unknown, have: unknown): void {
  if (isPlainObject(want)) {
    for (const [key, value] of Object.entries(want)) {
      applyDiff(doc, [...path, key], value, isPlainObject(have) ? have[key] : undefined)
    }
    if (isPlainObject(have)) {
      for (const key of Object.keys(have)) {
        if (!(key in want) && doc.hasIn([...path, key])) doc.deleteIn([...path, key])
      }
    }
    return
  }
  if (isDeepStrictEqual(want, have)) return
  const node = doc.getIn(path, true)
  if (
    Array.isArray(want) &&
    Array.isArray(have) &&
    isSeq(node) &&
    node.items.length === have.length
  ) {
    if (want.length === have.length) {
      want.forEach((item, i) => applyDiff(doc, [...path, i], item, have[i]))
    } else {
      patchSeq(doc, node, want, have)
    }
    return
  }
  setValue(doc, path, want)
}

/**
 * A list that grew or shrank: the items both versions share keep their nodes (their comments and
 * the user's spelling, e.g. `- nas # the NAS`), removed ones go, new ones are added where they are.
 */
function patchSeq(doc: Document, node: YAMLSeq, want: unknown[], have: unknown[]): void {
  const kept = new Map<number, number>()
  for (const [from, to] of commonItems(have, want)) kept.set(to, from)
  // A flow list (`trusted_servers: [] # none yet`) stays one: its comment stays on its line.
  const old = [...node.items]
  node.items = want.map((item, to) => {
    const from = kept.get(to)
    const existing = from === undefined ? undefined : old[from]
    return existing ?? doc.createNode(item)
  })
}

/** Index pairs [in a, in b] of a longest common subsequence of deep-equal items. */
function commonItems(a: readonly unknown[], b: readonly unknown[]): [number, number][] {
  // lengths[i][j] = LCS length of a[i..] and b[j..]; config lists are short, so O(n·m) is fine.
  const lengths = Array.from({ length: a.length + 1 }, () =>
    new Array<number>(b.length + 1).fill(0),
  )
  const at = (i: number, j: number): number => lengths[i]?.[j] ?? 0
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      const row = lengths[i]
      if (row === undefined) continue
      row[j] = isDeepStrictEqual(a[i], b[j])
        ? at(i + 1, j + 1) + 1
        : Math.max(at(i + 1, j), at(i, j + 1))
    }
  }
  const pairs: [number, number][] = []
  for (let i = 0, j = 0; i < a.length && j < b.length;) {
    if (isDeepStrictEqual(a[i], b[j])) {
      pairs.push([i, j])
      i += 1
      j += 1
    } else if (at(i + 1, j) >= at(i, j + 1)) {
      i += 1
    } else {
      j += 1
    }
  }
  return pairs
}

/** setIn that keeps a scalar's comment and style, and turns `key:` (null) parents into mappings. */
function setValue(doc: Document, path: PathSegment[], value: unknown): void {
  for (let i = 1; i < path.length; i++) {
    const ancestor = doc.getIn(path.slice(0, i), true)
    if (isScalar(ancestor) && ancestor.value === null) {
      doc.setIn(path.slice(0, i), doc.createNode({}))
    } else if (isCollection(ancestor) && ancestor.flow && ancestor.items.length === 0) {
      ancestor.flow = false // `task_models: {}` grows into a block mapping, not a flow one
    }
  }
  const scalar = value === null || ['string', 'number', 'boolean'].includes(typeof value)
  doc.setIn(path, scalar ? value : doc.createNode(value))
}

/**
 * Dotted issue key → document path (numeric segments index lists). A key may itself contain dots
 * (`probe.ms: 100`): where the mapping has such a key, the longest run of segments it names wins.
 */
function toDocPath(doc: Document, key: string): PathSegment[] {
  const segments = key.split('.')
  const out: PathSegment[] = []
  for (let i = 0; i < segments.length;) {
    const node = out.length === 0 ? doc.contents : doc.getIn(out, true)
    const segment = segments[i] ?? ''
    if (isSeq(node) && /^\d+$/.test(segment)) {
      out.push(Number(segment))
      i += 1
      continue
    }
    let taken = 1
    if (isMap(node)) {
      for (let n = segments.length - i; n > 1; n--) {
        if (node.has(segments.slice(i, i + n).join('.'))) {
          taken = n
          break
        }
      }
    }
    out.push(segments.slice(i, i + taken).join('.'))
    i += taken
  }
  return out
}

function getPath(value: unknown, path: PathSegment[]): unknown {
  let node = value
  for (const segment of path) {
    if (Array.isArray(node) && typeof segment === 'number') node = node[segment]
    else if (isPlainObject(node) && typeof segment === 'string') node = node[segment]
    else return undefined
  }
  return node
}

/**
 * Replaces `path` atomically: a temp file in the same folder, fsync, rename (so a reader or a
 * crash sees the old file or the new one, never half of one). Creates the folder; keeps the old
 * file's mode, else 0600 because the file may hold the API token.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const dir = dirname(path)
  await mkdir(dir, { recursive: true })
  const mode = await stat(path).then(
    (s) => s.mode & 0o777,
    () => 0o600,
  )
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  let handle: FileHandle | null = null
  try {
    handle = await open(tmp, 'wx', mode)
    await handle.writeFile(text, 'utf8')
    await handle.sync()
    await handle.close()
    handle = null
    await rename(tmp, path)
  } catch (err) {
    await handle?.close().catch(() => undefined)
    await rm(tmp, { force: true })
    throw err
  }
  await syncDirectory(dir)
}

/** Makes the rename itself durable; not possible (nor needed) on every platform. */
async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return
  const handle = await open(dir, 'r').catch(() => null)
  if (handle === null) return
  await handle.sync().catch(() => undefined)
  await handle.close().catch(() => undefined)
}

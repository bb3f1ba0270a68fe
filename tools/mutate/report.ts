/**
 * Turns Stryker's mutant results into the scores docs/testing.md quotes: per module and per core folder,
 * over the observable mutants (killed, timed out, survived, uncovered; ignored ones carry their reason in
 * the code, compile and runtime errors never ran a test).
 */
import { coreFolderOf } from './modules'

/** The part of Stryker's MutantResult this report reads. */
export interface MutantOutcome {
  fileName: string
  status: string
  mutatorName: string
  replacement?: string | undefined
  /** Zero-based, as Stryker's API gives it. */
  location: { start: { line: number; column: number } }
  statusReason?: string | undefined
}

export interface Tally {
  killed: number
  timeout: number
  survived: number
  noCoverage: number
  ignored: number
  errors: number
}

export interface ScoreRow extends Tally {
  name: string
  /** Detected ÷ observable, in percent; null when nothing observable was mutated. */
  score: number | null
}

export interface MutationSummary {
  modules: ScoreRow[]
  folders: ScoreRow[]
  total: ScoreRow
  survivors: MutantOutcome[]
}

const emptyTally = (): Tally => ({
  killed: 0,
  timeout: 0,
  survived: 0,
  noCoverage: 0,
  ignored: 0,
  errors: 0,
})

function count(tally: Tally, status: string): void {
  switch (status) {
    case 'Killed':
      tally.killed++
      break
    case 'Timeout':
      tally.timeout++
      break
    case 'Survived':
      tally.survived++
      break
    case 'NoCoverage':
      tally.noCoverage++
      break
    case 'Ignored':
      tally.ignored++
      break
    default:
      // CompileError, RuntimeError (and anything a later Stryker adds) ran no test: not observable.
      tally.errors++
  }
}

/** The score of a tally: detected (killed + timed out) over observable, in percent. */
export function scoreOf(tally: Tally): number | null {
  const detected = tally.killed + tally.timeout
  const observable = detected + tally.survived + tally.noCoverage
  return observable === 0 ? null : (100 * detected) / observable
}

const row = (name: string, tally: Tally): ScoreRow => ({ name, ...tally, score: scoreOf(tally) })

/** Relative, forward-slashed path of a result's file. */
export function relativePath(fileName: string, root: string): string {
  const normal = fileName.replace(/\\/g, '/')
  const base = root.replace(/\\/g, '/').replace(/\/+$/, '') + '/'
  return normal.startsWith(base) ? normal.slice(base.length) : normal
}

/** Scores per module and per folder, and the mutants no test noticed, in file and line order. */
export function summarise(results: readonly MutantOutcome[], root: string): MutationSummary {
  const modules = new Map<string, Tally>()
  const folders = new Map<string, Tally>()
  const total = emptyTally()
  const survivors: MutantOutcome[] = []
  for (const result of results) {
    const path = relativePath(result.fileName, root)
    const folder = coreFolderOf(path) ?? 'other'
    for (const [map, key] of [
      [modules, path],
      [folders, folder],
    ] as const) {
      let tally = map.get(key)
      if (!tally) map.set(key, (tally = emptyTally()))
      count(tally, result.status)
    }
    count(total, result.status)
    if (result.status === 'Survived' || result.status === 'NoCoverage') {
      survivors.push({ ...result, fileName: path })
    }
  }
  survivors.sort(
    (a, b) =>
      a.fileName.localeCompare(b.fileName) ||
      a.location.start.line - b.location.start.line ||
      a.location.start.column - b.location.start.column,
  )
  const rows = (map: Map<string, Tally>): ScoreRow[] =>
    [...map].map(([name, tally]) => row(name, tally)).sort((a, b) => a.name.localeCompare(b.name))
  return { modules: rows(modules), folders: rows(folders), total: row('all', total), survivors }
}

/** The modules whose score is under the floor (a module with nothing observable passes). */
export function belowFloor(summary: MutationSummary, floor: number): ScoreRow[] {
  return summary.modules.filter((m) => m.score !== null && m.score < floor)
}

const percent = (score: number | null): string => (score === null ? 'n/a' : `${score.toFixed(1)} %`)

/** A Markdown table of rows (docs/testing.md takes it as printed). */
export function renderTable(rows: readonly ScoreRow[], heading: string): string {
  const lines = [
    `| ${heading} | score | killed | timeout | survived | no coverage | ignored | errors |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ]
  for (const r of rows) {
    lines.push(
      `| ${r.name} | ${percent(r.score)} | ${r.killed} | ${r.timeout} | ${r.survived} | ` +
        `${r.noCoverage} | ${r.ignored} | ${r.errors} |`,
    )
  }
  return lines.join('\n')
}

/** One line per surviving mutant: where, which mutator, what it became. */
export function renderSurvivors(survivors: readonly MutantOutcome[]): string {
  if (survivors.length === 0) return 'No surviving mutants.'
  return survivors
    .map((s) => {
      const where = `${s.fileName}:${s.location.start.line + 1}:${s.location.start.column + 1}`
      const what = (s.replacement ?? '').replace(/\s+/g, ' ').slice(0, 100)
      const kind = s.status === 'NoCoverage' ? ' (no test covers it)' : ''
      return `${where} ${s.mutatorName}${kind}: ${what}`
    })
    .join('\n')
}

/**
 * `npm run mutate`: mutation testing of the routing core with StrykerJS (vitest runner, TypeScript checker,
 * per-test coverage). Each module is tried against the tests that import it, directly or not (vitest's
 * `related`), integration tests included. Prints the score per module and per folder and every surviving
 * mutant; exits 1 when a module is under the floor. Not part of CI: it takes minutes per module on two cores.
 *
 *   npm run mutate                         the default modules (tools/mutate/modules.ts)
 *   npm run mutate -- routing/router.ts    one module, or several, or a folder (chat/)
 *   npm run mutate -- --changed            the core modules changed since --base (default: see below)
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { Stryker } from '@stryker-mutator/core'
import type { LogLevel, PartialStrykerOptions } from '@stryker-mutator/api/core'
import { DEFAULT_MODULES, ModuleSelectionError, changedModules, selectModules } from './modules'
import { belowFloor, renderSurvivors, renderTable, summarise } from './report'

const ROOT = resolve(import.meta.dirname, '..', '..')
const REPORTS = join(ROOT, '.stryker-reports')

const USAGE = `usage: npm run mutate -- [MODULE|FOLDER ...] [--changed [--base REV]] [--concurrency N]
                       [--floor PERCENT] [--incremental] [--tests GLOB,GLOB]
  MODULE|FOLDER   e.g. routing/router.ts, electron/core/chat/chat-executor.ts, api/ (default: the usual set)
  --changed       the core modules that differ from --base (committed or not; untracked files count)
  --base REV      with --changed: what to compare with (default: main's merge base, or HEAD on main)
  --concurrency N test runners side by side (default 2: this machine's cores)
  --floor P       fail when a module scores under P % of its observable mutants (default 85)
  --incremental   reuse the last run's results for code and tests that did not change
  --tests GLOBS   try the mutants against these test files only (comma-separated globs), not every test
                  that imports the module: fewer tests can only kill fewer mutants, so the score is a
                  lower bound — for modules whose related tests take hours on two cores`

function git(args: string[]): string {
  return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' })
}

const lines = (text: string): string[] => text.split('\n').filter((line) => line !== '')

/** Tracked files plus untracked ones git does not ignore: a new module counts before its first commit. */
function repoFiles(): string[] {
  return lines(git(['ls-files', '--cached', '--others', '--exclude-standard']))
}

/** The default base for --changed: where this branch left main, or HEAD when on main itself. */
function defaultBase(): string {
  const branch = git(['rev-parse', '--abbrev-ref', 'HEAD']).trim()
  if (branch === 'main') return 'HEAD'
  try {
    return git(['merge-base', 'HEAD', 'main']).trim()
  } catch {
    return 'HEAD'
  }
}

function changedSince(base: string): string[] {
  const files = new Set(repoFiles())
  const changed = [
    ...lines(git(['diff', '--name-only', base])),
    ...lines(git(['ls-files', '--others', '--exclude-standard'])),
  ]
  return changedModules(changed.filter((path) => files.has(path)))
}

function fail(message: string): never {
  console.error(`mutate: ${message}\n${USAGE}`)
  process.exit(2)
}

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1)
    fail(`${name} takes a whole number of 1 or more, not "${value}"`)
  return n
}

async function main(): Promise<void> {
  let parsed
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        changed: { type: 'boolean', default: false },
        base: { type: 'string' },
        concurrency: { type: 'string' },
        floor: { type: 'string' },
        incremental: { type: 'boolean', default: false },
        tests: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    })
  } catch (err) {
    fail((err as Error).message)
  }
  const { values, positionals } = parsed
  if (values.help) {
    console.log(USAGE)
    return
  }
  if (values.base !== undefined && !values.changed) fail('--base goes with --changed')
  if (values.changed && positionals.length > 0) fail('give modules or --changed, not both')
  const tests = values.tests?.split(',').map((glob) => glob.trim())
  if (tests !== undefined && tests.some((glob) => glob === '')) {
    fail(`--tests takes comma-separated globs of test files, not "${values.tests}"`)
  }
  const concurrency = positiveInt(values.concurrency, '--concurrency', 2)
  const floor = values.floor === undefined ? 85 : Number(values.floor)
  if (!Number.isFinite(floor) || floor < 0 || floor > 100) {
    fail(`--floor takes a percentage from 0 to 100, not "${values.floor}"`)
  }

  let modules: string[]
  try {
    modules = values.changed
      ? changedSince(values.base ?? defaultBase())
      : selectModules(positionals.length > 0 ? positionals : DEFAULT_MODULES, repoFiles())
  } catch (err) {
    if (err instanceof ModuleSelectionError) fail(err.message)
    throw err
  }
  if (modules.length === 0) {
    console.log('mutate: no core module changed; nothing to mutate.')
    return
  }
  console.log(
    `mutate: ${modules.length} module(s), concurrency ${concurrency}:\n  ${modules.join('\n  ')}`,
  )

  mkdirSync(REPORTS, { recursive: true })
  const options: PartialStrykerOptions = {
    testRunner: 'vitest',
    // With --tests the config's include is those files (AILLM_MUTATE_TESTS below), not vitest's related.
    vitest: { configFile: 'vitest.config.ts', related: tests === undefined },
    checkers: ['typescript'],
    tsconfigFile: 'tsconfig.node.json',
    typescriptChecker: { prioritizePerformanceOverAccuracy: true },
    coverageAnalysis: 'perTest',
    mutate: modules,
    concurrency,
    // Integration tests wait on real timers (backoff, breakers, timeouts): a mutant that makes them
    // slower, not endless, should not count as a timeout kill on a busy two-core machine.
    timeoutFactor: 2.5,
    timeoutMS: 10_000,
    reporters: ['progress-append-only', 'json', 'html'],
    jsonReporter: { fileName: join(REPORTS, 'mutation.json') },
    htmlReporter: { fileName: join(REPORTS, 'mutation.html') },
    incremental: values.incremental,
    incrementalFile: join(REPORTS, 'incremental.json'),
    tempDirName: '.stryker-tmp',
    cleanTempDir: true,
    ignorePatterns: ['out', 'dist', 'test-results', '.ci-reports', '.stryker-reports'],
    // LogLevel is a const enum, which a type-only import cannot name: its values are these strings.
    logLevel: 'info' as LogLevel,
    fileLogLevel: 'off' as LogLevel,
  }
  // vitest.config.ts retries a failed test under mutation only (timing flakes on a busy machine).
  process.env['AILLM_MUTATE'] = '1'
  if (tests !== undefined) {
    process.env['AILLM_MUTATE_TESTS'] = tests.join(',')
    console.log(`mutate: against ${tests.join(', ')} only (the score is a lower bound)`)
  }
  const results = await new Stryker(options).runMutationTest()
  const summary = summarise(results, ROOT)
  const text = [
    renderTable(summary.modules, 'module'),
    '',
    renderTable([...summary.folders, summary.total], 'folder'),
    '',
    'Surviving mutants (file:line:column mutator: replacement):',
    renderSurvivors(summary.survivors),
  ].join('\n')
  writeFileSync(join(REPORTS, 'summary.md'), text + '\n')
  console.log(`\n${text}\n\nReports: .stryker-reports/summary.md, mutation.json, mutation.html`)

  const under = belowFloor(summary, floor)
  if (under.length > 0) {
    console.error(
      `\nmutate: under the ${floor} % floor: ` +
        under.map((m) => `${m.name} ${m.score?.toFixed(1)} %`).join(', '),
    )
    process.exitCode = 1
  }
}

main().catch((err: unknown) => {
  console.error(`mutate: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
  process.exit(2)
})

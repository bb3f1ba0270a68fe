/**
 * Which files `npm run mutate` mutates: the core modules, the default set, and the ones a change touched.
 * Pure functions over paths, so the selection is tested without running Stryker.
 */

/** The core's folders whose modules are mutation-tested (docs/testing.md reports one score per folder). */
export const CORE_FOLDERS = [
  'routing',
  'chat',
  'api',
  'config',
  'discovery',
  'scheduler',
  'contract',
] as const

export type CoreFolder = (typeof CORE_FOLDERS)[number]

const CORE_ROOT = 'electron/core/'

/**
 * Files under the core folders that are not mutated, each with why: a mutant there says nothing about a test.
 * Barrels only re-export; the lexicon is a word list whose every entry would be a "survivor" of its own
 * (its effect is measured by the classifier's labelled evaluation set instead).
 */
export const NOT_MUTATED: Readonly<Record<string, string>> = {
  'electron/core/routing/classifier-lexicon.ts':
    'word lists: measured by the labelled set in tests/fixtures/classifier-eval.yaml',
}

/**
 * What `npm run mutate` runs with no arguments: the modules whose tests decide where a message goes and
 * whether a failure is survived (about an hour on two cores).
 */
export const DEFAULT_MODULES: readonly string[] = [
  'electron/core/routing/scoring.ts',
  'electron/core/routing/router.ts',
  'electron/core/routing/circuit-breaker.ts',
  'electron/core/chat/chat-executor.ts',
  'electron/core/api/request-guard.ts',
  'electron/core/config/config-schema.ts',
  'electron/core/discovery/backoff.ts',
  'electron/core/discovery/server-registry.ts',
]

/** The core folder a path belongs to, or null when it is not a mutable core module. */
export function coreFolderOf(path: string): CoreFolder | null {
  const normal = path.replace(/\\/g, '/').replace(/^\.\//, '')
  if (!normal.startsWith(CORE_ROOT) || !normal.endsWith('.ts') || normal.endsWith('.d.ts'))
    return null
  if (normal.endsWith('/index.ts') || normal in NOT_MUTATED) return null
  const folder = normal.slice(CORE_ROOT.length).split('/')[0]
  return (CORE_FOLDERS as readonly string[]).includes(folder ?? '') ? (folder as CoreFolder) : null
}

/** Error for an argument that names no core module, with what would have been accepted. */
export class ModuleSelectionError extends Error {
  override readonly name = 'ModuleSelectionError'
}

/**
 * Resolves the command line's module arguments against the tracked files: a path to a module
 * (`electron/core/routing/router.ts`), a path relative to the core (`routing/router.ts`), or a folder
 * (`routing/`, `electron/core/chat`). Throws a ModuleSelectionError naming an argument that matches nothing.
 */
export function selectModules(args: readonly string[], files: readonly string[]): string[] {
  const mutable = files.filter((file) => coreFolderOf(file) !== null)
  const chosen = new Set<string>()
  for (const arg of args) {
    const normal = arg.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '')
    const full =
      normal.startsWith(CORE_ROOT) || normal === 'electron/core' ? normal : CORE_ROOT + normal
    const matches = mutable.filter((file) => file === full || file.startsWith(full + '/'))
    if (matches.length === 0) {
      const why = full in NOT_MUTATED ? ` (not mutated: ${NOT_MUTATED[full]})` : ''
      throw new ModuleSelectionError(
        `"${arg}" names no core module${why}; give a file or folder under ${CORE_ROOT}` +
          `{${CORE_FOLDERS.join(',')}}/, e.g. routing/router.ts or chat/`,
      )
    }
    for (const file of matches) chosen.add(file)
  }
  return [...chosen].sort()
}

/** The mutable core modules among the paths a change touched (deleted files are the caller's to drop). */
export function changedModules(changedPaths: readonly string[]): string[] {
  return [...new Set(changedPaths.filter((path) => coreFolderOf(path) !== null))].sort()
}

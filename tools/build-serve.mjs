// Bundles the headless entry points with esbuild so `npm run serve` / `npm run demo` run on plain Node
// (no TypeScript loader at run time: faster start, ~30 MB less memory). Takes well under a second.
import { build } from 'esbuild'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/** Entry points: source → out file (relative to the repo root). */
const ENTRIES = {
  'out/serve/cli': 'electron/serve/cli.ts',
  'out/serve/demo': 'electron/serve/demo.ts',
}

/** Builds the given entries (default: serve's); extra entries let the bench bundle its own child. */
export async function buildServe(entries = ENTRIES) {
  await build({
    absWorkingDir: root,
    entryPoints: Object.entries(entries).map(([out, src]) => ({ out, in: src })),
    outdir: '.',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
  })
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  await buildServe()
}

import { defineConfig } from 'vitest/config'

const mutating = process.env['AILLM_MUTATE'] === '1'
/** `npm run mutate -- --tests GLOBS`: the mutants are tried against these test files only (a lower bound). */
const mutateTests = mutating ? process.env['AILLM_MUTATE_TESTS']?.split(',') : undefined

export default defineConfig({
  test: {
    include: mutateTests ?? [
      'tests/unit/**/*.test.{ts,tsx}',
      'tests/integration/**/*.test.ts',
      'tests/e2e/electron/**/*.test.ts',
    ],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Integration tests bind fixed loopback addresses; files run one at a time to keep them apart.
    fileParallelism: false,
    reporters: ['default'],
    // Under `npm run mutate` only (tools/mutate/cli.ts sets AILLM_MUTATE): a test that failed by timing on a
    // machine busy with mutants is tried again, so a flake neither aborts the initial run nor counts as a
    // kill. A mutant that breaks behaviour fails every try. `npm test` and CI never retry.
    retry: mutating ? 2 : 0,
  },
})

// Builds the preload exactly as `electron-vite build` does (same config file, same electron-vite presets),
// into a temp folder, and checks the bundle is what a sandboxed preload can load: one CJS file whose only
// require()s are electron/events/timers/url.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveConfig } from 'electron-vite'
import { build } from 'vite'
import type { InlineConfig } from 'vite'
import { REQUEST_CHANNELS, EVENT_CHANNELS } from '../../../shared/contract'

const ROOT = resolve(import.meta.dirname, '../../..')
const SANDBOX_MODULES = new Set(['electron', 'events', 'timers', 'url'])

/** Every module name passed to require() or import in the bundle. */
function requiredModules(code: string): string[] {
  const names = new Set<string>()
  for (const m of code.matchAll(/\brequire\(\s*(['"`])([^'"`]+)\1\s*\)/g)) names.add(m[2] ?? '')
  for (const m of code.matchAll(/^\s*import\b[^'"]*(['"])([^'"]+)\1/gm)) names.add(m[2] ?? '')
  for (const m of code.matchAll(/\bimport\(\s*(['"`])([^'"`]+)\1\s*\)/g)) names.add(m[2] ?? '')
  return [...names].sort()
}

describe('preload bundle', () => {
  let outDir = ''
  let files: string[] = []
  let code = ''

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'aillm-preload-'))
    process.env.NODE_ENV_ELECTRON_VITE = 'production'
    const resolved = await resolveConfig(
      { root: ROOT, build: { outDir, emptyOutDir: false }, logLevel: 'warn' },
      'build',
      'production',
    )
    const preload = resolved.config?.preload
    if (!preload) throw new Error('electron.vite.config.ts has no preload section')
    await build(preload as InlineConfig)
    const dir = join(outDir, 'preload')
    files = readdirSync(dir)
    code = readFileSync(join(dir, 'index.cjs'), 'utf8')
  }, 60_000)

  afterAll(() => {
    if (outDir) rmSync(outDir, { recursive: true, force: true })
  })

  it('is a single self-contained CJS file', () => {
    expect(files.filter((f) => !f.endsWith('.map'))).toEqual(['index.cjs'])
    expect(code).not.toMatch(/^\s*(import|export)\b/m)
  })

  it('requires nothing a sandboxed preload cannot load', () => {
    const modules = requiredModules(code)
    expect(modules).toContain('electron')
    expect(modules.filter((m) => !SANDBOX_MODULES.has(m))).toEqual([])
  })

  it('inlines the contract channel names and exposes only window.aillm', () => {
    for (const channel of [...REQUEST_CHANNELS, ...EVENT_CHANNELS]) expect(code).toContain(channel)
    expect(code).toContain('exposeInMainWorld')
    expect([...code.matchAll(/exposeInMainWorld\(\s*(['"])([^'"]+)\1/g)].map((m) => m[2])).toEqual([
      'aillm',
    ])
  })
})

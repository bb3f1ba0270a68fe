// electron-builder.yml passes electron-builder's own schema and says what the issue asks for.
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'

const ROOT = resolve(import.meta.dirname, '../../..')
const require = createRequire(import.meta.url)
interface PlatformConfig {
  target: string | string[]
  icon: string
  extendInfo?: Record<string, unknown>
  maintainer?: string
}
interface BuilderConfig {
  appId: string
  productName: string
  files: string[]
  extraResources: { from: string; to: string }[]
  electronFuses: Record<string, boolean>
  mac: PlatformConfig
  win: PlatformConfig
  linux: PlatformConfig
}
const config = parse(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as BuilderConfig

describe('electron-builder.yml', () => {
  it("passes electron-builder's configuration schema", async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js')
    const { DebugLogger } = require('builder-util')
    await expect(
      validateConfiguration(structuredClone(config), new DebugLogger(false)),
    ).resolves.toBeUndefined()
  })

  it('rejects a broken config (the schema check is live)', async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js')
    const { DebugLogger } = require('builder-util')
    const broken = { ...structuredClone(config), electronFuses: { runAsNode: 'no' } }
    await expect(validateConfiguration(broken, new DebugLogger(false))).rejects.toThrow(/runAsNode/)
  })

  it('identifies the app and packs only the build output', () => {
    expect(config.appId).toBe('dev.aillm.app')
    expect(config.productName).toBe('AILLM')
    expect(config.files).toEqual(['out/**/*', '!out/serve/**', 'package.json'])
  })

  it('sets the security fuses', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    })
  })

  it('targets dmg (no Dock icon), nsis, AppImage and deb', () => {
    expect(config.mac.target).toBe('dmg')
    expect(config.mac.extendInfo).toEqual({ LSUIElement: 1 })
    expect(config.win.target).toBe('nsis')
    expect(config.linux.target).toEqual(['AppImage', 'deb'])
    expect(config.linux.maintainer).toMatch(/<.+@.+>/)
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
    expect(pkg.homepage).toMatch(/^https?:/)
    expect(pkg.main).toBe('out/main/index.js')
  })

  it('ships the tray icons and app icon it points at', () => {
    for (const { from } of config.extraResources) {
      expect(existsSync(join(ROOT, from)), from).toBe(true)
    }
    for (const os of [config.mac, config.win, config.linux]) {
      expect(existsSync(join(ROOT, os.icon))).toBe(true)
    }
  })
})

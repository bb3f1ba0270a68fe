// End to end through the real desktop app: Playwright's _electron launches `electron .`, the tray menu model
// is read through the AILLM_E2E hook, and a chat goes from the chat window over the preload and IPC to the
// core and a simulated Ollama server on loopback. Skips (saying why) where the Electron binary is absent.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ElectronApplication, Page } from 'playwright-core'
import type { ChatChunk, ResponseMetadata } from '../../../shared/types'
import type { TrayMenuItem } from '../../../electron/main/tray-menu'
import type { E2eHooks } from '../../../electron/main/index'
import { startSimServer } from '../../../tools/ollama-sim'
import type { SimServer } from '../../../tools/ollama-sim'

const ROOT = resolve(import.meta.dirname, '../../..')

/**
 * Where the Electron binary is, or why there is none. `require('electron')` is not used: without the
 * binary it tries to download it, which this workplace forbids and CI cannot do.
 */
function findElectron(): { path: string } | { missing: string } {
  const pkgDir = join(ROOT, 'node_modules', 'electron')
  const pathFile = join(pkgDir, 'path.txt')
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH
  if (!existsSync(pathFile) && !override) {
    return { missing: `${pathFile} is absent (the Electron binary was never downloaded)` }
  }
  const exe = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : 'electron'
  const path = override ? join(override, exe) : join(pkgDir, 'dist', exe)
  return existsSync(path) ? { path } : { missing: `${path} does not exist` }
}

const electron = findElectron()
if ('missing' in electron) {
  console.log(`SKIP Electron e2e: no Electron binary — ${electron.missing}.`)
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer()
    srv.once('error', fail)
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address()
      const port = typeof address === 'object' && address ? address.port : 0
      srv.close(() => done(port))
    })
  })
}

async function until<T>(
  what: string,
  probe: () => Promise<T | null | undefined>,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await probe()
    if (value !== null && value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

type HookWindow = typeof globalThis & { __aillmE2E?: E2eHooks }
/** The page's global as the test sees it (this file is typed for Node, without the DOM library). */
type PageGlobal = typeof globalThis & {
  aillm?: object
  location: { href: string }
  open(url: string): unknown
}

describe.skipIf('missing' in electron)('desktop app (Electron e2e)', () => {
  let sim: SimServer
  let dir = ''
  let app: ElectronApplication
  const trayMenu = () =>
    app.evaluate(() => (globalThis as HookWindow).__aillmE2E?.trayMenu() ?? null)

  beforeAll(async () => {
    execFileSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: 'inherit' })
    sim = await startSimServer({
      name: 'sim',
      host: '127.0.0.1',
      port: 0,
      models: [{ name: 'gemma3:1b' }],
    })
    dir = mkdtempSync(join(tmpdir(), 'aillm-e2e-'))
    const configPath = join(dir, 'config.yaml')
    writeFileSync(
      configPath,
      [
        'llm:',
        '  providers:',
        '    ollama:',
        '      auto_discover: false',
        '      additional_servers:',
        '        - name: sim',
        `          url: ${sim.url}`,
        '          priority: PRIMARY',
        '',
      ].join('\n'),
    )
    const { _electron } = await import('playwright-core')
    app = await _electron.launch({
      executablePath: 'path' in electron ? electron.path : '',
      args: ['.'],
      cwd: ROOT,
      env: {
        ...process.env,
        AILLM_E2E: '1',
        AILLM_CONFIG: configPath,
        AILLM_USER_DATA: join(dir, 'user-data'),
        AILLM_API_PORT: String(await freePort()),
      },
    })
  }, 120_000)

  afterAll(async () => {
    await app?.close()
    await sim?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('starts to the tray with no window', async () => {
    await until('the tray hook', trayMenu)
    expect(app.windows()).toHaveLength(0)
  })

  it('shows the server, its status and the mode radio items in the tray menu', async () => {
    const menu: TrayMenuItem[] = await until('the sim server online', async () => {
      const items = await trayMenu()
      return items?.some((i) => i.label === `sim — 1 model, ${i.label?.match(/(\d+) ms/)?.[1]} ms`)
        ? items
        : null
    })
    const radios = menu.filter((i) => i.type === 'radio')
    expect(radios.map((i) => [i.label, i.checked])).toEqual([
      ['Automatic (route by task)', true],
      ['Only sim', false],
    ])
    expect(await app.evaluate(() => (globalThis as HookWindow).__aillmE2E?.trayHealth())).toBe(
      'all',
    )
  })

  it('switches the mode from the tray', async () => {
    await app.evaluate(() => (globalThis as HookWindow).__aillmE2E?.clickTray('mode:server:sim'))
    await until('the mode to switch', async () => {
      const items = await trayMenu()
      return items?.find((i) => i.label === 'Only sim')?.checked ? true : null
    })
    await app.evaluate(() => (globalThis as HookWindow).__aillmE2E?.clickTray('mode:auto'))
  })

  let page: Page
  it('opens one hardened chat window, reused on the second open', async () => {
    const opened = app.waitForEvent('window')
    await app.evaluate(() => (globalThis as HookWindow).__aillmE2E?.clickTray('open:chat'))
    page = await opened
    await page.waitForLoadState('domcontentloaded')
    expect(page.url()).toBe('app://aillm/index.html#/chat')
    expect(
      await page.evaluate(() => Object.keys((globalThis as PageGlobal).aillm ?? {}).sort()),
    ).toEqual(['invoke', 'on'])
    expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe(
      'undefined',
    )
    expect(await page.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe(
      'undefined',
    )
    await app.evaluate(() => (globalThis as HookWindow).__aillmE2E?.clickTray('open:chat'))
    await new Promise((r) => setTimeout(r, 500))
    expect(app.windows()).toHaveLength(1)
  })

  it('sends a chat through the window to the simulator and streams the answer back', async () => {
    const result = await page.evaluate(async () => {
      type Bridge = {
        invoke(c: string, ...a: unknown[]): Promise<{ requestId: string }>
        on(c: string, l: (p: unknown) => void): () => void
      }
      const bridge = (globalThis as PageGlobal).aillm as Bridge
      const chunks: ChatChunk[] = []
      const finished = new Promise<void>((done) => {
        bridge.on('chat:chunk', (p) => {
          const chunk = p as ChatChunk
          chunks.push(chunk)
          if (chunk.kind === 'done' || chunk.kind === 'error') done()
        })
      })
      await bridge.invoke('chat:send', { conversationId: null, content: 'Hi!' })
      await finished
      return chunks
    })
    const done = result.at(-1)
    expect(done?.kind).toBe('done')
    const metadata = (done as { metadata: ResponseMetadata }).metadata
    expect(metadata).toMatchObject({ model: 'gemma3:1b', server_name: 'sim', server_used: sim.url })
    const text = result.flatMap((c) => (c.kind === 'token' ? [c.text] : [])).join('')
    expect(text.startsWith('[gemma3:1b@sim]')).toBe(true)
  })

  it('refuses navigation away from the app and leaves window.open closed', async () => {
    // Not an http(s) link, so it is neither loaded nor handed to the browser.
    await page.evaluate(() => {
      ;(globalThis as PageGlobal).location.href = 'file:///etc/passwd'
    })
    await new Promise((r) => setTimeout(r, 300))
    expect(page.url()).toBe('app://aillm/index.html#/chat')
    expect(
      await page.evaluate(() => (globalThis as PageGlobal).open('app://aillm/index.html') === null),
    ).toBe(true)
  })
})

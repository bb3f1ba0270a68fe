// Runs the real shell entry (electron/main/index.ts) in plain Node over a fake `electron` module and a
// simulated Ollama server on loopback: tray state, IPC sender checks, a chat over the IPC handler, the
// app:// protocol, navigation guards and quitting. What only a real Electron can show is in the e2e test.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { REQUEST_CHANNELS } from '../../../shared/contract'
import type { ChatChunk } from '../../../shared/types'
import type { E2eHooks } from '../../../electron/main/index'
import type { IpcResult } from '../../../electron/main/ipc-dispatch'
import { startSimServer } from '../../../tools/ollama-sim'
import type { SimServer } from '../../../tools/ollama-sim'
import { recorded, type FakeBrowserWindow } from './fake-electron'

vi.mock('electron', async () => (await import('./fake-electron')).electronModule)

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer()
    srv.once('error', fail)
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address()
      srv.close(() => done(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

async function until<T>(what: string, probe: () => T | null | undefined, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = probe()
    if (value !== null && value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

const hooks = () => (globalThis as { __aillmE2E?: E2eHooks }).__aillmE2E
const menuLabels = () =>
  hooks()
    ?.trayMenu()
    .map((i) => i.label ?? '') ?? []

describe('main process over a fake electron', () => {
  let sim: SimServer
  let dir = ''
  let chatWindow: FakeBrowserWindow
  const saved = { ...process.env }

  const invoke = async (
    channel: string,
    sender: FakeBrowserWindow | null,
    frameUrl: string | null,
    ...args: unknown[]
  ) => {
    const handler = recorded.handlers.get(channel)
    if (!handler) throw new Error(`no handler for ${channel}`)
    const event = {
      sender: sender?.webContents ?? {},
      senderFrame: frameUrl === null ? null : { url: frameUrl, parent: null },
    }
    return (await handler(event, ...args)) as IpcResult
  }

  beforeAll(async () => {
    sim = await startSimServer({
      name: 'sim',
      host: '127.0.0.1',
      port: 0,
      models: [{ name: 'gemma3:1b' }],
    })
    dir = mkdtempSync(join(tmpdir(), 'aillm-main-'))
    const config = join(dir, 'config.yaml')
    writeFileSync(
      config,
      `llm:\n  providers:\n    ollama:\n      auto_discover: false\n      additional_servers:\n        - name: sim\n          url: ${sim.url}\n          priority: PRIMARY\n`,
    )
    Object.assign(process.env, {
      AILLM_E2E: '1',
      AILLM_CONFIG: config,
      AILLM_USER_DATA: join(dir, 'user-data'),
      AILLM_API_PORT: String(await freePort()),
      XDG_CONFIG_HOME: join(dir, 'xdg'),
    })
    await import('../../../electron/main/index')
    await until('the sim server in the tray', () =>
      menuLabels().some((l) => l.startsWith('sim — 1 model,')),
    )
  }, 30_000)

  afterAll(async () => {
    process.env = saved
    await sim?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('registers the app scheme as privileged and one IPC handler per request channel', () => {
    expect(recorded.privilegedSchemes).toMatchObject([
      { scheme: 'app', privileges: { standard: true, secure: true } },
    ])
    expect([...recorded.handlers.keys()].sort()).toEqual([...REQUEST_CHANNELS].sort())
  })

  it('starts as a tray with no window and shows health and mode', () => {
    expect(recorded.windows).toHaveLength(0)
    expect(recorded.trays).toHaveLength(1)
    expect(hooks()?.trayHealth()).toBe('all')
    expect(recorded.trays[0]?.tooltip).toBe('AILLM — all 1 server reachable')
    expect(menuLabels()).toEqual(expect.arrayContaining(['Automatic (route by task)', 'Only sim']))
    const image = recorded.trays[0]?.image as { path: string }
    expect(image.path).toMatch(/resources[/\\]tray[/\\]tray-all\.(png|ico)$|tray-allTemplate\.png$/)
    expect(existsSync(image.path)).toBe(true)
  })

  it('switches mode from the tray and rebuilds the menu', async () => {
    hooks()?.clickTray('mode:server:sim')
    await until(
      'Only sim checked',
      () =>
        hooks()
          ?.trayMenu()
          .find((i) => i.label === 'Only sim')?.checked,
    )
    hooks()?.clickTray('mode:auto')
    await until(
      'auto checked',
      () =>
        hooks()
          ?.trayMenu()
          .find((i) => i.id === 'mode:auto')?.checked,
    )
  })

  it('rebuilds the tray menu even when the clicked action fails', async () => {
    const tray = recorded.trays[0]!
    const before = tray.menuBuilds
    // Electron has already moved the radio to the clicked item; only a rebuild moves it back.
    hooks()?.clickTray('mode:server:no-such-server')
    await until('the menu rebuilt', () => tray.menuBuilds > before, 2000)
    expect(
      hooks()
        ?.trayMenu()
        .find((i) => i.id === 'mode:auto')?.checked,
    ).toBe(true)
  })

  it('opens one hardened chat window and reuses it', async () => {
    hooks()?.clickTray('open:chat')
    chatWindow = await until('the chat window', () => recorded.windows[0])
    expect(chatWindow.webContents.url).toBe('app://aillm/index.html#/chat')
    expect(chatWindow.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    })
    expect(String((chatWindow.options.webPreferences as { preload: string }).preload)).toMatch(
      /preload[/\\]index\.cjs$/,
    )
    hooks()?.clickTray('open:chat')
    await until('the second show', () => chatWindow.shown >= 2)
    expect(recorded.windows).toHaveLength(1)
  })

  it('answers our window and refuses foreign senders', async () => {
    const url = 'app://aillm/index.html#/chat'
    expect(await invoke('mode:get', chatWindow, url)).toEqual({ ok: true, value: { kind: 'auto' } })
    const foreign = await invoke('mode:get', chatWindow, 'https://evil.example/')
    expect(foreign).toMatchObject({ ok: false, error: { name: 'ForeignSenderError' } })
    const stranger = await invoke('mode:get', null, url)
    expect(stranger).toMatchObject({ ok: false, error: { name: 'ForeignSenderError' } })
    const gone = await invoke('mode:get', chatWindow, null)
    expect(gone).toMatchObject({ ok: false, error: { name: 'ForeignSenderError' } })
  })

  it('sends a chat over IPC to the simulator and streams chunks to the window', async () => {
    const sent = await invoke('chat:send', chatWindow, 'app://aillm/index.html#/chat', {
      conversationId: null,
      content: 'Hi!',
    })
    expect(sent.ok).toBe(true)
    const chunks = () =>
      chatWindow.webContents.sent.filter(([c]) => c === 'chat:chunk').map(([, p]) => p as ChatChunk)
    const done = await until('the done chunk', () => chunks().find((c) => c.kind === 'done'))
    expect(done.kind === 'done' && done.metadata).toMatchObject({
      model: 'gemma3:1b',
      server_name: 'sim',
    })
    const text = chunks()
      .flatMap((c) => (c.kind === 'token' ? [c.text] : []))
      .join('')
    expect(text.startsWith('[gemma3:1b@sim]')).toBe(true)
    expect(chatWindow.webContents.sent.some(([c]) => c === 'routing:decision')).toBe(true)
  })

  it('serves app:// with the CSP and refuses paths outside the renderer', async () => {
    const handle = recorded.protocolHandlers.get('app')!
    const denied = await handle({ url: 'app://aillm/..%2f..%2fpackage.json' })
    expect(denied.status).toBe(403)
    const other = await handle({ url: 'app://evil/index.html' })
    expect(other.status).toBe(403)
    const missing = await handle({ url: 'app://aillm/no-such-file.js' })
    expect(missing.status).toBe(404)
    if (existsSync('out/renderer/index.html')) {
      const page = await handle({ url: 'app://aillm/index.html' })
      expect(page.status).toBe(200)
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'")
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    }
  })

  it('blocks navigation and new windows; only vetted web links go to the browser', () => {
    const contents = chatWindow.webContents
    const navigate = (url: string) => {
      const event = {
        url,
        defaultPrevented: false,
        preventDefault: () => (event.defaultPrevented = true),
      }
      contents.emit('will-navigate', event)
      return event.defaultPrevented
    }
    expect(navigate('file:///etc/passwd')).toBe(true)
    expect(navigate('https://ollama.com/')).toBe(true)
    expect(navigate('app://aillm/index.html#/dashboard')).toBe(false)
    // A relative link in an answer resolves on our origin but is not our document.
    expect(navigate('app://aillm/README.md')).toBe(true)
    expect(contents.openHandler?.({ url: 'https://ollama.com/library' })).toEqual({
      action: 'deny',
    })
    expect(contents.openHandler?.({ url: 'smb://host/share' })).toEqual({ action: 'deny' })
    expect(recorded.openedExternal).toEqual(['https://ollama.com/', 'https://ollama.com/library'])
    const answers: boolean[] = []
    recorded.permissionRequest?.(contents, 'media', (ok) => answers.push(ok))
    expect(answers).toEqual([false])
  })

  it('"Edit config…" opens the config file; "Start at login" toggles the autostart entry', async () => {
    hooks()?.clickTray('edit-config')
    await until('openPath', () => recorded.openedPaths.length > 0)
    expect(recorded.openedPaths).toEqual([process.env.AILLM_CONFIG])
    if (process.platform === 'linux') {
      hooks()?.clickTray('start-at-login', true)
      const entry = join(dir, 'xdg', 'autostart', 'aillm.desktop')
      await until('autostart entry', () => existsSync(entry))
      expect(readFileSync(entry, 'utf8')).toContain('Exec=')
      await until(
        'checkbox on',
        () =>
          hooks()
            ?.trayMenu()
            .find((i) => i.id === 'start-at-login')?.checked,
      )
    }
  })

  it('quits by stopping the core first', async () => {
    hooks()?.clickTray('quit')
    await until('the second quit after stopping', () => recorded.quitCalls >= 2)
  })
})

// Electron shell entry: a tray app with no window at start, one chat and one dashboard window on demand,
// the routing core in this process, the contract over IPC to the sandboxed renderers.
import { join } from 'node:path'
import { Notification, app, dialog, shell } from 'electron'
import { createAppCore } from '../core/app-core'
import type { AppCore } from '../core/app-core'
import { createLogger } from '../core/logger'
import { startLocalApi } from '../core/api/local-api'
import type { LocalApi } from '../core/api/local-api'
import type { RoutingMode, ServerView } from '../../shared/types'
import { serializeError } from '../../shared/types'
import { ensureConfigFile } from './config-file'
import { FailoverNotifier } from './failover-notice'
import type { Notice } from './failover-notice'
import { registerIpcTransport } from './ipc-transport'
import type { TrustedOrigins } from './ipc-dispatch'
import { LOG_FILE_NAME, resolveConfigPath } from './launch-options'
import { linuxAutostartEnabled, linuxAutostartPath, setLinuxAutostart } from './login-item'
import { installSecurity, registerAppScheme, serveAppProtocol } from './security'
import { TrayController } from './tray'
import type { TrayAction, TrayMenuItem, TrayState } from './tray-menu'
import { WindowManager } from './windows'

/** Test-only handle on the main process, set when AILLM_E2E=1 (a native tray menu cannot be read). */
export interface E2eHooks {
  trayMenu(): TrayMenuItem[]
  trayHealth(): string
  clickTray(id: string, checked?: boolean): void
  configPath: string
}

const logger = createLogger({ stdout: true })

// Tests and portable setups choose their own profile; it also scopes the single-instance lock.
if (process.env.AILLM_USER_DATA) app.setPath('userData', process.env.AILLM_USER_DATA)

registerAppScheme()

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  void app.whenReady().then(start, (err: unknown) => logger.error(`Startup failed: ${String(err)}`))
}

// Stay alive in the tray when the last window closes.
app.on('window-all-closed', () => undefined)

let core: AppCore | null = null
let localApi: LocalApi | null = null
let tray: TrayController | null = null
let windows: WindowManager | null = null
let stopped = false
let stopping = false

app.on('before-quit', (event) => {
  if (stopped || !core) return
  event.preventDefault()
  if (stopping) return
  stopping = true
  const running = core
  // A core that will not stop must not keep the app from quitting.
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, 5000))
  const stopAll = async (): Promise<void> => {
    await localApi?.close()
    await running.stop()
  }
  void Promise.race([stopAll(), timeout])
    .catch((err: unknown) => logger.error(`Stopping the core failed: ${String(err)}`))
    .finally(() => {
      stopped = true
      tray?.destroy()
      windows?.closeAll()
      app.quit()
    })
})

async function start(): Promise<void> {
  app.dock?.hide()
  const packaged = app.isPackaged
  const devServerUrl =
    !packaged && process.env.ELECTRON_RENDERER_URL ? process.env.ELECTRON_RENDERER_URL : null
  const resourcesDir = packaged ? process.resourcesPath : join(app.getAppPath(), 'resources')
  // electron-vite's output layout, the same inside app.asar: <app>/out/{main,preload,renderer}.
  const outDir = join(app.getAppPath(), 'out')
  const rendererDir = join(outDir, 'renderer')
  const trusted: TrustedOrigins = { devServerUrl, fileRoot: null }

  let configPath: string
  try {
    configPath = resolveConfigPath({
      argv: process.argv,
      env: process.env,
      userDataDir: app.getPath('userData'),
      cwd: process.cwd(),
    })
  } catch (err) {
    dialog.showErrorBox('AILLM', serializeError(err).message)
    app.exit(2)
    return
  }

  installSecurity({ devServerUrl, trusted, logger })
  serveAppProtocol(rendererDir, logger)

  const win = new WindowManager({
    preloadPath: join(outDir, 'preload', 'index.cjs'),
    devServerUrl,
    iconPath: join(resourcesDir, 'icon.png'),
  })
  windows = win

  const autostartPath = linuxAutostartPath(process.env)
  const loginItemEnabled = (): boolean =>
    process.platform === 'linux'
      ? linuxAutostartEnabled(autostartPath)
      : app.getLoginItemSettings().openAtLogin

  const state: TrayState = {
    servers: [],
    mode: { kind: 'auto' },
    startAtLogin: loginItemEnabled(),
    configIssues: 0,
    coreError: null,
  }

  const onAction = (action: TrayAction): void => {
    void runAction(action)
      .catch((err: unknown) => {
        logger.warn(`Tray action ${action.kind} failed: ${serializeError(err).message}`)
      })
      // Electron flips a clicked radio/checkbox itself; rebuild from the real state even on failure.
      .finally(() => refresh())
  }
  const runAction = async (action: TrayAction): Promise<void> => {
    switch (action.kind) {
      case 'mode':
        if (core) await core.handlers['mode:set'](action.mode)
        return
      case 'trust':
        if (core) await core.handlers['servers:trust'](action.serverId)
        return
      case 'open':
        await win.open(action.view)
        return
      case 'rediscover':
        if (core) await core.handlers['servers:rediscover']()
        return
      case 'edit-config': {
        ensureConfigFile(configPath)
        const problem = await shell.openPath(configPath)
        if (problem) logger.warn(`Could not open ${configPath}: ${problem}`)
        return
      }
      case 'start-at-login':
        if (process.platform === 'linux') {
          setLinuxAutostart(autostartPath, action.enabled, process.env.APPIMAGE ?? process.execPath)
        } else {
          app.setLoginItemSettings({ openAtLogin: action.enabled })
        }
        state.startAtLogin = loginItemEnabled()
        refresh()
        return
      case 'quit':
        app.quit()
        return
    }
  }

  const trayController = new TrayController({
    iconDir: join(resourcesDir, 'tray'),
    platform: process.platform,
    onAction,
  })
  tray = trayController
  const refresh = (): void => trayController.update(state)
  refresh()

  if (process.env.AILLM_E2E === '1') {
    const hooks: E2eHooks = {
      trayMenu: () => trayController.menuModel(),
      trayHealth: () => trayController.currentHealth(),
      clickTray: (id, checked) => trayController.click(id, checked),
      configPath,
    }
    ;(globalThis as { __aillmE2E?: E2eHooks }).__aillmE2E = hooks
  }

  app.on('second-instance', () => void win.open('chat'))

  try {
    core = await createAppCore({
      configPath,
      dataDir: join(app.getPath('userData'), 'data'),
      logFile: join(app.getPath('logs'), LOG_FILE_NAME),
    })
  } catch (err) {
    state.coreError = serializeError(err).message
    logger.error(`The routing core could not start: ${state.coreError}`)
    refresh()
    return
  }
  const running = core

  registerIpcTransport({
    handlers: running.handlers,
    on: (channel, listener) => running.on(channel, listener),
    ourWebContents: () => win.webContents(),
    trusted,
    logger: running.logger,
  })

  const notifier = new FailoverNotifier()
  const notify = (notice: Notice | null): void => {
    if (notice && Notification.isSupported()) new Notification(notice).show()
  }
  running.on('routing:decision', (decision) => notify(notifier.onDecision(decision)))
  running.on('chat:chunk', (chunk) => notify(notifier.onChunk(chunk)))
  running.on('servers:changed', (servers: ServerView[]) => {
    state.servers = servers
    refresh()
  })
  running.on('mode:changed', (mode: RoutingMode) => {
    state.mode = mode
    refresh()
  })
  running.on('config:changed', (view) => {
    state.configIssues = view.issues.length
    refresh()
  })

  try {
    state.mode = await running.handlers['mode:get']()
    state.configIssues = (await running.handlers['config:get']()).issues.length
    refresh()
    await running.start()
    state.servers = await running.handlers['servers:snapshot']()
  } catch (err) {
    state.coreError = serializeError(err).message
    logger.error(`The routing core failed: ${state.coreError}`)
  }
  refresh()
  await startApi(running)
}

/** The Ollama/OpenAI-compatible endpoint for other apps on this machine; the tray app works without it. */
async function startApi(running: AppCore): Promise<void> {
  const api = running.config().api
  try {
    localApi = await startLocalApi({
      core: running,
      host: api.host,
      port: api.port,
      staticDir: null,
    })
    running.logger.info(`Local API listening on ${localApi.url}`)
  } catch (err) {
    running.logger.warn(`Local API not started: ${serializeError(err).message}`)
  }
}

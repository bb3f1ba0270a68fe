/**
 * A stand-in for the `electron` package, just wide enough to run electron/main/index.ts in plain Node
 * (the Electron binary is not available in CI). It records what the shell does so tests can look.
 */
import { EventEmitter } from 'node:events'

type Listener = (...args: unknown[]) => unknown

/** Everything the fake saw, for assertions. */
export const recorded = {
  handlers: new Map<string, Listener>(),
  protocolHandlers: new Map<string, (req: { url: string }) => Promise<Response> | Response>(),
  privilegedSchemes: [] as unknown[],
  trays: [] as FakeTray[],
  windows: [] as FakeBrowserWindow[],
  notifications: [] as { title: string; body: string }[],
  permissionRequest: null as null | ((wc: unknown, p: string, cb: (ok: boolean) => void) => void),
  openedExternal: [] as string[],
  openedPaths: [] as string[],
  quitCalls: 0,
}

class FakeApp extends EventEmitter {
  isPackaged = false
  dock = { hide: () => undefined }
  private paths = new Map<string, string>()
  private login = false
  whenReady = () => Promise.resolve()
  requestSingleInstanceLock = () => true
  getAppPath = () => process.cwd()
  getPath = (name: string) => this.paths.get(name) ?? `/tmp/aillm-fake-${name}`
  setPath = (name: string, value: string) => void this.paths.set(name, value)
  getLoginItemSettings = () => ({ openAtLogin: this.login })
  setLoginItemSettings = (s: { openAtLogin: boolean }) => void (this.login = s.openAtLogin)
  exit = (code: number) => {
    throw new Error(`app.exit(${code})`)
  }
  quit = () => {
    recorded.quitCalls++
    const event = { defaultPrevented: false, preventDefault: () => (event.defaultPrevented = true) }
    this.emit('before-quit', event)
  }
}

export const app = new FakeApp()

/** A web contents that remembers what it was sent. */
export class FakeWebContents extends EventEmitter {
  url = ''
  sent: [string, unknown][] = []
  openHandler: ((d: { url: string }) => { action: string }) | null = null
  isDestroyed = () => false
  getURL = () => this.url
  send = (channel: string, payload: unknown) => void this.sent.push([channel, payload])
  setWindowOpenHandler = (h: (d: { url: string }) => { action: string }) =>
    void (this.openHandler = h)
}

export class FakeBrowserWindow extends EventEmitter {
  webContents = new FakeWebContents()
  shown = 0
  constructor(readonly options: Record<string, unknown>) {
    super()
    recorded.windows.push(this)
    app.emit('web-contents-created', {}, this.webContents)
  }
  isDestroyed = () => false
  isMinimized = () => false
  restore = () => undefined
  show = () => void this.shown++
  focus = () => undefined
  destroy = () => undefined
  loadURL = async (url: string) => {
    this.webContents.url = url
    this.emit('ready-to-show')
  }
}

export class FakeTray {
  image: unknown
  tooltip = ''
  menu: unknown
  constructor(image: unknown) {
    this.image = image
    recorded.trays.push(this)
  }
  setImage = (image: unknown) => void (this.image = image)
  setToolTip = (t: string) => void (this.tooltip = t)
  /** How many times a menu was set (each rebuild of the tray menu). */
  menuBuilds = 0
  setContextMenu = (m: unknown) => {
    this.menu = m
    this.menuBuilds++
  }
  destroy = () => undefined
}

export class FakeNotification {
  static isSupported = () => true
  constructor(private readonly n: { title: string; body: string }) {}
  show = () => void recorded.notifications.push(this.n)
}

export const electronModule = {
  app,
  BrowserWindow: FakeBrowserWindow,
  Tray: FakeTray,
  Notification: FakeNotification,
  Menu: { buildFromTemplate: (template: unknown[]) => ({ template }) },
  nativeImage: {
    createFromPath: (path: string) => ({ path, setTemplateImage: () => undefined }),
  },
  ipcMain: {
    handle: (channel: string, fn: Listener) => void recorded.handlers.set(channel, fn),
    removeHandler: (channel: string) => void recorded.handlers.delete(channel),
  },
  protocol: {
    registerSchemesAsPrivileged: (s: unknown[]) => void recorded.privilegedSchemes.push(...s),
    handle: (scheme: string, fn: (req: { url: string }) => Promise<Response>) =>
      void recorded.protocolHandlers.set(scheme, fn),
  },
  session: {
    defaultSession: {
      setPermissionRequestHandler: (h: typeof recorded.permissionRequest) =>
        void (recorded.permissionRequest = h),
      setPermissionCheckHandler: () => undefined,
      webRequest: { onHeadersReceived: () => undefined },
    },
  },
  shell: {
    openExternal: async (url: string) => void recorded.openedExternal.push(url),
    openPath: async (path: string) => {
      recorded.openedPaths.push(path)
      return ''
    },
  },
  dialog: {
    showErrorBox: (title: string, text: string) => {
      throw new Error(`${title}: ${text}`)
    },
  },
}

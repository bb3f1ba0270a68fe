/**
 * The chat and dashboard windows: one each, created on first use, then shown and focused again. Every
 * window gets the hardened webPreferences of the Electron security checklist.
 */
import { BrowserWindow } from 'electron'
import type { WebContents } from 'electron'
import type { AppView } from './app-url'
import { appUrlFor } from './app-url'

/** How windows are built. */
export interface WindowManagerOptions {
  /** Absolute path of out/preload/index.cjs. */
  preloadPath: string
  /** electron-vite's dev server URL, null when serving app://. */
  devServerUrl: string | null
  /** Window icon (Linux/Windows taskbar); null leaves Electron's default. */
  iconPath: string | null
}

/**
 * The chat opens at the tray popover's size (420×700, the layout's first-class size: one column, the
 * conversations in a drawer); widened, it shows the conversation list beside the messages.
 */
const SIZES: Record<
  AppView,
  { width: number; height: number; minWidth: number; minHeight: number; title: string }
> = {
  chat: { width: 420, height: 700, minWidth: 360, minHeight: 480, title: 'AILLM — Chat' },
  dashboard: {
    width: 1200,
    height: 800,
    minWidth: 420,
    minHeight: 480,
    title: 'AILLM — Dashboard',
  },
}

/** Owns the app's windows; the tray asks it to open views. */
export class WindowManager {
  private readonly windows = new Map<AppView, BrowserWindow>()

  constructor(private readonly opts: WindowManagerOptions) {}

  /** Shows the view's window, creating it the first time; resolves once its page has loaded. */
  async open(view: AppView): Promise<BrowserWindow> {
    const existing = this.windows.get(view)
    if (existing && !existing.isDestroyed()) {
      if (existing.isMinimized()) existing.restore()
      existing.show()
      existing.focus()
      return existing
    }
    const size = SIZES[view]
    const win = new BrowserWindow({
      width: size.width,
      height: size.height,
      minWidth: size.minWidth,
      minHeight: size.minHeight,
      title: size.title,
      show: false,
      autoHideMenuBar: true,
      ...(this.opts.iconPath ? { icon: this.opts.iconPath } : {}),
      webPreferences: {
        preload: this.opts.preloadPath,
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        experimentalFeatures: false,
        webviewTag: false,
        navigateOnDragDrop: false,
        spellcheck: false,
        // Middle-click (auxclick) can open links in new windows; the open handler denies them anyway.
        disableBlinkFeatures: 'Auxclick',
      },
    })
    this.windows.set(view, win)
    win.once('ready-to-show', () => win.show())
    win.on('closed', () => {
      if (this.windows.get(view) === win) this.windows.delete(view)
    })
    await win.loadURL(appUrlFor(view, this.opts.devServerUrl))
    return win
  }

  /** The web contents of every live window (IPC sender checks and event fan-out). */
  webContents(): WebContents[] {
    const out: WebContents[] = []
    for (const win of this.windows.values()) {
      if (!win.isDestroyed()) out.push(win.webContents)
    }
    return out
  }

  /** The window showing a view, if it is open. */
  get(view: AppView): BrowserWindow | null {
    const win = this.windows.get(view)
    return win && !win.isDestroyed() ? win : null
  }

  /** Closes every window (quit). */
  closeAll(): void {
    for (const win of this.windows.values()) {
      if (!win.isDestroyed()) win.destroy()
    }
    this.windows.clear()
  }
}

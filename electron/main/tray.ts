/**
 * The tray icon and its menu. The menu is rebuilt from the pure model and set again on every change,
 * because Linux tray hosts only pick up a new context menu, never edits to the old one.
 */
import { join } from 'node:path'
import { Menu, Tray, nativeImage } from 'electron'
import type { NativeImage } from 'electron'
import type { TrayAction, TrayHealth, TrayMenuItem, TrayState } from './tray-menu'
import { buildTrayMenu, healthSummary, parseTrayAction, trayHealth } from './tray-menu'
import { toMenuTemplate, trayIconFile } from './tray-template'

/** Where the icons are and what to do on a click. */
export interface TrayControllerOptions {
  iconDir: string
  platform: NodeJS.Platform
  onAction: (action: TrayAction) => void
}

/** Owns the Tray; keep a reference for the app's lifetime or it is garbage-collected away. */
export class TrayController {
  private readonly tray: Tray
  private readonly icons = new Map<TrayHealth, NativeImage>()
  private health: TrayHealth = 'none'
  private model: TrayMenuItem[] = []

  constructor(private readonly opts: TrayControllerOptions) {
    this.tray = new Tray(this.icon('none'))
  }

  /** Redraws icon, tooltip and menu for a new state. */
  update(state: TrayState): void {
    const health = trayHealth(state.servers)
    if (health !== this.health) {
      this.health = health
      this.tray.setImage(this.icon(health))
    }
    this.tray.setToolTip(healthSummary(state.servers))
    this.model = buildTrayMenu(state)
    const template = toMenuTemplate(this.model, (id, checked) => this.click(id, checked))
    this.tray.setContextMenu(Menu.buildFromTemplate(template))
  }

  /** The current menu model (the e2e hook reads it: a native menu cannot be inspected). */
  menuModel(): TrayMenuItem[] {
    return this.model
  }

  /** The current icon state. */
  currentHealth(): TrayHealth {
    return this.health
  }

  /** Acts as if the item with this id was clicked. */
  click(id: string, checked = false): void {
    const action = parseTrayAction(id, checked)
    if (action) this.opts.onAction(action)
  }

  destroy(): void {
    this.tray.destroy()
  }

  private icon(health: TrayHealth): NativeImage {
    let image = this.icons.get(health)
    if (!image) {
      image = nativeImage.createFromPath(
        join(this.opts.iconDir, trayIconFile(this.opts.platform, health)),
      )
      if (this.opts.platform === 'darwin') image.setTemplateImage(true)
      this.icons.set(health, image)
    }
    return image
  }
}

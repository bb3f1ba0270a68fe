/**
 * Maps the pure tray menu model to Electron's menu template, and picks the tray icon file for a platform
 * and health. Electron is only a type here, so this is tested in plain Node.
 */
import type { MenuItemConstructorOptions } from 'electron'
import type { TrayHealth, TrayMenuItem } from './tray-menu'

/** Called with the clicked item's id and its checked state after the click. */
export type TrayClick = (id: string, checked: boolean) => void

/** Electron template for the menu model; items with an id call `onClick`. */
export function toMenuTemplate(
  items: readonly TrayMenuItem[],
  onClick: TrayClick,
): MenuItemConstructorOptions[] {
  return items.map((item) => {
    const out: MenuItemConstructorOptions = { type: item.type }
    if (item.label !== undefined) out.label = item.label
    if (item.id !== undefined) {
      const id = item.id
      out.id = id
      out.click = (menuItem) => onClick(id, menuItem.checked)
    }
    if (item.checked !== undefined) out.checked = item.checked
    if (item.enabled !== undefined) out.enabled = item.enabled
    if (item.submenu !== undefined) out.submenu = toMenuTemplate(item.submenu, onClick)
    return out
  })
}

/**
 * Tray icon file (in the tray icon folder) for a platform and health: macOS template images (black +
 * alpha, the OS tints them; Electron picks the @2x file itself), .ico on Windows, PNG elsewhere.
 */
export function trayIconFile(platform: NodeJS.Platform, health: TrayHealth): string {
  switch (platform) {
    case 'darwin':
      return `tray-${health}Template.png`
    case 'win32':
      return `tray-${health}.ico`
    default:
      return `tray-${health}.png`
  }
}

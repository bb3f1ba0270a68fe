/**
 * "Start at login". Electron's setLoginItemSettings covers macOS and Windows only; on Linux the
 * freedesktop way is a .desktop file in ~/.config/autostart, written here.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'

/** Path of the Linux autostart entry (XDG_CONFIG_HOME respected). */
export function linuxAutostartPath(
  env: Record<string, string | undefined>,
  home = homedir(),
): string {
  const base =
    env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : join(home, '.config')
  return join(base, 'autostart', 'aillm.desktop')
}

/** The autostart .desktop entry; the command is quoted as the Desktop Entry spec requires. */
export function linuxAutostartEntry(command: string): string {
  const quoted = `"${command.replace(/(["`$\\])/g, '\\$1')}"`
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=AILLM',
    'Comment=Routes chat to the best Ollama server on your LAN',
    `Exec=${quoted}`,
    'X-GNOME-Autostart-enabled=true',
    'Terminal=false',
    '',
  ].join('\n')
}

/** Turns the Linux autostart entry on or off. */
export function setLinuxAutostart(path: string, enabled: boolean, command: string): void {
  if (enabled) {
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, linuxAutostartEntry(command), 'utf8')
  } else {
    rmSync(path, { force: true })
  }
}

/** True when the Linux autostart entry exists. */
export function linuxAutostartEnabled(path: string): boolean {
  return existsSync(path)
}

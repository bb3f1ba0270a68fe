/**
 * Owner-only permissions for what holds the person's conversations and logs (config.yaml is written
 * 0600 the same way). On Windows the modes mean nothing: the user profile's ACLs already keep other
 * users out, so nothing is changed there.
 */
import { chmodSync, mkdirSync, readdirSync, statSync, type Stats } from 'node:fs'
import { chmod, mkdir, stat } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'

/** rwx for the owner only. */
export const PRIVATE_DIR_MODE = 0o700
/** rw for the owner only. */
export const PRIVATE_FILE_MODE = 0o600

const posix = (): boolean => process.platform !== 'win32'

/**
 * Whether an existing folder with group/other access should lose it: only one of ours. A shared folder
 * (sticky, like /tmp), one owned by someone else, or the home folder itself is never changed, whatever
 * path a caller passes.
 */
function shouldTighten(dir: string, s: Stats): boolean {
  if ((s.mode & 0o077) === 0 || (s.mode & 0o1000) !== 0) return false
  if (typeof process.getuid === 'function' && s.uid !== process.getuid()) return false
  return resolve(dir) !== resolve(homedir())
}

/** The mode to create a private file with (undefined on Windows: the default applies). */
export function privateFileMode(): number | undefined {
  return posix() ? PRIVATE_FILE_MODE : undefined
}

/**
 * Creates `dir` (and missing parents) owner-only, and takes group/other access away from an existing
 * one (made world-readable by an older version).
 */
export async function ensurePrivateDir(dir: string): Promise<void> {
  if (!posix()) {
    await mkdir(dir, { recursive: true })
    return
  }
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE })
  const s = await stat(dir)
  if (shouldTighten(dir, s)) await chmod(dir, s.mode & 0o700)
}

/** {@link ensurePrivateDir}, synchronously (the logger opens its file before anything is awaited). */
export function ensurePrivateDirSync(dir: string): void {
  if (!posix()) {
    mkdirSync(dir, { recursive: true })
    return
  }
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE })
  const s = statSync(dir)
  if (shouldTighten(dir, s)) chmodSync(dir, s.mode & 0o700)
}

/** Whether a file should lose group/other access: a regular file of ours that has some. */
function fileNeedsTightening(s: Stats): boolean {
  if (!s.isFile() || (s.mode & 0o077) === 0) return false
  return typeof process.getuid !== 'function' || s.uid === process.getuid()
}

/** Takes group/other access away from an existing file; a missing file is left alone. */
export function tightenFileSync(file: string): void {
  if (!posix()) return
  try {
    const s = statSync(file)
    if (fileNeedsTightening(s)) chmodSync(file, s.mode & 0o600)
  } catch {
    // Missing (created later with the private mode) or not ours to change: nothing to do.
  }
}

/** {@link tightenFileSync}, asynchronously (the conversation store, on its first load). */
export async function tightenFile(file: string): Promise<void> {
  if (!posix()) return
  try {
    const s = await stat(file)
    if (fileNeedsTightening(s)) await chmod(file, s.mode & 0o600)
  } catch {
    // As above: missing or not ours.
  }
}

/**
 * Tightens the files in `dir` whose names `match` (an older version's logs, left 0644), but only in a
 * folder that is private, i.e. ours: in a shared one (/tmp) the other files are not ours to touch.
 */
export function tightenFilesInSync(dir: string, match: (name: string) => boolean): void {
  if (!posix()) return
  try {
    if ((statSync(dir).mode & 0o077) !== 0) return
    for (const name of readdirSync(dir)) if (match(name)) tightenFileSync(join(dir, name))
  } catch {
    // An unreadable folder: the logger still works, and its own file is tightened on its own.
  }
}

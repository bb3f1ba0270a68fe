/** One conversation's file on disk: written crash-safe (temp file, fsync, rename), or removed. */
import { open, rename, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import type { Conversation } from '../../../shared/types'
import { privateFileMode } from '../private-files'

/** The suffix of a conversation's file. */
export const FILE_SUFFIX = '.json'
/** The suffix of a write in progress (left behind only by a crash mid-write). */
export const TEMP_SUFFIX = '.tmp'

/**
 * Writes `conversation` as `<id>.json` in `dir` through the temp file `tempName` (same folder), or
 * removes the file when `conversation` is undefined. Either the old or the new version is on disk.
 */
export async function writeConversationFile(
  dir: string,
  id: string,
  conversation: Conversation | undefined,
  tempName: string,
): Promise<void> {
  const path = join(dir, `${id}${FILE_SUFFIX}`)
  if (!conversation) {
    await unlink(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err
    })
    return
  }
  const temp = join(dir, tempName)
  const handle = await open(temp, 'w', privateFileMode())
  try {
    await handle.writeFile(`${JSON.stringify(conversation, null, 2)}\n`, 'utf8')
    await handle.sync()
    await handle.close()
    await rename(temp, path)
  } catch (err) {
    // A half-written temp file on a full disk holds the very space the retry needs: remove it.
    await handle.close().catch(() => undefined)
    await unlink(temp).catch(() => undefined)
    throw err
  }
  await syncDir(dir)
}

/** Makes the rename itself durable; not possible on every platform (Windows), hence best effort. */
async function syncDir(dir: string): Promise<void> {
  try {
    const dirHandle = await open(dir, 'r')
    try {
      await dirHandle.sync()
    } finally {
      await dirHandle.close()
    }
  } catch {
    // Best effort only.
  }
}

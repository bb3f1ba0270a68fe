/**
 * Whether the person's conversations are all on disk, or some are kept in memory because writes fail
 * (a full disk): then `conversations` are only in memory since `since`, and quitting would lose them.
 * They are written as soon as the disk takes them again, and the state goes back to `saved`.
 */
export type StorageState =
  | { kind: 'saved' }
  | {
      kind: 'unsaved'
      /** When writes started to fail (ms since the epoch). */
      since: number
      /** The first failure, as the OS said it (`ENOSPC: no space left on device, …`). */
      error: string
      /** How many conversations have changes only in memory. */
      conversations: number
    }

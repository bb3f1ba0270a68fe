import type { StorageState } from '../../../shared/types'
import { clock } from '../../format'
import { useAppStore } from '../../store/store-context'
import './disk-notice.css'

/** Whether the core's write error is a full disk (ENOSPC) rather than some other refusal. */
function isDiskFull(error: string): boolean {
  return /ENOSPC|no space left/i.test(error)
}

/** "1 conversation is" / "3 conversations are". */
function conversationsAre(n: number): string {
  return n === 1 ? '1 conversation is' : `${n} conversations are`
}

/** The notice's words for an unsaved state: a headline and what to do. */
export function diskNoticeText(state: Extract<StorageState, { kind: 'unsaved' }>): {
  headline: string
  advice: string
} {
  const full = isDiskFull(state.error)
  const what = `${conversationsAre(state.conversations)} kept in memory and will be saved as soon as ${
    full ? 'there is space again' : 'the disk takes them again'
  }.`
  return {
    headline: `${full ? 'Your disk is full' : 'AILLM cannot save your conversations'}: ${what}`,
    advice:
      `Don't quit AILLM until then: what is not saved yet would be lost. ` +
      (full ? 'Free some space on the disk that holds your AILLM data. ' : '') +
      `Since ${clock(state.since)}: ${state.error}`,
  }
}

/**
 * One banner in the chat while the core keeps conversations only in memory because it cannot write
 * them (a full disk); it goes away by itself once the writes succeed (the core's `storage:changed`).
 */
export function DiskNotice() {
  const storage = useAppStore((s) => s.storage)
  if (storage.kind === 'saved') return null
  const { headline, advice } = diskNoticeText(storage)
  return (
    <div className="banner banner-warn disk-notice" role="alert">
      <strong>{headline}</strong>
      <p className="disk-notice-advice">{advice}</p>
    </div>
  )
}

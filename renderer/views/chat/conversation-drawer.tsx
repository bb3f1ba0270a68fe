import { useEffect, useRef } from 'react'
import type { RefObject } from 'react'
import { ConversationList } from './conversation-list'
import { wrapTab } from './focus-trap'

const FOCUSABLE =
  'button:not([disabled]), input:not([disabled]), [href], [tabindex]:not([tabindex="-1"])'

/**
 * The conversations over the chat at narrow widths: a modal drawer. Focus moves into it and stays
 * there (Tab wraps); Esc, a click outside or opening a conversation closes it, and focus goes back to
 * the button that opened it.
 */
export function ConversationDrawer({
  onClose,
  returnFocus,
  focusSearch,
}: {
  onClose: () => void
  returnFocus: RefObject<HTMLElement | null>
  /** Opened to search (Ctrl+K): the search box gets the focus rather than "New conversation". */
  focusSearch: boolean
}) {
  const panel = useRef<HTMLDivElement>(null)
  const search = useRef<HTMLInputElement>(null)

  useEffect(() => {
    const back = returnFocus.current
    if (focusSearch) search.current?.focus()
    else panel.current?.querySelector<HTMLElement>('.conversation-list button')?.focus()
    return () => back?.focus()
  }, [returnFocus, focusSearch])

  // On the document, before the chat's own Esc (stop the answer): focus may have left the drawer,
  // e.g. when the row whose button had it was deleted. A title being renamed keeps Esc for itself.
  const close = useRef(onClose)
  useEffect(() => {
    close.current = onClose
  })
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key !== 'Escape' || e.defaultPrevented) return
      if (e.target instanceof HTMLElement && e.target.closest('input.rename')) return
      e.preventDefault()
      close.current()
    }
    document.addEventListener('keydown', onKey, true)
    return () => document.removeEventListener('keydown', onKey, true)
  }, [])

  return (
    <div className="drawer-layer">
      <div className="drawer-backdrop" aria-hidden="true" onClick={onClose} />
      <div
        id="conversation-drawer"
        className="drawer"
        role="dialog"
        aria-modal="true"
        aria-label="Conversations"
        ref={panel}
        onKeyDown={(e) => wrapTab(e, panel.current, FOCUSABLE)}
      >
        <div className="drawer-head">
          <h2>Conversations</h2>
          <button type="button" className="icon" aria-label="Close conversations" onClick={onClose}>
            ✕
          </button>
        </div>
        <ConversationList onPicked={onClose} searchRef={search} />
      </div>
    </div>
  )
}

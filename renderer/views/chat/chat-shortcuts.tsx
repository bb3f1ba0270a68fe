import { useEffect, useRef } from 'react'
import { useAppStoreApi } from '../../store/store-context'
import { openConversation } from './chat-address'
import { COMPOSER_ID, stopOpenAnswers } from './composer'

/** The chat's keyboard shortcuts, as the help overlay lists them. */
export const CHAT_SHORTCUTS: readonly { keys: string; what: string }[] = [
  { keys: 'Enter', what: 'Send (queued while an answer streams)' },
  { keys: 'Shift+Enter', what: 'New line in the message' },
  { keys: 'Esc', what: 'Stop the answer (or close the drawer, this help)' },
  { keys: 'Alt+N', what: 'New conversation' },
  { keys: '/', what: 'Focus the message box' },
  { keys: 'Ctrl+K', what: 'Search conversations' },
  { keys: '?', what: 'Show these shortcuts' },
]

function focusComposer(): void {
  document.getElementById(COMPOSER_ID)?.focus()
}

function typingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)
}

/**
 * The chat's shortcuts on the whole page. A key a drawer, dialog or field has handled already
 * (defaultPrevented) is left alone, so Esc closes what is on top before it stops an answer.
 */
export function useChatShortcuts(actions: { openSearch: () => void; openHelp: () => void }): void {
  const api = useAppStoreApi()
  const latest = useRef(actions)
  useEffect(() => {
    latest.current = actions
  })
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.defaultPrevented || e.isComposing) return
      const plain = !e.ctrlKey && !e.metaKey && !e.altKey
      if (e.key === 'Escape' && plain) {
        if (stopOpenAnswers(api.getState())) e.preventDefault()
        return
      }
      if (e.altKey && !e.ctrlKey && !e.metaKey && e.code === 'KeyN') {
        e.preventDefault()
        openConversation(null)
        focusComposer()
        return
      }
      if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'k') {
        e.preventDefault()
        latest.current.openSearch()
        return
      }
      if (typingIn(e.target) || e.ctrlKey || e.metaKey || e.altKey) return
      if (e.key === '/') {
        e.preventDefault()
        focusComposer()
      } else if (e.key === '?') {
        e.preventDefault()
        latest.current.openHelp()
      }
    }
    document.addEventListener('keydown', onKey)
    return () => document.removeEventListener('keydown', onKey)
  }, [api])
}

/** The list of shortcuts over the chat; Esc or Close ends it and focus goes back where it was. */
export function ShortcutHelp({ onClose }: { onClose: () => void }) {
  const close = useRef<HTMLButtonElement>(null)
  useEffect(() => {
    const back = document.activeElement instanceof HTMLElement ? document.activeElement : null
    close.current?.focus()
    return () => back?.focus()
  }, [])
  return (
    <div className="drawer-layer help-layer">
      <div className="drawer-backdrop" aria-hidden="true" onClick={onClose} />
      <div
        className="help-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="shortcut-help-title"
        onKeyDown={(e) => {
          if (e.key === 'Escape' || e.key === 'Tab') {
            // One button to focus: Tab stays on it.
            e.preventDefault()
            if (e.key === 'Escape') onClose()
          }
        }}
      >
        <h2 id="shortcut-help-title">Keyboard shortcuts</h2>
        <table className="shortcuts">
          <tbody>
            {CHAT_SHORTCUTS.map((s) => (
              <tr key={s.keys}>
                <th scope="row">
                  <kbd>{s.keys}</kbd>
                </th>
                <td>{s.what}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <button type="button" ref={close} onClick={onClose}>
          Close
        </button>
      </div>
    </div>
  )
}

import { useEffect, useRef, useState } from 'react'
import { useAppStore } from '../../store/store-context'
import { wrapTab } from './focus-trap'

/** The open conversation's system prompt, or null when it has none. */
function useOpenSystemPrompt(): string | null {
  return useAppStore((s) => {
    const id = s.activeConversationId
    return (id === null ? undefined : s.conversationsById[id]?.systemPrompt) ?? null
  })
}

/**
 * The chat header's "System prompt" button: says whether the open conversation has one (✓ and the
 * text as its tooltip) and opens the dialog that sets, edits or clears it.
 */
export function SystemPromptButton() {
  const prompt = useOpenSystemPrompt()
  const [open, setOpen] = useState(false)
  return (
    <>
      <button
        type="button"
        className={`system-prompt-toggle${prompt ? ' is-set' : ''}`}
        aria-haspopup="dialog"
        title={
          prompt ? `System prompt: ${prompt}` : 'No system prompt: set one for this conversation'
        }
        onClick={() => setOpen(true)}
      >
        {'System '}
        <span className="system-prompt-long">prompt</span>
        {prompt ? ' ✓' : ''}
      </button>
      {open && <SystemPromptDialog initial={prompt ?? ''} onClose={() => setOpen(false)} />}
    </>
  )
}

/** Where the dialog's Tab cycle runs: its own controls only. */
const DIALOG_CONTROLS = 'textarea, button:not([disabled])'

/**
 * Sets the system prompt of the open conversation (a new chat starts its conversation with it). Save
 * keeps the text; Clear removes it; Esc or Cancel keep what was there. A refusal is shown inside and
 * the text stays.
 */
export function SystemPromptDialog({ initial, onClose }: { initial: string; onClose: () => void }) {
  const save = useAppStore((s) => s.setSystemPrompt)
  const [text, setText] = useState(initial)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const box = useRef<HTMLTextAreaElement>(null)
  const dialog = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const back = document.activeElement instanceof HTMLElement ? document.activeElement : null
    box.current?.focus()
    return () => back?.focus()
  }, [])
  const commit = (value: string | null): void => {
    setBusy(true)
    void save(value).then((refused) => {
      setBusy(false)
      if (refused === null) onClose()
      else setError(refused)
    })
  }
  return (
    <div className="drawer-layer help-layer">
      <div className="drawer-backdrop" aria-hidden="true" onClick={onClose} />
      <div
        ref={dialog}
        className="help-dialog system-prompt-dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="system-prompt-title"
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault()
            onClose()
          } else {
            wrapTab(e, dialog.current, DIALOG_CONTROLS)
          }
        }}
      >
        <h2 id="system-prompt-title">System prompt</h2>
        <label htmlFor="system-prompt-text" className="muted small">
          Instructions sent first with every message of this conversation, e.g. “Answer in German,
          briefly.”
        </label>
        <textarea
          id="system-prompt-text"
          ref={box}
          rows={6}
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        {error && (
          <p role="alert" className="inline-error">
            {error}
          </p>
        )}
        <div className="dialog-actions">
          <button
            type="button"
            className="primary"
            disabled={busy || text.trim() === initial.trim()}
            onClick={() => commit(text)}
          >
            Save
          </button>
          {initial !== '' && (
            <button type="button" disabled={busy} onClick={() => commit(null)}>
              Clear
            </button>
          )}
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </div>
    </div>
  )
}

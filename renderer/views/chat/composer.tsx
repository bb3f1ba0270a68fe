import { useEffect, useState } from 'react'
import type { RoutingDecision } from '../../../shared/types'
import { previewLabel } from '../../format'
import { useAppStore } from '../../store/store-context'
import { ModelPicker } from './model-picker'

/** How long typing must pause before the route preview is asked for. */
export const PREVIEW_DEBOUNCE_MS = 300

/** The message box: Enter sends, Shift+Enter is a newline; a quiet route preview while typing. */
export function Composer() {
  const [text, setText] = useState('')
  const [preview, setPreview] = useState<RoutingDecision | null>(null)
  const send = useAppStore((s) => s.send)
  const sending = useAppStore((s) => s.sending)
  const askPreview = useAppStore((s) => s.preview)
  const chatMode = useAppStore((s) => s.chatMode)

  useEffect(() => {
    const content = text.trim()
    if (!content) {
      setPreview(null)
      return
    }
    let live = true
    const timer = setTimeout(() => {
      void askPreview(content).then((d) => {
        if (live) setPreview(d)
      })
    }, PREVIEW_DEBOUNCE_MS)
    return () => {
      live = false
      clearTimeout(timer)
    }
  }, [text, askPreview, chatMode])

  const submit = (): void => {
    const content = text.trim()
    if (!content || sending) return
    const typed = text
    setText('')
    setPreview(null)
    void send(content).then((sent) => {
      // Give the text back when it did not go out, unless the person already typed something new.
      if (!sent) setText((now) => (now === '' ? typed : now))
    })
  }

  return (
    <form
      className="composer"
      onSubmit={(e) => {
        e.preventDefault()
        submit()
      }}
    >
      <ModelPicker />
      <label htmlFor="composer-input" className="visually-hidden">
        Message
      </label>
      <textarea
        id="composer-input"
        value={text}
        rows={3}
        placeholder="Message — Enter sends, Shift+Enter for a new line"
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault()
            submit()
          }
        }}
      />
      <div className="composer-row">
        <output className="preview muted" aria-live="polite" aria-label="Route preview">
          {preview ? previewLabel(preview) : ''}
        </output>
        <button type="submit" disabled={!text.trim() || sending}>
          Send
        </button>
      </div>
    </form>
  )
}

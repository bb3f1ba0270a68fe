import { useEffect, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { RoutingDecision } from '../../../shared/types'
import { previewLabel } from '../../format'
import { isFinished } from '../../store/chat-stream'
import type { AppState } from '../../store/store-types'
import { useAppStore, useAppStoreApi } from '../../store/store-context'
import { ModelPicker } from './model-picker'

/** The id of the message box, for the shortcut that focuses it. */
export const COMPOSER_ID = 'composer-input'

/** The request ids of the open conversation's answers still streaming. */
export function liveRequestIds(s: AppState): string[] {
  return Object.values(s.streams)
    .filter((st) => st.conversationId === s.activeConversationId && !isFinished(st))
    .map((st) => st.requestId)
}

/** Stops every answer of the open conversation that is still streaming. */
export function stopOpenAnswers(s: AppState): boolean {
  const ids = liveRequestIds(s)
  for (const id of ids) void s.cancel(id)
  return ids.length > 0
}

/** How long typing must pause before the route preview is asked for. */
export const PREVIEW_DEBOUNCE_MS = 300

/**
 * The message box: Enter sends, Shift+Enter is a newline; a quiet route preview while typing. While the
 * open conversation answers, Send becomes Stop and Enter queues the message (one answer at a time).
 */
export function Composer() {
  const [text, setText] = useState('')
  const [preview, setPreview] = useState<RoutingDecision | null>(null)
  const send = useAppStore((s) => s.send)
  const live = useAppStore(useShallow(liveRequestIds))
  const api = useAppStoreApi()
  const stop = (): void => void stopOpenAnswers(api.getState())
  const streaming = live.length > 0
  const askPreview = useAppStore((s) => s.preview)
  const chatMode = useAppStore((s) => s.chatMode)
  const fill = useAppStore((s) => s.composerFill)

  useEffect(() => {
    if (!fill) return
    setText(fill.text)
    const box = document.getElementById(COMPOSER_ID)
    if (box instanceof HTMLTextAreaElement) {
      box.focus()
      box.setSelectionRange(fill.text.length, fill.text.length)
    }
  }, [fill])

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
    if (!content) return
    const typed = text
    setText('')
    setPreview(null)
    void send(content).then((sent) => {
      // Give the text back when it did not go out, unless the person already typed something new.
      if (!sent) setText((now) => (now === '' ? typed : now))
      // Sent or queued: the person keeps typing where they were.
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
      <label htmlFor={COMPOSER_ID} className="visually-hidden">
        Message
      </label>
      <textarea
        id={COMPOSER_ID}
        value={text}
        rows={3}
        placeholder={
          streaming
            ? 'Answer in progress — Enter queues your next message, Esc stops'
            : 'Message — Enter sends, Shift+Enter for a new line'
        }
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
        {streaming ? (
          <button type="button" className="stop" onClick={stop}>
            Stop
          </button>
        ) : (
          <button type="submit" className="primary" disabled={!text.trim()}>
            Send
          </button>
        )}
      </div>
    </form>
  )
}

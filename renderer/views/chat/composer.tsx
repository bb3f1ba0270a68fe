import { useEffect, useRef, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { RoutingDecision } from '../../../shared/types'
import { previewLabel } from '../../format'
import { isFinished } from '../../store/chat-stream'
import type { AppState } from '../../store/store-types'
import { useAppStore, useAppStoreApi } from '../../store/store-context'
import {
  MAX_ATTACHED_IMAGES,
  MAX_IMAGES_BASE64,
  imageDataUrl,
  imageFileProblem,
  readImage,
  type AttachedImage,
} from './image-attachments'
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

/** What the file picker offers: the types {@link imageFileProblem} takes. */
const IMAGE_ACCEPT = 'image/png,image/jpeg,image/webp,image/gif'

/** How long typing must pause before the route preview is asked for. */
export const PREVIEW_DEBOUNCE_MS = 300

/**
 * The message box: Enter sends, Shift+Enter is a newline; a quiet route preview while typing. While the
 * open conversation answers, Send becomes Stop and Enter queues the message (one answer at a time).
 */
export function Composer() {
  const [text, setText] = useState('')
  const [preview, setPreview] = useState<RoutingDecision | null>(null)
  const [images, setImages] = useState<AttachedImage[]>([])
  const [attachError, setAttachError] = useState<string | null>(null)
  const picker = useRef<HTMLInputElement>(null)
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

  /** Takes image files (picked, pasted or dropped); a refused one is named, the others are kept. */
  const attach = async (files: readonly File[]): Promise<void> => {
    const problems: string[] = []
    const taken: AttachedImage[] = []
    for (const file of files) {
      const problem = imageFileProblem(file)
      if (problem) {
        problems.push(problem)
        continue
      }
      if (images.length + taken.length >= MAX_ATTACHED_IMAGES) {
        problems.push(
          `${file.name} was not attached: at most ${MAX_ATTACHED_IMAGES} images per message.`,
        )
        continue
      }
      try {
        taken.push({
          id: `${Date.now()}-${taken.length}-${file.name}`,
          name: file.name,
          base64: await readImage(file),
        })
      } catch (err) {
        problems.push(
          `${file.name} could not be read: ${err instanceof Error ? err.message : String(err)}`,
        )
      }
    }
    let total = images.reduce((n, im) => n + im.base64.length, 0)
    const fitting = taken.filter((im) => {
      if (total + im.base64.length > MAX_IMAGES_BASE64) {
        problems.push(
          `${im.name} is too large to send with the other images (all images together must stay under ${Math.round((MAX_IMAGES_BASE64 * 3) / 4 / 1024)} KB after shrinking).`,
        )
        return false
      }
      total += im.base64.length
      return true
    })
    setImages((now) => [...now, ...fitting])
    setAttachError(problems.length > 0 ? problems.join(' ') : null)
  }

  const submit = (): void => {
    const content = text.trim()
    if (!content && images.length === 0) return
    const typed = text
    const attached = images
    setText('')
    setPreview(null)
    setImages([])
    void send(content, attached.length > 0 ? { images: attached.map((im) => im.base64) } : {}).then(
      (sent) => {
        // Give the text and images back when they did not go out, unless the person already typed something new.
        if (!sent) {
          setText((now) => (now === '' ? typed : now))
          setImages((now) => (now.length === 0 ? attached : now))
        }
        // Sent or queued: the person keeps typing where they were.
      },
    )
  }

  return (
    <form
      className="composer"
      onSubmit={(e) => {
        e.preventDefault()
        submit()
      }}
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes('Files')) e.preventDefault()
      }}
      onDrop={(e) => {
        if (e.dataTransfer.files.length === 0) return
        e.preventDefault()
        void attach([...e.dataTransfer.files])
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
        onPaste={(e) => {
          const files = [...e.clipboardData.files]
          if (files.length === 0) return
          e.preventDefault()
          void attach(files)
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault()
            submit()
          }
        }}
      />
      {images.length > 0 && (
        <ul className="attachments" aria-label="Attached images">
          {images.map((im) => (
            <li key={im.id}>
              <img src={imageDataUrl(im.base64)} alt={im.name} />
              <button
                type="button"
                className="icon"
                aria-label={`Remove ${im.name}`}
                onClick={() => setImages((now) => now.filter((x) => x.id !== im.id))}
              >
                ✕
              </button>
            </li>
          ))}
        </ul>
      )}
      {attachError && (
        <p role="alert" className="inline-error">
          {attachError}
        </p>
      )}
      <div className="composer-row">
        <input
          ref={picker}
          type="file"
          accept={IMAGE_ACCEPT}
          multiple
          hidden
          aria-label="Image files"
          onChange={(e) => {
            const files = [...(e.target.files ?? [])]
            e.target.value = ''
            void attach(files)
          }}
        />
        <button
          type="button"
          className="attach"
          title="Attach images (or paste or drop them)"
          onClick={() => picker.current?.click()}
        >
          Attach image
        </button>
        <output className="preview muted" aria-live="polite" aria-label="Route preview">
          {preview ? previewLabel(preview) : ''}
        </output>
        {streaming ? (
          <button type="button" className="stop" onClick={stop}>
            Stop
          </button>
        ) : (
          <button type="submit" className="primary" disabled={!text.trim() && images.length === 0}>
            Send
          </button>
        )}
      </div>
    </form>
  )
}

import { useId, useRef, useState } from 'react'
import type { ConversationMessage } from '../../../shared/types'
import { useAppStore } from '../../store/store-context'
import { CopyButton } from './copy-button'
import { imageDataUrl } from './image-attachments'

/** The images sent with a message, as thumbnails. */
function SentImages({ images }: { images: readonly string[] }) {
  if (images.length === 0) return null
  return (
    <ul className="message-images" aria-label="Images sent">
      {images.map((b64, k) => (
        <li key={k}>
          <img src={imageDataUrl(b64)} alt={`Image ${k + 1} of ${images.length}`} />
        </li>
      ))}
    </ul>
  )
}

/**
 * One of the person's own messages, with Copy and — while the conversation is not answering — Edit:
 * the text opens in place; Save & send (or Enter) replaces the message and the turns after it and
 * sends it again (a toast offers Undo); Esc or Cancel keeps it as it was.
 */
export function UserMessage({
  message,
  editable,
}: {
  message: ConversationMessage
  editable: boolean
}) {
  const [draft, setDraft] = useState<string | null>(null)
  // What a cancelled edit said, so Edit brings it back: an Esc by mistake loses nothing typed.
  const [cancelled, setCancelled] = useState<string | null>(null)
  const editAndResend = useAppStore((s) => s.editAndResend)
  const editButton = useRef<HTMLButtonElement>(null)
  const boxId = useId()
  const images = message.images ?? []
  const close = (): void => {
    setCancelled(draft !== null && draft !== message.content ? draft : null)
    setDraft(null)
    // Back where the person was, so the keyboard does not land at the top of the page.
    requestAnimationFrame(() => editButton.current?.focus())
  }
  if (draft !== null) {
    const save = (): void => {
      if (draft.trim() === '' && images.length === 0) return
      void editAndResend(message.id, draft, images).then((sent) => {
        if (!sent) return
        setDraft(null)
        setCancelled(null)
      })
    }
    return (
      <article className="message user editing" aria-label="Your message">
        <SentImages images={images} />
        <form
          className="edit-message"
          onSubmit={(e) => {
            e.preventDefault()
            save()
          }}
        >
          <label htmlFor={boxId} className="visually-hidden">
            Edit your message
          </label>
          <textarea
            id={boxId}
            value={draft}
            rows={Math.min(8, Math.max(2, draft.split('\n').length))}
            autoFocus
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') {
                // Handled here: Esc must not also stop an answer or close the drawer.
                e.preventDefault()
                e.stopPropagation()
                close()
              } else if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
                e.preventDefault()
                save()
              }
            }}
          />
          <div className="message-actions user-actions">
            <button type="button" onClick={close}>
              Cancel
            </button>
            <button
              type="submit"
              className="primary"
              disabled={draft.trim() === '' && images.length === 0}
            >
              Save &amp; send
            </button>
          </div>
        </form>
      </article>
    )
  }
  return (
    <article className="message user" aria-label="Your message">
      <SentImages images={images} />
      {message.content !== '' && <p className="user-text">{message.content}</p>}
      <div className="message-actions user-actions">
        {message.content !== '' && <CopyButton text={message.content} label="Copy message" />}
        {editable && (
          <button
            type="button"
            ref={editButton}
            aria-label="Edit message"
            onClick={() => setDraft(cancelled ?? message.content)}
          >
            Edit
          </button>
        )}
      </div>
    </article>
  )
}

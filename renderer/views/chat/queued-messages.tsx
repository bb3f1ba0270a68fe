import { useShallow } from 'zustand/react/shallow'
import { useAppStore } from '../../store/store-context'

/** Messages of the open conversation waiting for its answer to end, each with a way to take it back. */
export function QueuedMessages() {
  const queued = useAppStore(
    useShallow((s) => s.queued.filter((q) => q.conversationId === s.activeConversationId)),
  )
  const remove = useAppStore((s) => s.removeQueued)
  return (
    <>
      {queued.map((q) => (
        <article key={q.id} className="message user queued" aria-label="Queued message">
          <p className="user-text">{q.content}</p>
          <p className="queued-note">
            Queued — sent when the answer above is done.{' '}
            <button type="button" className="link-button" onClick={() => remove(q.id)}>
              Don’t send
            </button>
          </p>
        </article>
      ))}
    </>
  )
}

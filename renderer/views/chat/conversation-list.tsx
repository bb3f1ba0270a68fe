import { useAppStore } from '../../store/store-context'

/** The conversations, newest first: new, select, delete. */
export function ConversationList() {
  const conversations = useAppStore((s) => s.conversations)
  const active = useAppStore((s) => s.activeConversationId)
  const select = useAppStore((s) => s.selectConversation)
  const remove = useAppStore((s) => s.deleteConversation)
  const sorted = [...conversations].sort((a, b) => b.updatedAt - a.updatedAt)
  return (
    <nav className="conversation-list" aria-label="Conversations">
      <button type="button" className="primary" onClick={() => void select(null)}>
        New conversation
      </button>
      {sorted.length === 0 ? (
        <p className="muted small">No conversations yet.</p>
      ) : (
        <ul>
          {sorted.map((c) => (
            <li key={c.id} className={c.id === active ? 'active' : undefined}>
              <button
                type="button"
                className="conversation"
                aria-current={c.id === active ? 'true' : undefined}
                onClick={() => void select(c.id)}
              >
                {c.title || 'Untitled'}
                <span className="muted small"> · {c.messageCount}</span>
              </button>
              <button
                type="button"
                className="icon"
                aria-label={`Delete conversation ${c.title || 'Untitled'}`}
                onClick={() => {
                  if (window.confirm(`Delete “${c.title || 'Untitled'}”?`)) void remove(c.id)
                }}
              >
                ✕
              </button>
            </li>
          ))}
        </ul>
      )}
    </nav>
  )
}

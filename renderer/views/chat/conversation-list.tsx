import { useEffect, useMemo, useRef, useState } from 'react'
import type { RefObject } from 'react'
import { useAppStore } from '../../store/store-context'
import { openConversation } from './chat-address'

/** How long typing in the search box must pause before the core is asked. */
export const SEARCH_DEBOUNCE_MS = 200

interface Row {
  id: string
  title: string
  messageCount: number
  snippet: string | null
}

/**
 * The conversations, newest first: new, search (titles and texts), open, rename, delete (with Undo).
 * `onPicked` runs after one is opened (the drawer closes then).
 */
export function ConversationList({
  onPicked,
  searchRef,
}: {
  onPicked?: () => void
  searchRef?: RefObject<HTMLInputElement | null>
}) {
  const active = useAppStore((s) => s.activeConversationId)
  const remove = useAppStore((s) => s.deleteConversation)
  const search = useAppStore((s) => s.searchConversations)
  const searchQuery = useAppStore((s) => s.searchQuery)
  const conversations = useAppStore((s) => s.conversations)
  const hits = useAppStore((s) => s.searchHits)
  const pendingDeletes = useAppStore((s) => s.pendingDeletes)
  const rows = useMemo((): Row[] => {
    const hidden = new Set(pendingDeletes.map((p) => p.id))
    const source =
      searchQuery.trim() !== '' && hits
        ? hits
        : [...conversations]
            .sort((a, b) => b.updatedAt - a.updatedAt)
            .map((c) => ({ ...c, snippet: null }))
    return source.filter((c) => !hidden.has(c.id))
  }, [conversations, hits, pendingDeletes, searchQuery])
  const searching = useAppStore((s) => s.searchQuery.trim() !== '' && s.searchHits === null)
  const [query, setQuery] = useState(searchQuery)
  const [editing, setEditing] = useState<string | null>(null)

  useEffect(() => {
    const timer = setTimeout(() => void search(query), query.trim() ? SEARCH_DEBOUNCE_MS : 0)
    return () => clearTimeout(timer)
  }, [query, search])

  const pick = (id: string | null): void => {
    openConversation(id)
    onPicked?.()
  }

  return (
    <nav className="conversation-list" aria-label="Conversations">
      <button type="button" className="primary" onClick={() => pick(null)}>
        New conversation
      </button>
      <label htmlFor="conversation-search" className="visually-hidden">
        Search conversations
      </label>
      <input
        id="conversation-search"
        ref={searchRef}
        type="search"
        placeholder="Search titles and messages"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      {rows.length === 0 ? (
        <p className="muted small" aria-live="polite">
          {query.trim() === ''
            ? 'No conversations yet.'
            : searching
              ? 'Searching…'
              : `Nothing found for “${query.trim()}”.`}
        </p>
      ) : (
        <ul>
          {rows.map((c) => (
            <li key={c.id} className={c.id === active ? 'active' : undefined}>
              {editing === c.id ? (
                <RenameField id={c.id} title={c.title} onDone={() => setEditing(null)} />
              ) : (
                <>
                  <button
                    type="button"
                    className="conversation"
                    aria-current={c.id === active ? 'true' : undefined}
                    onClick={() => pick(c.id)}
                  >
                    <span className="conversation-title">
                      {c.title || 'Untitled'}
                      <span className="muted small"> · {c.messageCount}</span>
                    </span>
                    {c.snippet && <span className="snippet muted small">{c.snippet}</span>}
                  </button>
                  <button
                    type="button"
                    className="icon"
                    aria-label={`Rename conversation ${c.title || 'Untitled'}`}
                    title="Rename"
                    onClick={() => setEditing(c.id)}
                  >
                    ✎
                  </button>
                  <button
                    type="button"
                    className="icon"
                    aria-label={`Delete conversation ${c.title || 'Untitled'}`}
                    title="Delete"
                    onClick={(e) => {
                      // The row goes away with its buttons: keep the focus in the list.
                      const nav = e.currentTarget.closest('nav')
                      remove(c.id)
                      nav?.querySelector<HTMLElement>('button')?.focus()
                    }}
                  >
                    ✕
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </nav>
  )
}

/** The title in an input: Enter or leaving the field saves, Esc keeps the old title. */
function RenameField({ id, title, onDone }: { id: string; title: string; onDone: () => void }) {
  const rename = useAppStore((s) => s.renameConversation)
  const [value, setValue] = useState(title)
  const done = useRef(false)
  const finish = (save: boolean): void => {
    if (done.current) return
    done.current = true
    if (save && value.trim() !== '' && value.trim() !== title) void rename(id, value)
    onDone()
  }
  return (
    <input
      className="rename"
      aria-label={`New title for ${title || 'Untitled'}`}
      value={value}
      maxLength={200}
      autoFocus
      onFocus={(e) => e.currentTarget.select()}
      onChange={(e) => setValue(e.target.value)}
      onBlur={() => finish(true)}
      onKeyDown={(e) => {
        if (e.key === 'Enter') {
          e.preventDefault()
          finish(true)
        } else if (e.key === 'Escape') {
          // Esc here only cancels the rename: not the drawer, not the answer.
          e.preventDefault()
          e.stopPropagation()
          finish(false)
        }
      }}
    />
  )
}

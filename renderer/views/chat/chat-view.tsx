import { useRef, useState } from 'react'
import { useAppStore } from '../../store/store-context'
import { NARROW_CHAT, useMediaQuery } from '../../use-media-query'
import '../../styles/chat.css'
import '../../styles/compose.css'
import { openConversation, useChatAddress } from './chat-address'
import { ShortcutHelp, useChatShortcuts } from './chat-shortcuts'
import { Composer } from './composer'
import { ConversationDrawer } from './conversation-drawer'
import { ConversationList } from './conversation-list'
import { DiskNotice } from './disk-notice'
import { MessageList } from './message-list'
import { SystemPromptButton } from './system-prompt'
import { UndoToasts } from './undo-toast'

/**
 * The chat: conversations beside the open one at desktop widths; one column at tray-popover size,
 * with the conversations in a drawer opened from the chat's header row. The composer stays in view.
 */
export function ChatView() {
  useChatAddress()
  const narrow = useMediaQuery(NARROW_CHAT)
  const [drawer, setDrawer] = useState<'closed' | 'open' | 'search'>('closed')
  const [help, setHelp] = useState(false)
  const toggle = useRef<HTMLButtonElement>(null)
  const wideSearch = useRef<HTMLInputElement>(null)
  useChatShortcuts({
    openSearch: () => {
      if (narrow) setDrawer('search')
      else wideSearch.current?.focus()
    },
    openHelp: () => setHelp(true),
  })
  const chatError = useAppStore((s) => s.chatError)
  const title = useAppStore((s) => {
    const id = s.activeConversationId
    if (id === null) return null
    return s.conversations.find((c) => c.id === id)?.title ?? s.conversationsById[id]?.title ?? null
  })
  const noServer = useAppStore(
    (s) =>
      s.loaded &&
      !s.servers.some(
        (v) => v.trusted && (v.health.kind === 'online' || v.health.kind === 'degraded'),
      ),
  )
  return (
    <div className={`view chat${narrow ? ' chat-narrow' : ''}`}>
      {!narrow && <ConversationList searchRef={wideSearch} />}
      {narrow && drawer !== 'closed' && (
        <ConversationDrawer
          onClose={() => setDrawer('closed')}
          returnFocus={toggle}
          focusSearch={drawer === 'search'}
        />
      )}
      <section className="chat-main" aria-label="Chat">
        <div className="chat-bar">
          {narrow && (
            <button
              type="button"
              ref={toggle}
              className="drawer-toggle"
              aria-expanded={drawer !== 'closed'}
              aria-controls="conversation-drawer"
              onClick={() => setDrawer('open')}
            >
              ☰ Conversations
            </button>
          )}
          <h2 className="chat-title" title={title ?? undefined}>
            {title || 'New conversation'}
          </h2>
          {narrow && (
            <button type="button" onClick={() => openConversation(null)}>
              New chat
            </button>
          )}
          <SystemPromptButton />
          <button
            type="button"
            className="icon"
            aria-label="Keyboard shortcuts"
            title="Keyboard shortcuts (?)"
            onClick={() => setHelp(true)}
          >
            ?
          </button>
        </div>
        <DiskNotice />
        {noServer && (
          <div className="banner banner-error" role="alert">
            No Ollama server is reachable right now, so messages cannot be answered. See the{' '}
            <a href="#/dashboard">Dashboard</a> for what to check.
          </div>
        )}
        {chatError && (
          <p role="alert" className="inline-error">
            {chatError}
          </p>
        )}
        <MessageList />
        <Composer />
      </section>
      <UndoToasts />
      {help && <ShortcutHelp onClose={() => setHelp(false)} />}
    </div>
  )
}

import { useAppStore } from '../../store/store-context'
import { Composer } from './composer'
import { ConversationList } from './conversation-list'
import { DiskNotice } from './disk-notice'
import { MessageList } from './message-list'

/** The chat: conversations on the left, the open one with its composer on the right. */
export function ChatView() {
  const chatError = useAppStore((s) => s.chatError)
  const noServer = useAppStore(
    (s) =>
      s.loaded &&
      !s.servers.some(
        (v) => v.trusted && (v.health.kind === 'online' || v.health.kind === 'degraded'),
      ),
  )
  return (
    <div className="view chat">
      <ConversationList />
      <section className="chat-main" aria-label="Chat">
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
    </div>
  )
}

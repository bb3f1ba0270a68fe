import { useShallow } from 'zustand/react/shallow'
import type { RoutingDecision } from '../../../shared/types'
import type { StreamState } from '../../store/chat-stream'
import { conversationDisplay, isFinished, streamText } from '../../store/chat-stream'
import { useAppStore } from '../../store/store-context'
import { EMPTY_CHAT_PROMISE } from '../../format'
import { AnswerWarnings } from './answer-warnings'
import { MarkdownText } from './markdown-text'
import { RouteBadge } from './route-badge'
import { SuggestedPrompts } from './suggested-prompts'
import { QueuedMessages } from './queued-messages'
import { StoredAnswer, ThinkingPart, thinkingLabel, useDecision } from './stored-answer'
import { useStickToBottom } from './stick-to-bottom'
import { UserMessage } from './user-message'

export { storedThinkingLabel, thinkingLabel } from './stored-answer'

/** The text of the loading state, telling when the model is cold and where it loads. */
export function waitingLabel(decision: RoutingDecision | null): string {
  const c = decision?.chosen
  if (!c) return 'Routing…'
  if (!c.loaded) return `Loading ${c.model} on ${c.serverName} — a cold model can take up to 30 s`
  return `Waiting for ${c.model} on ${c.serverName}…`
}

function StreamingAnswer({ stream }: { stream: StreamState }) {
  const decision = useDecision(stream.decisionId)
  const seamNotes = stream.parts.flatMap((p) => (p.kind === 'seam' ? [p.note] : []))
  const finished = isFinished(stream)
  return (
    <article className="message assistant" aria-label="Answer" aria-busy={!finished}>
      <AnswerWarnings metadata={stream.metadata} seamNotes={seamNotes} />
      {stream.status === 'waiting' && (
        <p className="loading" role="status">
          <span className="spinner" aria-hidden="true" />{' '}
          {stream.progress?.text ?? waitingLabel(decision)}
        </p>
      )}
      {stream.thinking !== '' && (
        <ThinkingPart text={stream.thinking} label={thinkingLabel(stream)} />
      )}
      {stream.parts.map((p, i) =>
        p.kind === 'text' ? (
          <MarkdownText key={i} text={p.text} />
        ) : (
          <div key={i} className="seam" role="separator" aria-label={p.note}>
            <span>{p.note}</span>
          </div>
        ),
      )}
      {stream.status === 'error' && (
        <p className="interrupted" role="alert">
          Interrupted — {stream.error?.message ?? 'the answer failed'}
        </p>
      )}
      {stream.status === 'cancelled' && (
        <p className="interrupted" role="note">
          Stopped
        </p>
      )}
      {/* Stop is the composer's button (and Esc) while the answer streams. */}
      <RouteBadge metadata={stream.metadata} decision={decision} />
    </article>
  )
}

/** The open conversation: stored messages, then the answers streaming in. */
export function MessageList() {
  const conv = useAppStore((s) =>
    s.activeConversationId ? s.conversationsById[s.activeConversationId] : undefined,
  )
  const allStreams = useAppStore(
    useShallow((s) =>
      Object.values(s.streams).filter((st) => st.conversationId === s.activeConversationId),
    ),
  )
  const send = useAppStore((s) => s.send)
  const activeId = useAppStore((s) => s.activeConversationId)
  const queuedCount = useAppStore(
    (s) => s.queued.filter((q) => q.conversationId === s.activeConversationId).length,
  )
  const messages = conv?.messages ?? []
  const { messages: shown, streams, lastAnswerError } = conversationDisplay(messages, allStreams)
  const lastUser = [...messages].reverse().find((m) => m.role === 'user')
  const busy = streams.some((st) => !isFinished(st))
  // Tokens append to the same part, so the text length (not the part count) tells it grew.
  const lastTextLength = streams.reduce((n, st) => n + streamText(st).length + st.parts.length, 0)

  const { ref, onScroll, pinned, jump } = useStickToBottom(
    activeId,
    shown.length + streams.length + lastTextLength + queuedCount,
  )

  if (shown.length === 0 && streams.length === 0 && queuedCount === 0) {
    return (
      <div className="empty chat-empty">
        <h2>Ask anything</h2>
        <p>{EMPTY_CHAT_PROMISE}</p>
        <SuggestedPrompts />
      </div>
    )
  }
  return (
    <div className="messages-wrap">
      <div
        className="messages"
        role="log"
        aria-label="Messages"
        aria-live="polite"
        ref={ref}
        onScroll={onScroll}
      >
        {shown.map((m, i) =>
          m.role === 'user' ? (
            <UserMessage key={m.id} message={m} editable={!busy && !m.id.startsWith('local-')} />
          ) : (
            <StoredAnswer
              key={`${m.id}:${m.versions?.length ?? 0}`}
              message={m}
              isLast={i === shown.length - 1 && !busy && streams.length === 0}
              error={i === shown.length - 1 ? lastAnswerError : null}
              onRegenerate={(minTier) => {
                if (lastUser)
                  void send(
                    lastUser.content,
                    minTier ? { regenerate: true, minTier } : { regenerate: true },
                  )
              }}
            />
          ),
        )}
        {streams.map((st) => (
          <StreamingAnswer key={st.requestId} stream={st} />
        ))}
        <QueuedMessages />
      </div>
      {!pinned && (
        <button type="button" className="jump-latest" onClick={jump}>
          Jump to latest ↓
        </button>
      )}
    </div>
  )
}

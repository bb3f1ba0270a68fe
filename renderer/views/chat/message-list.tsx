import { useShallow } from 'zustand/react/shallow'
import type {
  ConversationMessage,
  RoutingDecision,
  SerializedError,
  Tier,
} from '../../../shared/types'
import type { StreamState } from '../../store/chat-stream'
import { conversationDisplay, isFinished, streamText } from '../../store/chat-stream'
import { useAppStore } from '../../store/store-context'
import { EMPTY_CHAT_PROMISE, nextTier, seamWordsInText } from '../../format'
import { AnswerWarnings } from './answer-warnings'
import { answerSpeed, speedLabel } from './answer-speed'
import { CopyButton } from './copy-button'
import { MarkdownText } from './markdown-text'
import { RouteBadge } from './route-badge'
import { imageDataUrl } from './image-attachments'
import { SuggestedPrompts } from './suggested-prompts'
import { QueuedMessages } from './queued-messages'
import { useStickToBottom } from './stick-to-bottom'

function useDecision(id: string | null | undefined): RoutingDecision | null {
  return useAppStore((s) => (id ? (s.decisions.find((d) => d.id === id) ?? null) : null))
}

/** The text of the loading state, telling when the model is cold and where it loads. */
export function waitingLabel(decision: RoutingDecision | null): string {
  const c = decision?.chosen
  if (!c) return 'Routing…'
  if (!c.loaded) return `Loading ${c.model} on ${c.serverName} — a cold model can take up to 30 s`
  return `Waiting for ${c.model} on ${c.serverName}…`
}

function StoredAnswer({
  message,
  isLast,
  error,
  onRegenerate,
}: {
  message: ConversationMessage
  isLast: boolean
  /** Why this (interrupted) answer failed, while the store still knows. */
  error: SerializedError | null
  onRegenerate: (minTier?: 'balanced' | 'powerful') => void
}) {
  const setChatMode = useAppStore((s) => s.setChatMode)
  const md = message.metadata
  const decision = useDecision(md?.decision_id)
  const tier = useAppStore((s): Tier | null => {
    if (decision?.chosen) return decision.chosen.tier
    if (!md) return null
    const entry = s.servers
      .find((v) => v.name === md.server_name)
      ?.models.find((m) => m.name === md.model)
    return entry?.tier ?? (md.used_fast_model ? 'fast' : null)
  })
  const up = tier ? nextTier(tier) : 'powerful'
  return (
    <article className="message assistant" aria-label="Answer">
      <AnswerWarnings metadata={md} />
      {message.thinking && message.thinking.text !== '' && (
        <ThinkingPart
          text={message.thinking.text}
          label={storedThinkingLabel(message.thinking.durationMs)}
        />
      )}
      <MarkdownText text={seamWordsInText(message.content)} />
      {message.interrupted &&
        (error ? (
          <p className="interrupted" role="alert">
            Interrupted — {error.message}
          </p>
        ) : (
          <p className="interrupted" role="note">
            Interrupted — this answer was cut short and not completed.
          </p>
        ))}
      <RouteBadge
        metadata={md}
        decision={decision}
        onUseModel={
          isLast
            ? (t) => {
                // The model picker's override path: pinned there (and said so), then answered again.
                setChatMode({ kind: 'model', model: t.model, serverId: t.serverId })
                onRegenerate()
              }
            : undefined
        }
      />
      <AnswerSpeedLine metadata={md} />
      <div className="message-actions">
        {message.content !== '' && <CopyButton text={message.content} label="Copy answer" />}
        {isLast && (
          <>
            <button type="button" onClick={() => onRegenerate()}>
              Regenerate
            </button>
            {up && (
              <button type="button" onClick={() => onRegenerate(up)}>
                Regenerate with a more powerful model
              </button>
            )}
          </>
        )}
      </div>
    </article>
  )
}

/** Tokens/s and time to first token under an answer, from the server's counts. */
function AnswerSpeedLine({ metadata }: { metadata: ConversationMessage['metadata'] }) {
  const speed = answerSpeed(metadata)
  if (!speed) return null
  return (
    <p className="answer-speed muted small" aria-label="Speed">
      {speedLabel(speed)}
    </p>
  )
}

/** A thinking model's reasoning, folded: "Thinking…" while it thinks, then "Thought for 12 s". */
export function thinkingLabel(stream: Pick<StreamState, 'thinkingStartedAt' | 'thinkingEndedAt'>) {
  const { thinkingStartedAt: start, thinkingEndedAt: end } = stream
  if (start === null || end === null) return 'Thinking…'
  return `Thought for ${Math.max(1, Math.round((end - start) / 1000))} s`
}

/** The label of saved reasoning: "Thought for 12 s", or "Thought" when the duration was not measured. */
export function storedThinkingLabel(durationMs: number | null): string {
  if (durationMs === null) return 'Thought'
  return `Thought for ${Math.max(1, Math.round(durationMs / 1000))} s`
}

function ThinkingPart({ text, label }: { text: string; label: string }) {
  return (
    <details className="thinking">
      <summary>{label}</summary>
      <MarkdownText text={text} />
    </details>
  )
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
          Interrupted — stopped by you.
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
            <article key={m.id} className="message user" aria-label="Your message">
              {m.images && m.images.length > 0 && (
                <ul className="message-images" aria-label="Images sent">
                  {m.images.map((b64, k) => (
                    <li key={k}>
                      <img
                        src={imageDataUrl(b64)}
                        alt={`Image ${k + 1} of ${m.images?.length ?? 0}`}
                      />
                    </li>
                  ))}
                </ul>
              )}
              {m.content && <p className="user-text">{m.content}</p>}
            </article>
          ) : (
            <StoredAnswer
              key={m.id}
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

import type {
  ChatChunk,
  ChatSendRequest,
  Conversation,
  ConversationSummary,
  RoutingDecision,
  RoutingMode,
} from '../../shared/types'
import type { StreamState } from './chat-stream'
import {
  applyChunkToStream,
  excerptMatches,
  isFinished,
  isStoredAnswerOf,
  newStream,
} from './chat-stream'
import type { SliceCreator } from './store-types'
import { messageOf } from './store-types'
import { NO_VISION_MODEL, visionModelReachable } from './vision'

/** Options of one send: regenerate the last answer, optionally asking for a stronger tier. */
export interface SendOptions {
  regenerate?: boolean
  minTier?: 'balanced' | 'powerful'
  /** Images with the message (base64): only a vision model can take them. */
  images?: string[]
  /** Edit-and-resend: this user message and the turns after it are replaced by the new text. */
  editOf?: string
}

/** A message written while its conversation's answer streams: sent once that answer is over. */
export interface QueuedMessage {
  id: string
  /** null = the new conversation whose first message is still on its way to the core. */
  conversationId: string | null
  content: string
  /** Its images (base64), when it has some. */
  images?: string[]
}

/** Conversations, the open one, and the answers streaming in. */
export interface ChatSlice {
  conversations: ConversationSummary[]
  /** null = a new, not yet sent conversation. */
  activeConversationId: string | null
  conversationsById: Record<string, Conversation>
  /** requestId → the answer streaming in. */
  streams: Record<string, StreamState>
  /** The chat's model picker: null = Auto (the global mode decides). */
  chatMode: RoutingMode | null
  sending: boolean
  chatError: string | null
  /** Messages waiting for their conversation's answer to end, oldest first (one answer at a time). */
  queued: QueuedMessage[]
  /** Text to put in the message box (a suggested prompt); `seq` changes on every request. */
  composerFill: { text: string; seq: number } | null
  /** Puts `text` in the message box without sending it (the empty chat's suggestions). */
  fillComposer(text: string): void
  selectConversation(id: string | null): Promise<void>
  refreshConversation(id: string): Promise<void>
  /**
   * Sends a message to the open conversation; while that conversation is answering it is queued and
   * sent after the answer (which it then has as context). Resolves false when it was neither sent nor
   * queued (empty, a regenerate while busy, or the core refused).
   */
  send(content: string, opts?: SendOptions): Promise<boolean>
  /** Takes a queued message back before it is sent. */
  removeQueued(id: string): void
  /** Sends the next queued message of a conversation that is no longer answering. */
  drainQueue(): void
  cancel(requestId: string): Promise<void>
  setChatMode(mode: RoutingMode | null): void
  preview(content: string): Promise<RoutingDecision | null>
  applyChunk(chunk: ChatChunk): void
  applyDecisionToStreams(decision: RoutingDecision): void
  /**
   * The link to the core dropped: answers still streaming will miss their last chunks, so they end
   * now with `reason`. Returns the conversations they belong to (to be fetched again).
   */
  abandonStreams(reason: string): string[]
}

let localIds = 0

/** Creates the chat slice. */
export const createChatSlice: SliceCreator<ChatSlice> = (client) => (set, get) => {
  /** Sends one message to the core now (the queue's checks done). */
  const dispatch = async (
    activeConversationId: string | null,
    text: string,
    opts: SendOptions,
  ): Promise<boolean> => {
    const { chatMode } = get()
    const req: ChatSendRequest = { conversationId: activeConversationId, content: text }
    if (chatMode) req.mode = chatMode
    if (opts.regenerate) req.regenerate = true
    if (opts.minTier) req.minTier = opts.minTier
    if (opts.images && opts.images.length > 0) req.images = opts.images
    if (opts.editOf) req.editOf = opts.editOf
    set({ sending: true, chatError: null })
    // Taken before the call: the core stores this turn's answer before the renderer hears back.
    const sentAt = Date.now()
    try {
      const { requestId, conversationId } = await client.invoke('chat:send', req)
      set((s) => {
        const existing = s.streams[requestId]
        const stream: StreamState = existing
          ? {
              ...existing,
              regenerate: opts.regenerate ?? false,
              userContent: text,
              startedAt: Math.min(existing.startedAt, sentAt),
            }
          : newStream(requestId, conversationId, {
              regenerate: opts.regenerate ?? false,
              userContent: text,
              startedAt: sentAt,
            })
        const conv = s.conversationsById[conversationId] ?? {
          id: conversationId,
          title: text.slice(0, 60),
          createdAt: Date.now(),
          updatedAt: Date.now(),
          messages: [],
        }
        // An edit replaces the message and everything after it, as the core just did.
        const editAt = opts.editOf ? conv.messages.findIndex((m) => m.id === opts.editOf) : -1
        const kept = editAt >= 0 ? conv.messages.slice(0, editAt) : conv.messages
        const messages = opts.regenerate
          ? conv.messages
          : [
              ...kept,
              {
                id: `local-${++localIds}`,
                role: 'user' as const,
                content: text,
                createdAt: Date.now(),
                metadata: null,
                interrupted: false,
                ...(opts.images && opts.images.length > 0 ? { images: opts.images } : {}),
              },
            ]
        // The decision may have arrived before the send's answer.
        const decision = s.decisions.find(
          (d) => d.at >= stream.startedAt - 5000 && excerptMatches(d.promptExcerpt, text),
        )
        return {
          sending: false,
          activeConversationId:
            s.activeConversationId === activeConversationId
              ? conversationId
              : s.activeConversationId,
          // Messages queued behind this new conversation's first one now know where they go.
          queued:
            activeConversationId === null
              ? s.queued.map((q) => (q.conversationId === null ? { ...q, conversationId } : q))
              : s.queued,
          conversationsById: { ...s.conversationsById, [conversationId]: { ...conv, messages } },
          streams: {
            // A newer turn: the failure shown on the previous answer has had its say.
            ...withoutStreams(
              s.streams,
              (st) => st.conversationId === conversationId && st.status === 'error',
            ),
            [requestId]:
              stream.decisionId || !decision ? stream : { ...stream, decisionId: decision.id },
          },
        }
      })
      return true
    } catch (err) {
      set({ sending: false, chatError: `Could not send: ${messageOf(err)}` })
      return false
    }
  }

  return {
    conversations: [],
    activeConversationId: null,
    conversationsById: {},
    streams: {},
    chatMode: null,
    sending: false,
    chatError: null,
    queued: [],
    composerFill: null,

    fillComposer(text) {
      set((s) => ({ composerFill: { text, seq: (s.composerFill?.seq ?? 0) + 1 } }))
    },

    async selectConversation(id) {
      set({ activeConversationId: id, chatError: null })
      if (id) await get().refreshConversation(id)
    },

    async refreshConversation(id) {
      try {
        const conv = await client.invoke('conversations:get', id)
        set((s) => {
          if (!conv) {
            // Gone (deleted elsewhere, e.g. while the link was down): nothing left to show for it.
            const { [id]: _gone, ...rest } = s.conversationsById
            const streams = withoutStreams(
              s.streams,
              (st) => st.conversationId === id && isFinished(st),
            )
            const stillStreaming = Object.values(streams).some((st) => st.conversationId === id)
            return {
              conversationsById: rest,
              streams,
              activeConversationId:
                s.activeConversationId === id && !stillStreaming ? null : s.activeConversationId,
            }
          }
          return {
            conversationsById: { ...s.conversationsById, [id]: conv },
            streams: dropReconciledStreams(s.streams, conv),
          }
        })
      } catch (err) {
        set({ chatError: `Could not load the conversation: ${messageOf(err)}` })
      }
      // The answer a queued message waited for is over (and now stored, as context for it).
      get().drainQueue()
    },

    async send(content, opts = {}) {
      const text = content.trim()
      const images = opts.images ?? []
      if (!text && images.length === 0) return false
      if (images.length > 0 && !visionModelReachable(get().servers)) {
        set({ chatError: NO_VISION_MODEL })
        return false
      }
      const { activeConversationId } = get()
      if (conversationBusy(get(), activeConversationId)) {
        if (opts.regenerate || opts.editOf) return false
        const item: QueuedMessage = {
          id: `queued-${++localIds}`,
          conversationId: activeConversationId,
          content: text,
          ...(images.length > 0 ? { images } : {}),
        }
        set((s) => ({ queued: [...s.queued, item] }))
        return true
      }
      return dispatch(activeConversationId, text, opts)
    },

    removeQueued(id) {
      set((s) => ({ queued: s.queued.filter((q) => q.id !== id) }))
    },

    drainQueue() {
      const s = get()
      if (s.sending) return
      // A first message whose send failed leaves its followers with no conversation: they start one.
      const item = s.queued.find(
        (q) => q.conversationId === null || !conversationBusy(s, q.conversationId),
      )
      if (!item) return
      set({ queued: s.queued.filter((q) => q.id !== item.id) })
      void dispatch(
        item.conversationId,
        item.content,
        item.images ? { images: item.images } : {},
      ).then((sent) => {
        if (!sent)
          set({ chatError: `Could not send the queued message “${excerpt(item.content)}”` })
        else get().drainQueue()
      })
    },

    async cancel(requestId) {
      set((s) => {
        const st = s.streams[requestId]
        if (!st || isFinished(st)) return {}
        return { streams: { ...s.streams, [requestId]: { ...st, status: 'cancelled' } } }
      })
      try {
        await client.invoke('chat:cancel', requestId)
      } catch (err) {
        set({ chatError: `Could not stop the answer: ${messageOf(err)}` })
      }
    },

    setChatMode(mode) {
      set({ chatMode: mode })
    },

    async preview(content) {
      const { activeConversationId, conversationsById, chatMode } = get()
      const conv = activeConversationId ? conversationsById[activeConversationId] : undefined
      const history = conv?.messages ?? []
      const messages = [
        ...(conv?.systemPrompt ? [{ role: 'system' as const, content: conv.systemPrompt }] : []),
        ...history.map((m) => ({ role: m.role, content: m.content })),
        { role: 'user' as const, content },
      ]
      try {
        return await client.invoke(
          'routing:preview',
          chatMode ? { messages, mode: chatMode } : { messages },
        )
      } catch {
        // A preview is a hint only; a failure must not disturb typing.
        return null
      }
    },

    applyChunk(chunk) {
      const finished = chunk.kind === 'done' || chunk.kind === 'error'
      set((s) => {
        const stream =
          s.streams[chunk.requestId] ?? newStream(chunk.requestId, chunk.conversationId)
        return { streams: { ...s.streams, [chunk.requestId]: applyChunkToStream(stream, chunk) } }
      })
      if (finished) void get().refreshConversation(chunk.conversationId)
    },

    applyDecisionToStreams(decision) {
      set((s) => {
        const match = Object.values(s.streams).find(
          (st) =>
            st.decisionId === null &&
            !isFinished(st) &&
            st.userContent !== '' &&
            excerptMatches(decision.promptExcerpt, st.userContent),
        )
        if (!match) return {}
        return {
          streams: { ...s.streams, [match.requestId]: { ...match, decisionId: decision.id } },
        }
      })
    },

    abandonStreams(reason) {
      const affected = new Set<string>()
      set((s) => {
        const streams: Record<string, StreamState> = {}
        for (const [id, st] of Object.entries(s.streams)) {
          if (isFinished(st)) streams[id] = st
          else {
            affected.add(st.conversationId)
            streams[id] = {
              ...st,
              status: 'error',
              error: { name: 'TransportError', message: reason },
            }
          }
        }
        return affected.size ? { streams } : {}
      })
      return [...affected]
    },
  }
}

/** Whether the conversation is answering (or a message is on its way): a new message must wait. */
export function conversationBusy(
  s: Pick<ChatSlice, 'sending' | 'streams'>,
  conversationId: string | null,
): boolean {
  if (s.sending) return true
  if (conversationId === null) return false
  return Object.values(s.streams).some(
    (st) => st.conversationId === conversationId && !isFinished(st),
  )
}

function excerpt(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text
}

function withoutStreams(
  streams: Record<string, StreamState>,
  drop: (st: StreamState) => boolean,
): Record<string, StreamState> {
  const out: Record<string, StreamState> = {}
  for (const [id, st] of Object.entries(streams)) if (!drop(st)) out[id] = st
  return out
}

/**
 * Drops finished streams the stored conversation now holds, so an answer is shown once.
 * A done stream is matched by its decision id; a stopped one by the stored last answer. A failed one
 * stays (its error is shown on the stored, interrupted answer until a newer turn) unless the stored
 * answer completed after all (the link dropped, the core finished it).
 */
export function dropReconciledStreams(
  streams: Record<string, StreamState>,
  conv: Conversation,
): Record<string, StreamState> {
  const last = conv.messages[conv.messages.length - 1]
  const storedDecisions = new Set(
    conv.messages.map((m) => m.metadata?.decision_id).filter((x): x is string => !!x),
  )
  const out: Record<string, StreamState> = {}
  for (const [id, st] of Object.entries(streams)) {
    const held =
      st.conversationId === conv.id &&
      isFinished(st) &&
      (st.metadata
        ? storedDecisions.has(st.metadata.decision_id)
        : st.status === 'error'
          ? isStoredAnswerOf(last, st) && !last.interrupted
          : isStoredAnswerOf(last, st))
    if (!held) out[id] = st
  }
  return out
}

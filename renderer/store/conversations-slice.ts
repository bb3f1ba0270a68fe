import type { Conversation, ConversationSearchHit } from '../../shared/types'
import { isFinished } from './chat-stream'
import type { SliceCreator } from './store-types'
import { messageOf } from './store-types'

/** How long a deleted conversation can be brought back before the core is told to delete it. */
export const UNDO_DELETE_MS = 6000

/** A conversation deleted in the list but not yet in the core: Undo brings it back. */
export interface PendingDelete {
  id: string
  title: string
  /** It was the open conversation: Undo opens it again. */
  wasActive: boolean
}

/** Managing the conversations: rename, search, delete with an undo window. */
export interface ConversationsSlice {
  /** Deleted in the list, still in the core until the undo window ends. */
  pendingDeletes: PendingDelete[]
  /** The search box's text; '' = not searching. */
  searchQuery: string
  /** The core's answer for `searchQuery`; null while none (not searching, or not answered yet). */
  searchHits: ConversationSearchHit[] | null
  /**
   * Hides the conversation at once and deletes it in the core after {@link UNDO_DELETE_MS}, unless
   * {@link undoDelete} comes first. The open conversation becomes a new one meanwhile.
   */
  deleteConversation(id: string): void
  undoDelete(id: string): void
  /** Ends the undo window now: the core deletes it. */
  commitDelete(id: string): Promise<void>
  /** Renames in the core; resolves false (with chatError set) when it refused. */
  renameConversation(id: string, title: string): Promise<boolean>
  /** Searches titles and texts in the core; '' clears the search. */
  searchConversations(query: string): Promise<void>
  /**
   * Sets (null or blank: clears) the open conversation's system prompt; on a new chat it starts the
   * conversation. Resolves null when saved, else why not (the dialog keeps the text then).
   */
  setSystemPrompt(text: string | null): Promise<string | null>
}

/** Creates the conversations slice. */
export const createConversationsSlice: SliceCreator<ConversationsSlice> = (client) => {
  const timers = new Map<string, ReturnType<typeof setTimeout>>()
  return (set, get) => ({
    pendingDeletes: [],
    searchQuery: '',
    searchHits: null,

    deleteConversation(id) {
      const s = get()
      if (s.pendingDeletes.some((p) => p.id === id)) return
      const title = s.conversations.find((c) => c.id === id)?.title ?? 'Untitled'
      const wasActive = s.activeConversationId === id
      set({
        pendingDeletes: [...s.pendingDeletes, { id, title, wasActive }],
        ...(wasActive ? { activeConversationId: null } : {}),
      })
      timers.set(
        id,
        setTimeout(() => void get().commitDelete(id), UNDO_DELETE_MS),
      )
    },

    undoDelete(id) {
      clearTimeout(timers.get(id))
      timers.delete(id)
      const pending = get().pendingDeletes.find((p) => p.id === id)
      if (!pending) return
      set((s) => ({ pendingDeletes: s.pendingDeletes.filter((p) => p.id !== id) }))
      if (pending.wasActive && get().activeConversationId === null) {
        void get().selectConversation(id)
      }
    },

    async commitDelete(id) {
      clearTimeout(timers.get(id))
      timers.delete(id)
      if (!get().pendingDeletes.some((p) => p.id === id)) return
      try {
        await client.invoke('conversations:delete', id)
        set((s) => {
          const { [id]: _gone, ...rest } = s.conversationsById
          const streams: typeof s.streams = {}
          for (const [rid, st] of Object.entries(s.streams))
            if (!(st.conversationId === id && isFinished(st))) streams[rid] = st
          return {
            conversationsById: rest,
            conversations: s.conversations.filter((c) => c.id !== id),
            activeConversationId: s.activeConversationId === id ? null : s.activeConversationId,
            streams,
            pendingDeletes: s.pendingDeletes.filter((p) => p.id !== id),
            searchHits: s.searchHits?.filter((h) => h.id !== id) ?? null,
          }
        })
      } catch (err) {
        // Not deleted after all: show it again and say why.
        set((s) => ({
          pendingDeletes: s.pendingDeletes.filter((p) => p.id !== id),
          chatError: `Could not delete the conversation: ${messageOf(err)}`,
        }))
      }
    },

    async renameConversation(id, title) {
      const flat = title.replace(/\s+/g, ' ').trim()
      if (flat === '') return false
      try {
        const summary = await client.invoke('conversations:rename', id, flat)
        set((s) => {
          const conv = s.conversationsById[id]
          return {
            conversations: s.conversations.map((c) => (c.id === id ? { ...c, ...summary } : c)),
            conversationsById: conv
              ? { ...s.conversationsById, [id]: { ...conv, title: summary.title } }
              : s.conversationsById,
            searchHits:
              s.searchHits?.map((h) => (h.id === id ? { ...h, title: summary.title } : h)) ?? null,
          }
        })
        return true
      } catch (err) {
        set({ chatError: `Could not rename the conversation: ${messageOf(err)}` })
        return false
      }
    },

    async setSystemPrompt(text) {
      const id = get().activeConversationId
      try {
        const conv = await client.invoke('conversations:setSystemPrompt', id, text)
        set((s) => {
          const held = s.conversationsById[conv.id]
          // Keep messages the renderer already shows (a turn may be on its way); only the prompt changed.
          const next: Conversation = held ? { ...held } : conv
          if (conv.systemPrompt === undefined) delete next.systemPrompt
          else next.systemPrompt = conv.systemPrompt
          return {
            conversationsById: { ...s.conversationsById, [conv.id]: next },
            activeConversationId: s.activeConversationId === id ? conv.id : s.activeConversationId,
          }
        })
        return null
      } catch (err) {
        return `Could not save the system prompt: ${messageOf(err)}`
      }
    },

    async searchConversations(query) {
      set({ searchQuery: query })
      if (query.trim() === '') {
        set({ searchHits: null })
        return
      }
      try {
        const hits = await client.invoke('conversations:search', query)
        // A slower answer for an older query must not replace the newer one's.
        if (get().searchQuery === query) set({ searchHits: hits })
      } catch (err) {
        if (get().searchQuery === query)
          set({ searchHits: [], chatError: `Could not search: ${messageOf(err)}` })
      }
    },
  })
}

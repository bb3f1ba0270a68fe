import type { SliceCreator } from './store-types'
import { messageOf } from './store-types'
import { isFinished } from './chat-stream'

/** How long the "Message edited — Undo" toast offers to bring the old turns back (as delete's). */
export const UNDO_EDIT_MS = 6000

/** The last edit-and-resend, while it can be undone. */
export interface EditUndo {
  conversationId: string
  /** The start of the new text, for the toast. */
  excerpt: string
}

/** Edit-and-resend of the person's own messages, with an Undo window. */
export interface EditSlice {
  editUndo: EditUndo | null
  /**
   * Replaces the user message `messageId` of the open conversation (and every later turn) with
   * `content` and sends it. False when it was not sent (empty, the conversation busy, or refused).
   */
  editAndResend(messageId: string, content: string, images?: string[]): Promise<boolean>
  /** Brings back the conversation as it was before the edit, stopping the answer to it. */
  undoEdit(): Promise<void>
  /** The undo window ended (or the toast was closed). */
  dismissEditUndo(): void
}

/** Creates the edit slice. */
export const createEditSlice: SliceCreator<EditSlice> = (client) => {
  let timer: ReturnType<typeof setTimeout> | null = null
  const clearTimer = (): void => {
    if (timer !== null) clearTimeout(timer)
    timer = null
  }
  return (set, get) => ({
    editUndo: null,

    async editAndResend(messageId, content, images = []) {
      const text = content.trim()
      // The images sent with the message go again with its new text.
      const sent =
        (text !== '' || images.length > 0) &&
        (await get().send(text, { editOf: messageId, ...(images.length > 0 ? { images } : {}) }))
      if (!sent) return false
      const conversationId = get().activeConversationId
      if (conversationId === null) return true
      clearTimer()
      set({
        editUndo: { conversationId, excerpt: text.length > 40 ? `${text.slice(0, 40)}…` : text },
      })
      timer = setTimeout(() => get().dismissEditUndo(), UNDO_EDIT_MS)
      return true
    },

    async undoEdit() {
      const undo = get().editUndo
      if (!undo) return
      clearTimer()
      const { conversationId } = undo
      // The answer to the edit is stopped by the core; it must not show up again as an answer.
      const mine = Object.values(get().streams).filter((st) => st.conversationId === conversationId)
      set((s) => {
        const streams = { ...s.streams }
        for (const st of mine)
          if (!isFinished(st)) streams[st.requestId] = { ...st, status: 'cancelled' }
        return { editUndo: null, streams }
      })
      try {
        const restored = await client.invoke('conversations:undo-edit', conversationId)
        set((s) => {
          const streams = { ...s.streams }
          for (const st of mine) delete streams[st.requestId]
          return {
            streams,
            conversationsById: { ...s.conversationsById, [conversationId]: restored },
          }
        })
      } catch (err) {
        set({ chatError: `Could not undo the edit: ${messageOf(err)}` })
      }
    },

    dismissEditUndo() {
      clearTimer()
      set({ editUndo: null })
    },
  })
}

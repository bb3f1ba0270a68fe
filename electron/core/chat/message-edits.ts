/**
 * Edit-and-resend: the person rewrites one of their messages; it and every later turn are replaced,
 * and what the conversation was before is kept (in memory) for one Undo.
 */
import type { Conversation } from '../../../shared/types'
import { ConversationNotFoundError } from './conversation-schema'
import type { ConversationStore } from './conversation-store'

/** There is no edit to undo in this conversation (none made, or another message was sent since). */
export class NothingToUndoError extends Error {
  override readonly name = 'NothingToUndoError'
  constructor(readonly conversationId: string) {
    super(
      `Nothing to undo in conversation ${conversationId}: no message was edited since the last send`,
    )
  }
}

/** The conversations' last edits, and the answers to them that an Undo must stop first. */
export class MessageEdits {
  private readonly before = new Map<string, Conversation>()
  private readonly answers = new Map<string, { stop: () => void; turn: Promise<void> }[]>()

  constructor(
    private readonly store: ConversationStore,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Removes the user message `messageId` and everything after it, remembering the conversation as it
   * was for {@link undo}. Throws ConversationNotFoundError when there is no such user message.
   */
  async cutAt(conversationId: string, messageId: string): Promise<void> {
    const conversation = await this.store.get(conversationId)
    const at =
      conversation?.messages.findIndex((m) => m.id === messageId && m.role === 'user') ?? -1
    if (!conversation || at < 0) throw new ConversationNotFoundError(conversationId, messageId)
    await this.store.upsert({
      ...conversation,
      messages: conversation.messages.slice(0, at),
      updatedAt: this.now(),
    })
    this.before.set(conversationId, conversation)
    this.answers.delete(conversationId)
  }

  /** A send that is not an edit: the conversation moved on, and undoing the edit would lose it. */
  forget(conversationId: string): void {
    this.before.delete(conversationId)
    this.answers.delete(conversationId)
  }

  /** The answer to an edit, so {@link undo} can stop it and wait until it saved what it had. */
  track(conversationId: string, stop: () => void, turn: Promise<void>): void {
    if (!this.before.has(conversationId)) return
    this.answers.set(conversationId, [...(this.answers.get(conversationId) ?? []), { stop, turn }])
  }

  /** Brings the conversation back to before its last edit, stopping the answer to the edit first. */
  async undo(conversationId: string): Promise<Conversation> {
    const before = this.before.get(conversationId)
    if (!before) throw new NothingToUndoError(conversationId)
    const answers = this.answers.get(conversationId) ?? []
    this.forget(conversationId)
    for (const a of answers) a.stop()
    await Promise.allSettled(answers.map((a) => a.turn))
    await this.store.upsert({ ...before, updatedAt: this.now() })
    return before
  }
}

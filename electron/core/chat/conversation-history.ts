import type { ChatMessage, Conversation } from '../../../shared/types'

/**
 * What a stored conversation sends upstream: its system prompt first (when set), then the messages
 * with text (a user message always, an empty answer — cut off before a token — never), each user
 * message with its images.
 */
export function historyOf(conversation: Conversation | null): ChatMessage[] {
  if (!conversation) return []
  const out: ChatMessage[] = []
  if (conversation.systemPrompt) out.push({ role: 'system', content: conversation.systemPrompt })
  for (const m of conversation.messages) {
    if (m.content === '' && m.role !== 'user') continue
    out.push(
      m.images && m.images.length > 0
        ? { role: m.role, content: m.content, images: m.images }
        : { role: m.role, content: m.content },
    )
  }
  return out
}

/**
 * What a chat turn sends and where its answer goes: the history up to the last user message (a
 * regenerate answers that message again), and on a regenerate the answer that gets a new version.
 */
export function turnOf(
  conversation: Conversation | null,
  regenerate: boolean,
): { history: ChatMessage[]; answered: string | undefined } {
  const stored = conversation?.messages ?? []
  const lastUser = stored.findLastIndex((m) => m.role === 'user')
  if (!conversation || lastUser < 0) throw new Error('Nothing to answer yet.')
  return {
    history: historyOf({ ...conversation, messages: stored.slice(0, lastUser + 1) }),
    answered: regenerate ? stored.slice(lastUser + 1).at(-1)?.id : undefined,
  }
}

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

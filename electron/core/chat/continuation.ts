/**
 * What the next target is sent when an answer broke mid-stream: the conversation, the partial answer and
 * an instruction to go on from there, so the continuation picks up mid-sentence (style.md point 8: the
 * seam is visible, never a silent retry).
 */
import type { Message } from 'ollama'
import type { ChatMessage, ReasonCode, RoutingTarget } from '../../../shared/types'

/** Sent after the partial answer so the next model picks up mid-sentence instead of starting over. */
export const CONTINUE_INSTRUCTION =
  'Your previous answer was cut off. Continue it exactly where it stopped: do not repeat anything, do not add a preamble.'

/** The seam note shown where an answer continues on another target. */
export function seamNote(
  failedServer: string,
  reason: ReasonCode,
  next: Pick<RoutingTarget, 'model' | 'serverName'>,
): string {
  return `— answer interrupted on ${failedServer} (${reason}); continuing on ${next.model} @ ${next.serverName} —`
}

/** The messages of one attempt: the conversation, plus the partial answer to continue when there is one. */
export function attemptMessages(messages: ChatMessage[], streamed: string): Message[] {
  const out = messages.map(toOllamaMessage)
  if (streamed !== '') {
    out.push({ role: 'assistant', content: streamed })
    out.push({ role: 'user', content: CONTINUE_INSTRUCTION })
  }
  return out
}

function toOllamaMessage(m: ChatMessage): Message {
  // A copy: the client rewrites `images` in place.
  return {
    role: m.role,
    content: m.content,
    ...(m.images && { images: [...m.images] }),
    ...(m.tool_calls && { tool_calls: m.tool_calls }),
    ...(m.tool_name !== undefined && { tool_name: m.tool_name }),
  }
}

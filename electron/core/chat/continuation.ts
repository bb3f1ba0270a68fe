/**
 * What the next target is sent when an answer broke mid-stream: the conversation, the partial answer and
 * an instruction to go on from there, so the continuation picks up mid-sentence (style.md point 8: the
 * seam is visible, never a silent retry).
 */
import type { Message, ToolCall } from 'ollama'
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

/**
 * The messages of one attempt: the conversation, plus the partial answer to continue when there is one
 * (its text and the tool calls already passed on, so the next model knows they were made).
 */
export function attemptMessages(
  messages: ChatMessage[],
  streamed: string,
  toolCalls: readonly ToolCall[] = [],
): Message[] {
  const out = messages.map(toOllamaMessage)
  if (streamed !== '' || toolCalls.length > 0) {
    out.push({
      role: 'assistant',
      content: streamed,
      ...(toolCalls.length > 0 && { tool_calls: [...toolCalls] }),
    })
    out.push({ role: 'user', content: CONTINUE_INSTRUCTION })
  }
  return out
}

/** What makes two tool calls the same call: the function and its arguments (ids differ per server). */
export function toolCallKey(call: ToolCall): string {
  return JSON.stringify([call.function.name, call.function.arguments ?? {}])
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

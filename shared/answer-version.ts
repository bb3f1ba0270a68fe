/** An answer's versions, shared by the core (which stores them) and the chat (which switches between them). */
import type { AnswerVersion, ConversationMessage } from './types'

/** The message's own (newest) answer as a version. */
export function currentVersion(message: ConversationMessage): AnswerVersion {
  const version: AnswerVersion = {
    content: message.content,
    createdAt: message.createdAt,
    metadata: message.metadata,
    interrupted: message.interrupted,
  }
  if (message.stopped) version.stopped = true
  if (message.thinking) version.thinking = message.thinking
  return version
}

/** Every version of an answer, oldest first: the earlier ones, then the message's own (the newest). */
export function answerVersions(message: ConversationMessage): AnswerVersion[] {
  return [...(message.versions ?? []), currentVersion(message)]
}

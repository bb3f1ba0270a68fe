/** Answer versions: a regenerated answer keeps what it said before, so the versions can be compared. */
import type { AnswerVersion, ConversationMessage } from '../../../shared/types'

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

/**
 * The answer `message` about to be answered again: what it says now becomes its newest earlier
 * version, and the message itself is a fresh, empty answer (interrupted until it completes), created
 * at `now`. Pure.
 */
export function withNewVersion(message: ConversationMessage, now: number): ConversationMessage {
  const { thinking: _thinking, stopped: _stopped, versions, ...rest } = message
  return {
    ...rest,
    content: '',
    createdAt: now,
    metadata: null,
    interrupted: true,
    versions: [...(versions ?? []), currentVersion(message)],
  }
}

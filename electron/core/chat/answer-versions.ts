/** Answer versions: a regenerated answer keeps what it said before, so the versions can be compared. */
import type { ConversationMessage } from '../../../shared/types'
import { currentVersion } from '../../../shared/answer-version'

export { currentVersion }

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

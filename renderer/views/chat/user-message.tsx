import type { ConversationMessage } from '../../../shared/types'
import { CopyButton } from './copy-button'

/** One of the person's own messages, with Copy. */
export function UserMessage({ message }: { message: ConversationMessage }) {
  return (
    <article className="message user" aria-label="Your message">
      <p className="user-text">{message.content}</p>
      <div className="message-actions user-actions">
        <CopyButton text={message.content} label="Copy message" />
      </div>
    </article>
  )
}

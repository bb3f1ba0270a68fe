/** What a stored conversation file must hold, and the errors of ids and lookups. */
import { z } from 'zod'

export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/

/** A conversation id that could escape the store's folder or is not one of ours. */
export class InvalidConversationIdError extends Error {
  override readonly name = 'InvalidConversationIdError'
  constructor(readonly id: string) {
    super(
      `invalid conversation id ${JSON.stringify(id)}: use 1-128 letters, digits, '-' or '_' (no path separators)`,
    )
  }
}

/** The conversation (or the message in it) does not exist. */
export class ConversationNotFoundError extends Error {
  override readonly name = 'ConversationNotFoundError'
  constructor(
    readonly conversationId: string,
    readonly messageId: string | null = null,
  ) {
    super(
      messageId === null
        ? `conversation ${conversationId} not found`
        : `message ${messageId} not found in conversation ${conversationId}`,
    )
  }
}

/** Throws InvalidConversationIdError unless `id` is safe to use as a file name in the store. */
export function assertConversationId(id: string): void {
  if (typeof id !== 'string' || !ID_PATTERN.test(id))
    throw new InvalidConversationIdError(String(id))
}

const thinkingSchema = z.object({
  text: z.string(),
  durationMs: z.number().nonnegative().nullable(),
})

/** One answer's own parts: a message has them, and so does each earlier version of an answer. */
const answerFields = {
  content: z.string(),
  createdAt: z.number(),
  // Metadata is our own output; only its presence is checked so older files stay readable.
  metadata: z.object({}).passthrough().nullable(),
  interrupted: z.boolean(),
  stopped: z.boolean().optional(),
  thinking: thinkingSchema.optional(),
}

/** An earlier version of a regenerated answer. */
export const answerVersionSchema = z.object(answerFields)

/** A stored message; files written before answers had versions have none and stay readable. */
export const messageSchema = z.object({
  id: z.string().min(1),
  role: z.enum(['user', 'assistant']),
  ...answerFields,
  versions: z.array(answerVersionSchema).optional(),
  // On user messages: the images sent with it (base64).
  images: z.array(z.string()).optional(),
})

export const conversationSchema = z.object({
  id: z.string().regex(ID_PATTERN),
  title: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
  messages: z.array(messageSchema),
  systemPrompt: z.string().optional(),
})

/**
 * The writer of one streaming answer: the text and a thinking model's reasoning kept as they arrive,
 * saved at most once per `streamSaveMs` (what a kill -9 can lose), then saved complete or interrupted.
 */
import type { ResponseMetadata } from '../../../shared/types'
import type { Logger } from '../logger'
import type { ConversationMessagePatch } from './conversation-store'

/** Persists an answer while it streams: saved as interrupted until `finish`. */
export interface AssistantMessageWriter {
  readonly conversationId: string
  readonly messageId: string
  /** Adds text; saved at most once per throttle period. */
  append(text: string): void
  /** Adds reasoning (a thinking model's, before its answer); saved like text. */
  think(text: string): void
  /** The answer completed: saved with its metadata and `interrupted: false`. */
  finish(metadata: ResponseMetadata, content?: string): Promise<void>
  /**
   * The answer stopped short (error, cancel): saved as it is, still marked interrupted. `stopped`
   * when the person stopped it, with the metadata of the pair that was answering (its route badge).
   */
  interrupt(how?: { stopped: true; metadata: ResponseMetadata | null }): Promise<void>
}

/** What a writer needs from its store. */
export interface AssistantWriterOptions {
  conversationId: string
  messageId: string
  now: () => number
  /** Minimum time between two saves while streaming. */
  streamSaveMs: number
  logger?: Logger
  /** Saves a change of the stored message. */
  save: (patch: ConversationMessagePatch) => Promise<void>
}

/** A writer for an answer already stored (empty, interrupted) as `messageId`. */
export function createAssistantWriter(o: AssistantWriterOptions): AssistantMessageWriter {
  const { conversationId, messageId, save } = o
  let content = ''
  let thinking = ''
  let thinkingStarted: number | null = null
  let thinkingMs: number | null = null
  let timer: NodeJS.Timeout | null = null
  let closed = false
  /** Thinking ends at the first answer token, or with the answer. */
  const endThinking = (): void => {
    if (thinkingStarted !== null && thinkingMs === null) thinkingMs = o.now() - thinkingStarted
  }
  const thought = (): Pick<ConversationMessagePatch, 'thinking'> =>
    thinkingStarted === null ? {} : { thinking: { text: thinking, durationMs: thinkingMs } }
  const stopTimer = (): void => {
    if (timer) clearTimeout(timer)
    timer = null
  }
  const saveSoon = (): void => {
    if (timer) return
    timer = setTimeout(() => {
      timer = null
      save({ content, ...thought() }).catch((err: unknown) =>
        o.logger?.warn(`Could not save the streaming answer: ${String(err)}`),
      )
    }, o.streamSaveMs)
  }
  return {
    conversationId,
    messageId,
    append: (text) => {
      if (closed) return
      content += text
      endThinking()
      saveSoon()
    },
    think: (text) => {
      if (closed || text === '') return
      thinkingStarted ??= o.now()
      thinking += text
      saveSoon()
    },
    finish: (metadata, finalContent) => {
      closed = true
      stopTimer()
      endThinking()
      return save({
        content: finalContent ?? content,
        metadata,
        interrupted: false,
        ...thought(),
      })
    },
    interrupt: (how) => {
      closed = true
      stopTimer()
      endThinking()
      const stopped = how
        ? { stopped: true, ...(how.metadata ? { metadata: how.metadata } : {}) }
        : {}
      return save({ content, interrupted: true, ...stopped, ...thought() })
    },
  }
}

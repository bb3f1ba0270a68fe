import type {
  ChatChunk,
  ConversationMessage,
  ResponseMetadata,
  SerializedError,
  WaitProgress,
} from '../../shared/types'
import { seamWords } from '../format'

/** A piece of a streamed answer: text, or the seam where it continued on another server. */
export type StreamPart = { kind: 'text'; text: string } | { kind: 'seam'; note: string }

/** Where an answer in flight stands. */
export type StreamStatus = 'waiting' | 'streaming' | 'done' | 'error' | 'cancelled'

/** One answer being streamed (keyed by requestId), until the stored conversation has it. */
export interface StreamState {
  requestId: string
  conversationId: string
  parts: StreamPart[]
  status: StreamStatus
  metadata: ResponseMetadata | null
  error: SerializedError | null
  /** The routing decision behind this answer, once known (event or final metadata). */
  decisionId: string | null
  /** Re-answering the last user message: the stored last answer is hidden meanwhile. */
  regenerate: boolean
  /** The user message this answers (links the routing:decision event to this stream). */
  userContent: string
  startedAt: number
  /** A thinking model's reasoning so far (shown folded), and when it started and ended (ms epoch). */
  thinking: string
  thinkingStartedAt: number | null
  thinkingEndedAt: number | null
  /** Why the answer has not started yet, as the core last explained it. */
  progress: WaitProgress | null
}

/** A fresh stream waiting for its first token. */
export function newStream(
  requestId: string,
  conversationId: string,
  init: Partial<Pick<StreamState, 'regenerate' | 'userContent' | 'startedAt'>> = {},
): StreamState {
  return {
    requestId,
    conversationId,
    parts: [],
    status: 'waiting',
    metadata: null,
    error: null,
    decisionId: null,
    regenerate: init.regenerate ?? false,
    userContent: init.userContent ?? '',
    startedAt: init.startedAt ?? Date.now(),
    thinking: '',
    thinkingStartedAt: null,
    thinkingEndedAt: null,
    progress: null,
  }
}

/**
 * Applies one chunk to a stream: tokens append, a seam splits, thinking and progress are kept beside the
 * text, done/error finish it. Pure; `now` stamps the thinking's start and end.
 */
export function applyChunkToStream(
  stream: StreamState,
  chunk: ChatChunk,
  now: number = Date.now(),
): StreamState {
  switch (chunk.kind) {
    case 'progress':
      if (isFinished(stream)) return stream
      return { ...stream, progress: chunk.progress }
    case 'thinking':
      if (isFinished(stream)) return stream
      return {
        ...stream,
        thinking: stream.thinking + chunk.text,
        thinkingStartedAt: stream.thinkingStartedAt ?? now,
        progress: null,
      }
    case 'token': {
      if (stream.status === 'done' || stream.status === 'error') return stream
      const last = stream.parts[stream.parts.length - 1]
      const parts =
        last?.kind === 'text'
          ? [...stream.parts.slice(0, -1), { kind: 'text' as const, text: last.text + chunk.text }]
          : [...stream.parts, { kind: 'text' as const, text: chunk.text }]
      return {
        ...stream,
        parts,
        status: stream.status === 'cancelled' ? 'cancelled' : 'streaming',
        progress: null,
        thinkingEndedAt:
          stream.thinkingStartedAt !== null && stream.thinkingEndedAt === null
            ? now
            : stream.thinkingEndedAt,
      }
    }
    case 'seam':
      return { ...stream, parts: [...stream.parts, { kind: 'seam', note: seamWords(chunk.note) }] }
    case 'done':
      return {
        ...stream,
        status: stream.status === 'cancelled' ? 'cancelled' : 'done',
        metadata: chunk.metadata,
        decisionId: chunk.metadata.decision_id || stream.decisionId,
      }
    case 'error':
      return {
        ...stream,
        status: stream.status === 'cancelled' ? 'cancelled' : 'error',
        error: chunk.error,
      }
  }
}

/** The streamed answer's text so far, seams left out. */
export function streamText(stream: StreamState): string {
  return stream.parts.map((p) => (p.kind === 'text' ? p.text : '')).join('')
}

/** True once the stream will get no more chunks. */
export function isFinished(stream: StreamState): boolean {
  return stream.status === 'done' || stream.status === 'error' || stream.status === 'cancelled'
}

/**
 * Whether a routing:decision belongs to the message this stream answers. The decision carries only
 * an excerpt of the prompt, so compare the common start, whitespace-normalised.
 */
export function excerptMatches(excerpt: string, content: string): boolean {
  const norm = (s: string): string => s.replace(/\s+/g, ' ').trim()
  const e = norm(excerpt).replace(/(…|\.\.\.)$/, '')
  const c = norm(content)
  if (e.length === 0) return c.length === 0
  const n = Math.min(e.length, 40)
  return c.slice(0, n) === e.slice(0, n)
}

/**
 * How far the core's clock (stored `createdAt`) may lag the renderer's `startedAt` and still count as
 * the same turn: under `serve` the page may run on another machine, and the core stores its answer
 * placeholder a moment before the renderer learns the request id.
 */
export const STREAM_CLOCK_SKEW_MS = 60_000

/**
 * Whether `m` is the core's record of the answer `stream` produces: an assistant message created
 * at or after the stream started (the core saves it at once, interrupted until it completes).
 */
export function isStoredAnswerOf(
  m: ConversationMessage | undefined,
  stream: StreamState,
): m is ConversationMessage {
  return (
    m !== undefined &&
    m.role === 'assistant' &&
    m.createdAt >= stream.startedAt - STREAM_CLOCK_SKEW_MS
  )
}

/** What the message list shows for one conversation. */
export interface ConversationDisplay {
  /** Stored messages to show, without the ones a live stream stands for. */
  messages: ConversationMessage[]
  /** Streams to show after them, oldest first. */
  streams: StreamState[]
  /** The failure of the last shown stored answer: its stream failed and the store kept that stream. */
  lastAnswerError: SerializedError | null
}

/**
 * Merges the stored conversation with its streams so each answer shows once. While a stream runs, the
 * core's stored copy of it (saved interrupted, or the old answer being regenerated) is hidden; once a
 * failed stream's answer is stored, the stored message is shown with the stream's error instead.
 * `streams` are this conversation's, in any order. Pure.
 */
export function conversationDisplay(
  stored: ConversationMessage[],
  streams: StreamState[],
): ConversationDisplay {
  const sorted = [...streams].sort((a, b) => a.startedAt - b.startedAt)
  let messages = stored
  const last = stored[stored.length - 1]
  const live = sorted.filter((st) => !isFinished(st))
  if (
    last?.role === 'assistant' &&
    live.some((st) => st.regenerate || (last.interrupted && isStoredAnswerOf(last, st)))
  ) {
    messages = stored.slice(0, -1)
  }
  let shownStreams = sorted
  let lastAnswerError: SerializedError | null = null
  const newest = sorted[sorted.length - 1]
  const tail = messages[messages.length - 1]
  if (
    newest?.status === 'error' &&
    tail?.interrupted &&
    isStoredAnswerOf(tail, newest) &&
    messages === stored
  ) {
    shownStreams = sorted.slice(0, -1)
    lastAnswerError = newest.error ?? { name: 'Error', message: 'the answer failed' }
  }
  return { messages, streams: shownStreams, lastAnswerError }
}

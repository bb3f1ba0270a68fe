import type { ChatChunk, ResponseMetadata, SerializedError } from '../../shared/types'

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
  }
}

/** Applies one chunk to a stream: tokens append, a seam splits, done/error finish it. Pure. */
export function applyChunkToStream(stream: StreamState, chunk: ChatChunk): StreamState {
  switch (chunk.kind) {
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
      }
    }
    case 'seam':
      return { ...stream, parts: [...stream.parts, { kind: 'seam', note: chunk.note }] }
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

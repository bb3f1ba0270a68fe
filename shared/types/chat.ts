import type { ReasonCode } from './reason-codes'
import type { Complexity, RoutingMode, TaskType } from './routing'

/** A tool call a model made, in Ollama's shape (arguments as an object). */
export interface ChatToolCall {
  function: { name: string; arguments: Record<string, unknown> }
}

/** A chat message in Ollama's shape. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool'
  content: string
  images?: string[]
  /** On assistant messages: the tools the model called. */
  tool_calls?: ChatToolCall[]
  /** On tool messages: which tool this result is from. */
  tool_name?: string
}

/** One try of one (model, server) pair while answering. */
export interface Attempt {
  model: string
  serverName: string
  serverUrl: string
  outcome: 'ok' | 'failed-before-first-token' | 'interrupted' | 'cancelled'
  reason: ReasonCode | null
  error: string | null
  /** Characters of answer this attempt produced. */
  chars: number
  ms: number
  /**
   * Its tokens: from its final chunk (`source: 'backend'`), or — when it broke before one — the chunks it
   * streamed (`'streamed'`: Ollama streams a token a chunk, so eval_count is those chunks and the prompt
   * count and durations, never reported, are 0). Null when it produced nothing; absent in metadata saved
   * before counts were kept.
   */
  usage?: AttemptUsage | null
}

/** Token counts and durations (nanoseconds) of an answer, named as Ollama's final chunk names them. */
export interface TokenUsage {
  prompt_eval_count: number
  eval_count: number
  total_duration: number
  load_duration: number
  prompt_eval_duration: number
  eval_duration: number
}

/** One attempt's tokens and where the numbers come from (see `Attempt.usage`). */
export interface AttemptUsage extends TokenUsage {
  source: 'backend' | 'streamed'
}

/**
 * Metadata every answer carries: the product spec's fields (snake_case, verbatim) plus ours.
 */
export interface ResponseMetadata {
  model: string
  provider: 'ollama'
  distributed_routing: boolean
  server_used: string
  complexity_level: Complexity
  used_fast_model: boolean
  server_name: string
  task_type: TaskType
  fallback: boolean
  warning: string | null
  attempts: Attempt[]
  decision_id: string
  /** True when the answer was cut mid-stream and continued on another server (a visible seam). */
  continued: boolean
  tokens_per_second: number | null
  /**
   * True when the answer's token counts (Ollama's final-chunk fields, OpenAI `usage`) add up more than one
   * attempt — an answer continued on another server; each attempt's own are in `attempts[].usage`. Absent
   * in metadata saved before counts were kept.
   */
  usage_summed?: boolean
}

/** Request to send one user message in a conversation (a new one when conversationId is null). */
export interface ChatSendRequest {
  conversationId: string | null
  content: string
  /** Override the routing mode for this message (the chat's model picker), else the global mode. */
  mode?: RoutingMode
  /** Ask for at least this tier ("regenerate with a more powerful model"). */
  minTier?: 'balanced' | 'powerful'
  /** Re-answer the last user message instead of adding a new one. */
  regenerate?: boolean
  /** Images with the message (base64, no `data:` prefix): routed only to a vision-capable model. */
  images?: string[]
  /**
   * Edit-and-resend: this user message (its id) and every later turn are replaced by `content`, which
   * is then answered; `conversations:undo-edit` brings them back. Not with `regenerate`.
   */
  editOf?: string
}

/**
 * Why an answer has not started yet, in plain words, while the executor waits for a first byte
 * (ollama-behaviour.md, "Silence is normal").
 */
export interface WaitProgress {
  phase: 'queued' | 'loading' | 'reading' | 'thinking' | 'waiting'
  model: string
  serverName: string
  /** Expected ms from now to the first token; null when unknown. */
  etaMs: number | null
  /** Our own requests ahead of this one on that model. */
  ahead: number
  /** E.g. "Loading llama3.3:70b on remote — about 25 s". */
  text: string
}

/** One streamed piece of an answer. `seam` marks where an interrupted answer continues elsewhere. */
export type ChatChunk =
  | { kind: 'token'; requestId: string; conversationId: string; text: string }
  | { kind: 'thinking'; requestId: string; conversationId: string; text: string }
  | { kind: 'progress'; requestId: string; conversationId: string; progress: WaitProgress }
  | { kind: 'seam'; requestId: string; conversationId: string; note: string }
  | { kind: 'done'; requestId: string; conversationId: string; metadata: ResponseMetadata }
  | { kind: 'error'; requestId: string; conversationId: string; error: SerializedError }

/** A message as stored in a conversation. */
export interface ConversationMessage {
  id: string
  role: 'user' | 'assistant'
  content: string
  createdAt: number
  metadata: ResponseMetadata | null
  /** An answer cut short (crash, error, cancel) and not completed. */
  interrupted: boolean
  /** An interrupted answer the person stopped (Stop, Esc), not one that broke; absent when not. */
  stopped?: boolean
  /** A thinking model's reasoning before the answer, and how long it thought (ms); absent when none. */
  thinking?: StoredThinking
  /** On user messages: the images sent with it (base64, as Ollama takes them); absent when none. */
  images?: string[]
  /**
   * On an answer that was regenerated: its earlier versions, oldest first; the message itself is the
   * newest, and what the conversation continues from. Absent when there is only one.
   */
  versions?: AnswerVersion[]
}

/** An earlier answer to the same message, kept when it was regenerated (the chat's ‹ 1/2 › switcher). */
export type AnswerVersion = Pick<
  ConversationMessage,
  'content' | 'createdAt' | 'metadata' | 'interrupted' | 'stopped' | 'thinking'
>

/** The reasoning a thinking model streamed before its answer, as saved with the answer. */
export interface StoredThinking {
  text: string
  /** From the first thinking chunk to the first answer token (or the end); null while still thinking. */
  durationMs: number | null
}

export interface Conversation {
  id: string
  title: string
  createdAt: number
  updatedAt: number
  messages: ConversationMessage[]
  /**
   * The person's instructions for this conversation, sent as the first `system` message of every
   * request in it; absent when none (and in files saved before it existed).
   */
  systemPrompt?: string
}

export interface ConversationSummary {
  id: string
  title: string
  updatedAt: number
  messageCount: number
}

/** A conversation found by `conversations:search`: where the text matched, when it did. */
export interface ConversationSearchHit extends ConversationSummary {
  /** The matching message's text around the match; null when only the title matched. */
  snippet: string | null
}

/** An error as it crosses a process boundary (style.md point 7). */
export interface SerializedError {
  name: string
  message: string
}

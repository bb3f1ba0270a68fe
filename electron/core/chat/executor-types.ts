/**
 * The executor's seams: what it reports to the registry and breaker, what one run takes and gives back, and
 * what it is built from. Kept apart from chat-executor.ts, which is the run itself.
 */
import type { Options, Tool, ToolCall } from 'ollama'
import type {
  ResponseMetadata,
  RoutingTarget,
  TimeoutsConfig,
  TokenUsage,
  WaitProgress,
} from '../../../shared/types'
import type { Logger } from '../logger'
import type { SchedulerModel } from '../scheduler/scheduler-model'
import type { GenerateMode } from './upstream-stream'

/** What the executor reports back to the server registry / circuit breaker. */
export interface ExecutionFeedback {
  requestStarted(serverId: string): void
  requestEnded(serverId: string): void
  recordSuccess(serverId: string, model: string, tokensPerSecond: number | null): void
  recordFailure(serverId: string, error: unknown): void
  /** Whether the registry knows the server is offline now (a waiting request then moves on). */
  isOffline?(serverId: string): boolean
  /**
   * Whether a request may go to the server now: a half-open breaker lets one trial through, not a
   * burst (the others go elsewhere meanwhile). Absent: always.
   */
  mayTry?(serverId: string): boolean
}

/** What the executor needs to know of a target's model beyond the decision. */
export interface TargetInfo {
  sizeBytes: number
  /** The context length a loaded runner was started with, null when unknown. */
  loadedContextLength: number | null
}

/** Options of one `ChatExecutor.run`; the Ollama request fields are passed through as given. */
export interface ChatRunOptions {
  signal?: AbortSignal
  /**
   * Each piece of answer text as it arrives. A returned promise holds the stream (backpressure: the
   * caller's own client reads slowly): the next chunk is not read from the server until it settles,
   * and the time waited does not count as the server's silence. The promise must settle (the API's
   * writer settles it within the stall limit); a cancel ends the wait too. Other return values are ignored.
   */
  onToken?(text: string): unknown
  /**
   * Tool calls as they arrive: Ollama's parser sends each call whole in one chunk as soon as it has it,
   * possibly before `done`. Each call is reported once per run: a continuation that makes the same call
   * again (same name and arguments) is not reported twice. A returned promise holds the stream too.
   */
  onToolCalls?(calls: ToolCall[]): unknown
  /** A visible note where an interrupted answer continues on another target. */
  onSeam?(note: string): void
  /** Each piece of a thinking model's reasoning as it arrives; a returned promise holds the stream too. */
  onThinking?(text: string): unknown
  /** Why the answer has not started yet (loading, queued, reading a long prompt, thinking). */
  onProgress?(progress: WaitProgress): void
  /** The pair about to deliver text, before its first piece (the headers name who really answers). */
  onTarget?(target: RoutingTarget): void
  /**
   * A structured (`format`) answer broke mid-stream and starts over on another target: what was
   * delivered so far is void (a continued JSON document would be invalid).
   */
  onRestart?(note: string): void
  options?: Partial<Options>
  format?: string | object
  keepAlive?: string | number
  think?: boolean | 'high' | 'medium' | 'low'
  tools?: Tool[]
  /**
   * Send the request upstream as /api/generate (raw, suffix, context), not as a chat; `messages`
   * then stand for its prompt (routing, prompt-size estimates, a chat-shaped continuation).
   */
  generate?: GenerateMode
}

/** A finished answer. `content` is the whole text the caller received (seam notes excluded). */
export interface ChatRunResult {
  content: string
  metadata: ResponseMetadata
  /** Reasoning text of thinking models (not passed to `onToken`). */
  thinking: string
  /** Every tool call reported to `onToolCalls`, over all attempts, in order. */
  toolCalls: ToolCall[]
  /** Ollama's `done_reason` of the final chunk (`stop`, `length`, …), null when absent. */
  doneReason: string | null
  /**
   * The backend's token counts and durations, summed over the attempts when the answer was continued on
   * another server (`metadata.usage_summed`; each attempt's own in `metadata.attempts[].usage`).
   */
  usage: TokenUsage
}

/** Options of the executor. */
export interface ChatExecutorOptions {
  feedback: ExecutionFeedback
  timeouts: () => TimeoutsConfig
  logger: Logger
  /** Predictions of the legitimate silence before a first byte (a private one when not shared). */
  scheduler?: SchedulerModel
  /** Size and loaded context of a target's model (the registry's view); null when unknown. */
  describe?(target: RoutingTarget): TargetInfo | null
  /**
   * Where a load that is not waited for goes on (absent: it is abandoned, as Ollama then aborts it):
   * `start` loads a model afresh, `adopt` keeps a request already loading it until its first chunk.
   */
  backgroundLoads?: {
    start(target: RoutingTarget): boolean
    adopt?(target: RoutingTarget, done: Promise<boolean>, abort: () => void): boolean
  } | null
}

/** The chat part of the core: the failover executor and the conversation store. */
export * from './chat-executor'
export * from './chat-errors'
export { HARD_FAILURES } from './attempt-failure'
export * from './background-loads'
export * from './silence-watch'
export * from './conversation-store'
export * from './response-metadata'
export {
  createTimedFetch,
  fetchLimits,
  ConnectTimeoutError,
  MalformedChunkError,
} from './timed-fetch'
export type { FetchLimits } from './timed-fetch'
export type { GenerateMode } from './upstream-stream'
export { outcomeOfAnswer, outcomeOfError } from './decision-outcome'
export { MessageEdits, NothingToUndoError } from './message-edits'

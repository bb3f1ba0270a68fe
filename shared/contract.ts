/**
 * The one contract for the process boundary (style.md point 2). Both transports — Electron IPC and the
 * WebSocket served by `serve` — are typed from these two maps; adding a channel is one line here, plus its
 * argument schema in electron/core/contract/request-schemas.ts (checked against these types by the
 * compiler), which both transports enforce before a handler runs.
 */
import type {
  AillmConfig,
  ChatChunk,
  ChatMessage,
  ChatSendRequest,
  ConfigIssue,
  ConfigView,
  Conversation,
  ConversationSearchHit,
  ConversationSummary,
  RoutingDecision,
  RoutingMode,
  ServerTestResult,
  ServerView,
  StorageState,
} from './types'

/** Result of a config write: saved, or refused with the problems (nothing is written then). */
export type ConfigSetResult = { ok: true; view: ConfigView } | { ok: false; issues: ConfigIssue[] }

/** Request channels: the renderer calls, the core answers. */
export interface RequestChannels {
  'servers:snapshot': () => Promise<ServerView[]>
  'servers:trust': (serverId: string) => Promise<void>
  'servers:rediscover': () => Promise<void>
  /** Probes an address once (Settings' "Test connection"), saved in the config or not. */
  'servers:test': (url: string) => Promise<ServerTestResult>
  'routing:preview': (req: {
    messages: ChatMessage[]
    mode?: RoutingMode
  }) => Promise<RoutingDecision>
  'routing:log': () => Promise<RoutingDecision[]>
  'chat:send': (req: ChatSendRequest) => Promise<{ requestId: string; conversationId: string }>
  'chat:cancel': (requestId: string) => Promise<void>
  'conversations:list': () => Promise<ConversationSummary[]>
  'conversations:get': (id: string) => Promise<Conversation | null>
  'conversations:delete': (id: string) => Promise<void>
  /** Sets a conversation's title (refused when empty or when there is no such conversation). */
  'conversations:rename': (id: string, title: string) => Promise<ConversationSummary>
  /**
   * Sets (null or blank: clears) a conversation's system prompt; with id null it starts a new
   * conversation with it. Answers the conversation as stored.
   */
  'conversations:setSystemPrompt': (
    id: string | null,
    systemPrompt: string | null,
  ) => Promise<Conversation>
  /** Conversations whose title or text contains the query, newest first. */
  'conversations:search': (query: string) => Promise<ConversationSearchHit[]>
  /**
   * Brings a conversation back to before its last edit-and-resend (`chat:send` with `editOf`), stopping
   * the answer to the edit; refused when there is none (or a message was sent since).
   */
  'conversations:undo-edit': (conversationId: string) => Promise<Conversation>
  'mode:get': () => Promise<RoutingMode>
  /** Refused when the mode names a server or model that does not exist (the message says what does). */
  'mode:set': (mode: RoutingMode) => Promise<RoutingMode>
  'config:get': () => Promise<ConfigView>
  /**
   * Replace the config with this complete value (every key present; `null` or a partial object is refused,
   * never filled in with defaults); comments in the file are kept. Invalid values answer `ok: false`.
   */
  'config:set': (config: AillmConfig) => Promise<ConfigSetResult>
  /** Whether every conversation is on disk, or how many are kept in memory because writes fail. */
  'storage:snapshot': () => Promise<StorageState>
}

/** Event channels: the core publishes, every renderer listens. */
export interface EventChannels {
  'servers:changed': (servers: ServerView[]) => void
  'routing:decision': (decision: RoutingDecision) => void
  'chat:chunk': (chunk: ChatChunk) => void
  'conversations:changed': (list: ConversationSummary[]) => void
  'mode:changed': (mode: RoutingMode) => void
  'config:changed': (view: ConfigView) => void
  /** The disk stopped (or started again) taking conversation writes, or the count kept in memory changed. */
  'storage:changed': (state: StorageState) => void
}

export type RequestChannel = keyof RequestChannels
export type EventChannel = keyof EventChannels

/** Arguments and result of a request channel. */
export type RequestArgs<C extends RequestChannel> = Parameters<RequestChannels[C]>
export type RequestResult<C extends RequestChannel> = Awaited<ReturnType<RequestChannels[C]>>
export type EventPayload<C extends EventChannel> = Parameters<EventChannels[C]>[0]

/** The typed client both transports give the renderer. */
export interface ContractClient {
  invoke<C extends RequestChannel>(channel: C, ...args: RequestArgs<C>): Promise<RequestResult<C>>
  on<C extends EventChannel>(channel: C, listener: (payload: EventPayload<C>) => void): () => void
}

/** The implementation side: what the core provides, one handler per request channel. */
export type ContractHandlers = { [C in RequestChannel]: RequestChannels[C] }

/** Names of every request channel, for transports that must validate an incoming channel name. */
export const REQUEST_CHANNELS: readonly RequestChannel[] = [
  'servers:snapshot',
  'servers:trust',
  'servers:rediscover',
  'servers:test',
  'routing:preview',
  'routing:log',
  'chat:send',
  'chat:cancel',
  'conversations:list',
  'conversations:get',
  'conversations:delete',
  'conversations:rename',
  'conversations:setSystemPrompt',
  'conversations:search',
  'conversations:undo-edit',
  'mode:get',
  'mode:set',
  'config:get',
  'config:set',
  'storage:snapshot',
] as const

export const EVENT_CHANNELS: readonly EventChannel[] = [
  'servers:changed',
  'routing:decision',
  'chat:chunk',
  'conversations:changed',
  'mode:changed',
  'config:changed',
  'storage:changed',
] as const

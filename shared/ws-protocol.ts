/**
 * The contract over a WebSocket (headless `serve`): the same channels as Electron IPC, as JSON frames on `/ws`.
 * When the API has a token, the client passes it as the `token` query parameter of the WebSocket URL.
 *
 * Liveness and flow control:
 * - The server sends a WebSocket ping every 30 s (browsers answer with a pong on their own); a client that
 *   has not answered by the next ping is disconnected. Reconnecting is the client's job.
 * - Browsers do not let a page see pings, so a server that dies silently (its machine asleep, a NAT that
 *   forgot the connection, a frozen process) would leave the page showing stale state forever. The server
 *   therefore also sends a {@link WsHeartbeatFrame} on connect and every `intervalMs` (default
 *   {@link DEFAULT_APP_HEARTBEAT_MS}); a client that reads no frame at all for
 *   {@link HEARTBEAT_TOLERANCE} × `intervalMs` takes the link as dead: it closes it, says "connection
 *   lost — reconnecting", reconnects and fetches its snapshots again.
 * - Each client's unsent data is bounded (4 MiB). A page that stops reading (a paused tab, a slow link) is
 *   not queued for without limit: once its buffer is over the bound, the events and answers meant for it
 *   are dropped until what was buffered has been written out, and then it gets one {@link WsResyncFrame}.
 *   On a resync the client fails the calls whose answers were dropped and fetches every snapshot again
 *   (servers, routing log, conversations, mode, config), exactly as after a reconnect.
 * - Each invoke's arguments are checked against the channel's schema; a bad call is answered with an error
 *   (`ContractArgumentError`) that names the argument, and the handler does not run.
 */
import type { EventChannel, EventPayload, RequestChannel } from './contract'
import type { SerializedError } from './types'

/** WebSocket path on the `serve` port. */
export const WS_PATH = '/ws'

/** Client → server: call a request channel. `id` pairs the answer with the call. */
export interface WsInvokeFrame {
  type: 'invoke'
  id: number
  channel: RequestChannel
  args: unknown[]
}

/** Server → client: the answer to one invoke. */
export type WsResultFrame =
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: SerializedError }

/** Server → client: an event on one of the event channels. */
export interface WsEventFrame<C extends EventChannel = EventChannel> {
  type: 'event'
  channel: C
  payload: EventPayload<C>
}

/**
 * Server → client: frames meant for this client were dropped because it fell behind (see above). Its state
 * may be stale: fetch the snapshots again. `droppedResults` are the ids of invokes whose answers were lost.
 */
export interface WsResyncFrame {
  type: 'resync'
  droppedEvents: number
  droppedResults: number[]
}

/** Server → client: the core is alive; the next one follows within `intervalMs` (see above). */
export interface WsHeartbeatFrame {
  type: 'heartbeat'
  intervalMs: number
}

/** Default time between two heartbeat frames. */
export const DEFAULT_APP_HEARTBEAT_MS = 10_000

/**
 * How many heartbeat intervals of silence a client waits before it takes the link as dead: more than
 * two, so one heartbeat late behind a large frame or a busy event loop is not a false alarm.
 */
export const HEARTBEAT_TOLERANCE = 2.5

export type WsServerFrame = WsResultFrame | WsEventFrame | WsResyncFrame | WsHeartbeatFrame
export type WsClientFrame = WsInvokeFrame

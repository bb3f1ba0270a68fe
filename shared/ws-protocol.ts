/**
 * The contract over a WebSocket (headless `serve`): the same channels as Electron IPC, as JSON frames on `/ws`.
 * When the API has a token, the client passes it as the `token` query parameter of the WebSocket URL.
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

export type WsServerFrame = WsResultFrame | WsEventFrame
export type WsClientFrame = WsInvokeFrame

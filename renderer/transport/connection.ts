import type { ContractClient } from '../../shared/contract'

/** Connection to the core as a tagged union (style.md point 4). */
export type ConnectionState =
  | { kind: 'connecting' }
  | { kind: 'open' }
  | {
      kind: 'reconnecting'
      attempt: number
      retryAt: number
      error: string | null
      /** The link had been open and was lost (closed, or silent past the heartbeat bound). */
      lost: boolean
    }
  | { kind: 'closed' }

/** A contract client that also reports the state of its link to the core. */
export interface TransportClient extends ContractClient {
  /** The link right now. */
  connection(): ConnectionState
  /** Called on every change of the link; returns the unsubscribe function. */
  onConnection(listener: (state: ConnectionState) => void): () => void
  /**
   * Called when the core dropped events meant for this page because it fell behind (shared/ws-protocol.ts
   * `resync`): the snapshots may be stale and must be fetched again. Returns the unsubscribe function.
   */
  onResync(listener: () => void): () => void
  /** Close for good (no reconnect). */
  dispose(): void
}

/** A typed error for a call the transport could not complete, naming the channel. */
export class TransportError extends Error {
  override name = 'TransportError'
  constructor(
    readonly channel: string,
    message: string,
  ) {
    super(`${channel}: ${message}`)
  }
}

/** An error the core answered with (`{name, message}` across the boundary), rebuilt as an Error. */
export class RemoteError extends Error {
  constructor(
    readonly channel: string,
    name: string,
    message: string,
  ) {
    super(message)
    this.name = name
  }
}

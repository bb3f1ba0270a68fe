import type { ContractClient } from '../../shared/contract'
import type { ConnectionState, TransportClient } from './connection'

/** Wraps the preload's `window.aillm` (Electron IPC): always connected while the window lives. */
export function createIpcClient(bridge: ContractClient): TransportClient {
  const open: ConnectionState = { kind: 'open' }
  return {
    invoke: (channel, ...args) => bridge.invoke(channel, ...args),
    on: (channel, listener) => bridge.on(channel, listener),
    connection: () => open,
    onConnection: () => () => undefined,
    // IPC delivers every event in order; it never falls behind.
    onResync: () => () => undefined,
    dispose: () => undefined,
  }
}

/** True when the value looks like the preload's contract client. */
export function isContractClient(value: unknown): value is ContractClient {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  return typeof v['invoke'] === 'function' && typeof v['on'] === 'function'
}

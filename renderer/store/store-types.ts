import type { StateCreator } from 'zustand/vanilla'
import type { ContractClient } from '../../shared/contract'
import type { ChatSlice } from './chat-slice'
import type { ConversationsSlice } from './conversations-slice'
import type { CoreSlice } from './core-slice'
import type { EditSlice } from './edit-slice'
import type { RoutingSlice } from './routing-slice'
import type { ServersSlice } from './servers-slice'
import type { SettingsSlice } from './settings-slice'
import type { StorageSlice } from './storage-slice'

/** The whole renderer state: one store of typed slices (style.md point 10). */
export type AppState = CoreSlice &
  ServersSlice &
  RoutingSlice &
  ChatSlice &
  ConversationsSlice &
  EditSlice &
  SettingsSlice &
  StorageSlice

/** A slice creator: gets the store's set/get and the contract client its actions call. */
export type SliceCreator<S> = (client: ContractClient) => StateCreator<AppState, [], [], S>

/** Turns any thrown value into a message for the UI. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

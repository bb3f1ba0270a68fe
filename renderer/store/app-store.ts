import { createStore } from 'zustand/vanilla'
import type { StoreApi } from 'zustand/vanilla'
import type { ContractClient } from '../../shared/contract'
import { createChatSlice } from './chat-slice'
import { createConversationsSlice } from './conversations-slice'
import { createCoreSlice } from './core-slice'
import { createEditSlice } from './edit-slice'
import { createRoutingSlice } from './routing-slice'
import { createServersSlice } from './servers-slice'
import { createSettingsSlice } from './settings-slice'
import { createStorageSlice } from './storage-slice'
import type { AppState } from './store-types'

/** The app's one store (vanilla, so the transport bridge can drive it from outside React). */
export type AppStore = StoreApi<AppState>

/** Builds the store of typed slices whose actions call the core through `client`. */
export function createAppStore(client: ContractClient): AppStore {
  return createStore<AppState>()((...a) => ({
    ...createCoreSlice(client)(...a),
    ...createServersSlice(client)(...a),
    ...createRoutingSlice(client)(...a),
    ...createChatSlice(client)(...a),
    ...createConversationsSlice(client)(...a),
    ...createEditSlice(client)(...a),
    ...createSettingsSlice(client)(...a),
    ...createStorageSlice(client)(...a),
  }))
}

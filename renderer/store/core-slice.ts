import type { RoutingMode } from '../../shared/types'
import type { ConnectionState } from '../transport/connection'
import type { SliceCreator } from './store-types'
import { messageOf } from './store-types'

/** Link to the core, first-load state and the global routing mode. */
export interface CoreSlice {
  connection: ConnectionState
  /** True once the first round of snapshots arrived. */
  loaded: boolean
  /** The last snapshot fetch failure, shown as "cannot reach the core". */
  loadError: string | null
  mode: RoutingMode | null
  modeError: string | null
  setMode(mode: RoutingMode): Promise<void>
}

/** Creates the core slice. */
export const createCoreSlice: SliceCreator<CoreSlice> = (client) => (set) => ({
  connection: { kind: 'connecting' },
  loaded: false,
  loadError: null,
  mode: null,
  modeError: null,
  async setMode(mode) {
    try {
      const applied = await client.invoke('mode:set', mode)
      set({ mode: applied, modeError: null })
    } catch (err) {
      set({ modeError: `Could not switch the mode: ${messageOf(err)}` })
    }
  },
})

import type { StorageState } from '../../shared/types'
import type { SliceCreator } from './store-types'

/** Whether the conversations are on disk, or kept in memory because the core cannot write them. */
export interface StorageSlice {
  storage: StorageState
}

/** Creates the storage slice; `saved` until the core's snapshot says otherwise. */
export const createStorageSlice: SliceCreator<StorageSlice> = () => () => ({
  storage: { kind: 'saved' },
})

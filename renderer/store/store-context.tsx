import { createContext, useContext } from 'react'
import type { ReactNode } from 'react'
import { useStore } from 'zustand'
import type { AppStore } from './app-store'
import type { AppState } from './store-types'

const StoreContext = createContext<AppStore | null>(null)

/** Makes the app store available to the views. */
export function StoreProvider({ store, children }: { store: AppStore; children: ReactNode }) {
  return <StoreContext.Provider value={store}>{children}</StoreContext.Provider>
}

/** Reads a slice of the app store; pass `useShallow(...)` for derived arrays/objects. */
export function useAppStore<T>(selector: (s: AppState) => T): T {
  const store = useContext(StoreContext)
  if (!store) throw new Error('useAppStore: no <StoreProvider> above this component')
  return useStore(store, selector)
}

/** The store itself, for event handlers that read the state at the moment they run. */
export function useAppStoreApi(): AppStore {
  const store = useContext(StoreContext)
  if (!store) throw new Error('useAppStoreApi: no <StoreProvider> above this component')
  return store
}

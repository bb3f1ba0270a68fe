import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './app'
import { createAppStore } from './store/app-store'
import { connectStore } from './store/bridge'
import { StoreProvider } from './store/store-context'
import { pickClient } from './transport/pick-client'
import './styles.css'

const client = pickClient(window as Window & { aillm?: unknown })
const store = createAppStore(client)
connectStore(store, client)

const root = document.getElementById('root')
if (root)
  createRoot(root).render(
    <StrictMode>
      <StoreProvider store={store}>
        <App />
      </StoreProvider>
    </StrictMode>,
  )

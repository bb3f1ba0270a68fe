import type { TransportClient } from './connection'
import { createIpcClient, isContractClient } from './ipc-client'
import type { WebSocketCtor } from './ws-client'
import { createWsClient, readToken, wsUrlFor } from './ws-client'

/**
 * Picks the transport for this page: the preload's `window.aillm` inside Electron, else the
 * WebSocket of `serve` on the page's own origin. The rest of the renderer never knows which.
 */
export function pickClient(win: Window & { aillm?: unknown }): TransportClient {
  if (isContractClient(win.aillm)) return createIpcClient(win.aillm)
  let storage: Storage | null = null
  try {
    storage = win.sessionStorage
  } catch {
    storage = null
  }
  const token = readToken(win.location, storage)
  stripTokenFromUrl(win)
  return createWsClient({
    url: wsUrlFor(win.location, token),
    WebSocket: (win as unknown as { WebSocket: WebSocketCtor }).WebSocket,
  })
}

// The token must not linger in the address bar, history or screenshots once it is kept in sessionStorage.
function stripTokenFromUrl(win: Window): void {
  const { hash, search, pathname } = win.location
  const query = new URLSearchParams(search)
  const hadQuery = query.has('token')
  query.delete('token')
  const tokenHash = /(^#\/?|&)token=/.test(hash)
  if (!hadQuery && !tokenHash) return
  const rest = query.toString()
  const newHash = tokenHash ? '#/dashboard' : hash
  win.history.replaceState(null, '', `${pathname}${rest ? `?${rest}` : ''}${newHash}`)
}

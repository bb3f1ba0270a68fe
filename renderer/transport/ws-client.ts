import type {
  EventChannel,
  EventPayload,
  RequestArgs,
  RequestChannel,
  RequestResult,
} from '../../shared/contract'
import { EVENT_CHANNELS } from '../../shared/contract'
import type { WsInvokeFrame, WsServerFrame } from '../../shared/ws-protocol'
import { DEFAULT_APP_HEARTBEAT_MS, HEARTBEAT_TOLERANCE, WS_PATH } from '../../shared/ws-protocol'
import type { ConnectionState, TransportClient } from './connection'
import { RemoteError, TransportError } from './connection'

/** The part of the WebSocket API we use: the browser's and `ws`'s both fit. */
export interface WebSocketLike {
  readonly readyState: number
  send(data: string): void
  close(code?: number, reason?: string): void
  addEventListener(
    type: 'open' | 'close' | 'error' | 'message',
    listener: (ev: unknown) => void,
  ): void
}

/** A WebSocket constructor (the browser global, or `ws` injected in Node tests). */
export type WebSocketCtor = new (url: string) => WebSocketLike

/** Options of the WebSocket transport. */
export interface WsClientOptions {
  /** Full ws:// or wss:// URL, token already included. */
  url: string
  WebSocket: WebSocketCtor
  /** Delay before reconnect attempt `attempt` (1-based); default 0.5 s doubling, capped at 10 s. */
  backoffMs?: (attempt: number) => number
  now?: () => number
  /**
   * The core's heartbeat interval until its first heartbeat frame says it (shared/ws-protocol.ts);
   * default {@link DEFAULT_APP_HEARTBEAT_MS}. No frame for {@link HEARTBEAT_TOLERANCE} times it = dead.
   */
  heartbeatMs?: number
}

const OPEN = 1

/** Why the link is dropped when the core fell silent (no frame, not even a heartbeat, within the bound). */
export function silentCoreMessage(silentMs: number): string {
  return `connection lost: no word from the core for ${(silentMs / 1000).toFixed(1)} s`
}

/** Why a call fails when the core dropped its answer (this page fell behind; see ws-protocol.ts). */
export const RESULT_DROPPED =
  'the core dropped the answer because this page fell behind in reading; try again'

/** Default reconnect backoff: 0.5 s, 1 s, 2 s … capped at 10 s. */
export function defaultBackoffMs(attempt: number): number {
  return Math.min(10_000, 500 * 2 ** Math.max(0, attempt - 1))
}

/**
 * Builds the contract's WebSocket URL for this page (`serve` serves page and socket on one origin).
 * The token, when there is one, goes in the `token` query parameter.
 */
export function wsUrlFor(
  location: { protocol: string; host: string },
  token: string | null,
): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  const query = token ? `?token=${encodeURIComponent(token)}` : ''
  return `${scheme}//${location.host}${WS_PATH}${query}`
}

/**
 * Reads the API token from the page URL (`#token=…` or `?token=…`), falling back to sessionStorage,
 * and keeps it there so a reload after the URL was cleaned still has it.
 */
export function readToken(
  location: { hash: string; search: string },
  storage: Pick<Storage, 'getItem' | 'setItem'> | null,
): string | null {
  const fromHash = new URLSearchParams(location.hash.replace(/^#\/?/, '')).get('token')
  const fromQuery = new URLSearchParams(location.search).get('token')
  const found = fromHash ?? fromQuery
  if (found) {
    storage?.setItem('aillm.token', found)
    return found
  }
  return storage?.getItem('aillm.token') ?? null
}

interface Pending {
  channel: RequestChannel
  /** Whether the frame went out on a socket; only those can be lost with it (unsent ones stay queued). */
  sent: boolean
  resolve: (value: unknown) => void
  reject: (err: Error) => void
}

/**
 * The contract over a WebSocket (headless `serve`), reconnecting with backoff when the socket drops.
 * Calls made while disconnected wait for the next connection; calls in flight when it drops fail
 * (the core may or may not have run them, so they are never resent silently).
 */
export function createWsClient(opts: WsClientOptions): TransportClient {
  const backoff = opts.backoffMs ?? defaultBackoffMs
  const now = opts.now ?? Date.now
  const listeners = new Map<EventChannel, Set<(payload: never) => void>>()
  const connectionListeners = new Set<(s: ConnectionState) => void>()
  const resyncListeners = new Set<() => void>()
  const pending = new Map<number, Pending>()
  const queued: WsInvokeFrame[] = []
  let nextId = 1
  let socket: WebSocketLike | null = null
  let state: ConnectionState = { kind: 'connecting' }
  let attempt = 0
  let retryTimer: ReturnType<typeof setTimeout> | null = null
  let disposed = false
  /** The core's heartbeat interval, as its heartbeat frames say. */
  let heartbeatMs = opts.heartbeatMs ?? DEFAULT_APP_HEARTBEAT_MS
  /** Fires when the open socket has been silent for too long (re-armed by every frame). */
  let silenceTimer: ReturnType<typeof setTimeout> | null = null
  /** Whether a link was ever open: a drop after that is a lost connection, not a dial that failed. */
  let everOpen = false

  const setState = (s: ConnectionState): void => {
    state = s
    for (const l of [...connectionListeners]) l(s)
  }

  /** Rejects the calls in flight; with `onlySent`, calls still queued keep waiting for a connection. */
  const failPending = (message: string, onlySent: boolean): void => {
    for (const [id, p] of pending) {
      if (onlySent && !p.sent) continue
      pending.delete(id)
      p.reject(new TransportError(p.channel, message))
    }
  }

  const sendFrame = (ws: WebSocketLike, frame: WsInvokeFrame): void => {
    const p = pending.get(frame.id)
    if (p) p.sent = true
    ws.send(JSON.stringify(frame))
  }

  const handleFrame = (raw: unknown): void => {
    let frame: WsServerFrame
    try {
      frame = JSON.parse(typeof raw === 'string' ? raw : String(raw)) as WsServerFrame
    } catch {
      console.warn('AILLM: ignoring a WebSocket frame that is not JSON')
      return
    }
    if (frame.type === 'result') {
      const p = pending.get(frame.id)
      if (!p) return
      pending.delete(frame.id)
      if (frame.ok) p.resolve(frame.value)
      else p.reject(new RemoteError(p.channel, frame.error.name, frame.error.message))
    } else if (frame.type === 'event') {
      if (!EVENT_CHANNELS.includes(frame.channel)) return
      for (const l of [...(listeners.get(frame.channel) ?? [])]) {
        try {
          l(frame.payload as never)
        } catch (err) {
          console.error(`AILLM: listener of ${frame.channel} failed`, err)
        }
      }
    } else if (frame.type === 'resync') {
      applyResync(frame.droppedResults)
    } else if (frame.type === 'heartbeat') {
      if (typeof frame.intervalMs === 'number' && frame.intervalMs > 0)
        heartbeatMs = frame.intervalMs
    }
  }

  const stopSilenceWatch = (): void => {
    if (silenceTimer !== null) clearTimeout(silenceTimer)
    silenceTimer = null
  }

  /**
   * (Re)arms the watch on the socket: any frame proves the core alive. Browsers hide WebSocket pings
   * from pages, so a core that died without closing the TCP connection is only noticed this way. Armed
   * from the dial on, so a handshake that is never answered (the same dead core) is given up too.
   */
  const watchSilence = (ws: WebSocketLike, opened: boolean): void => {
    stopSilenceWatch()
    const bound = heartbeatMs * HEARTBEAT_TOLERANCE
    silenceTimer = setTimeout(() => {
      silenceTimer = null
      if (socket !== ws) return
      // Forget the socket first: its close event (which may take long on a dead link) is then ignored.
      socket = null
      failPending('disconnected from the core before it answered', true)
      ws.close()
      scheduleReconnect(
        opened
          ? silentCoreMessage(bound)
          : `no answer from the core within ${(bound / 1000).toFixed(1)} s`,
        everOpen,
      )
    }, bound)
  }

  /** The core dropped frames for us: calls whose answers were lost fail, the store fetches again. */
  const applyResync = (droppedResults: unknown): void => {
    for (const id of Array.isArray(droppedResults) ? droppedResults : []) {
      const p = pending.get(id as number)
      if (!p) continue
      pending.delete(id as number)
      p.reject(new TransportError(p.channel, RESULT_DROPPED))
    }
    for (const l of [...resyncListeners]) {
      try {
        l()
      } catch (err) {
        console.error('AILLM: resync listener failed', err)
      }
    }
  }

  const scheduleReconnect = (error: string | null, lost: boolean): void => {
    if (disposed) return
    attempt += 1
    const delay = backoff(attempt)
    setState({ kind: 'reconnecting', attempt, retryAt: now() + delay, error, lost })
    retryTimer = setTimeout(connect, delay)
  }

  function connect(): void {
    retryTimer = null
    if (disposed) return
    let ws: WebSocketLike
    try {
      ws = new opts.WebSocket(opts.url)
    } catch (err) {
      scheduleReconnect(err instanceof Error ? err.message : String(err), everOpen)
      return
    }
    socket = ws
    watchSilence(ws, false)
    let lastError: string | null = null
    ws.addEventListener('open', () => {
      if (socket !== ws) return
      attempt = 0
      everOpen = true
      setState({ kind: 'open' })
      watchSilence(ws, true)
      for (const frame of queued.splice(0)) sendFrame(ws, frame)
    })
    ws.addEventListener('message', (ev) => {
      if (socket !== ws) return
      handleFrame((ev as { data: unknown }).data)
      // After the frame: a heartbeat may just have told the interval.
      if (socket === ws) watchSilence(ws, true)
    })
    ws.addEventListener('error', (ev) => {
      const message = (ev as { message?: unknown }).message
      lastError = typeof message === 'string' ? message : 'connection error'
    })
    ws.addEventListener('close', () => {
      if (socket !== ws) return
      socket = null
      stopSilenceWatch()
      failPending('disconnected from the core before it answered', true)
      if (disposed) setState({ kind: 'closed' })
      else scheduleReconnect(lastError, everOpen)
    })
  }

  connect()

  return {
    invoke<C extends RequestChannel>(channel: C, ...args: RequestArgs<C>) {
      if (disposed) return Promise.reject(new TransportError(channel, 'the client was closed'))
      const frame: WsInvokeFrame = { type: 'invoke', id: nextId++, channel, args }
      return new Promise<RequestResult<C>>((resolve, reject) => {
        pending.set(frame.id, {
          channel,
          sent: false,
          resolve: resolve as (v: unknown) => void,
          reject,
        })
        if (socket && socket.readyState === OPEN) sendFrame(socket, frame)
        else queued.push(frame)
      })
    },
    on<C extends EventChannel>(channel: C, listener: (payload: EventPayload<C>) => void) {
      let set = listeners.get(channel)
      if (!set) listeners.set(channel, (set = new Set()))
      const l = listener as (payload: never) => void
      set.add(l)
      return () => {
        set.delete(l)
      }
    },
    connection: () => state,
    onConnection(listener) {
      connectionListeners.add(listener)
      return () => {
        connectionListeners.delete(listener)
      }
    },
    onResync(listener) {
      resyncListeners.add(listener)
      return () => {
        resyncListeners.delete(listener)
      }
    },
    dispose() {
      if (disposed) return
      disposed = true
      if (retryTimer) clearTimeout(retryTimer)
      stopSilenceWatch()
      queued.length = 0
      failPending('the client was closed', false)
      const ws = socket
      socket = null
      ws?.close()
      setState({ kind: 'closed' })
    },
  }
}

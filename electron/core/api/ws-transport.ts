/**
 * The contract over a WebSocket for the web UI under `serve` (shared/ws-protocol.ts): the same handlers
 * and events as Electron IPC, every call's arguments checked the same way (core/contract/).
 *
 * Every client also gets an app-level heartbeat frame on connect and every `appHeartbeatMs`, which the
 * page can see (it cannot see pings): a page that hears nothing for 2.5 intervals reconnects.
 *
 * Two guards keep a page that stops reading from costing the core memory:
 * - a heartbeat: every `heartbeatMs` each client is pinged (a WebSocket ping, which browsers answer on
 *   their own); one that has not answered the previous ping by then is dropped;
 * - a bounded outgoing queue: once a client's socket holds more than `maxBufferedBytes` unsent, frames for
 *   it are dropped (not queued) until what is buffered has been written out; it then gets one `resync`
 *   frame and fetches its snapshots again. So the buffer stays within the bound plus one frame.
 */
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import {
  EVENT_CHANNELS,
  REQUEST_CHANNELS,
  type ContractHandlers,
  type EventChannel,
  type EventPayload,
  type RequestChannel,
} from '../../../shared/contract'
import { serializeError } from '../../../shared/types'
import {
  DEFAULT_APP_HEARTBEAT_MS,
  type WsResultFrame,
  type WsServerFrame,
} from '../../../shared/ws-protocol'
import { invokeChecked } from '../contract/contract-call'
import type { Disposable } from '../emitter'

/** What the WebSocket transport needs of the core. */
export interface WsCore {
  handlers: ContractHandlers
  on<C extends EventChannel>(channel: C, listener: (payload: EventPayload<C>) => void): Disposable
  /** Where dropped and lagging clients are reported (the core's logger). */
  logger?: { warn(message: string): void }
}

/** Tunables of the transport; the defaults suit a browser tab on the LAN. */
export interface WsTransportOptions {
  /** Time between pings; a client silent for one whole interval after a ping is dropped. */
  heartbeatMs?: number
  /** Unsent bytes a client may have before frames for it are dropped and a resync follows. */
  maxBufferedBytes?: number
  /** Time between two heartbeat frames (the page's liveness check); default 10 s. */
  appHeartbeatMs?: number
}

/** Default ping interval: a dead page is dropped within 30–60 s. */
export const DEFAULT_HEARTBEAT_MS = 30_000
/** Default bound of one client's unsent bytes. */
export const DEFAULT_MAX_BUFFERED_BYTES = 4 * 1024 * 1024

const MAX_FRAME_BYTES = 1024 * 1024

/** What the transport knows of one client (also its diagnostics, see {@link WsTransport.clients}). */
export interface WsClientStats {
  /** Bytes written to the socket and not yet handed to the OS. */
  bufferedBytes: number
  /** Frames are being dropped for it until its buffer drains. */
  behind: boolean
  /** Events and answers dropped since its last resync. */
  droppedEvents: number
  droppedResults: number
}

interface ClientState {
  /** Answered (or spoke) since the last ping. */
  alive: boolean
  behind: boolean
  droppedEvents: number
  droppedResults: number[]
  /** Writes not yet flushed; when it reaches 0 while behind, the resync goes out. */
  writesInFlight: number
}

/** Parses and checks one client frame; returns an error text for a bad one. */
export function parseInvokeFrame(
  raw: string,
): { id: number; channel: RequestChannel; args: unknown[] } | { error: string; id: number } {
  let frame: unknown
  try {
    frame = JSON.parse(raw)
  } catch {
    return { error: 'frame is not valid JSON', id: -1 }
  }
  const f = (frame ?? {}) as { type?: unknown; id?: unknown; channel?: unknown; args?: unknown }
  const id = typeof f.id === 'number' && Number.isInteger(f.id) ? f.id : -1
  if (f.type !== 'invoke') return { error: `unknown frame type ${JSON.stringify(f.type)}`, id }
  if (id < 0) return { error: 'frame needs an integer "id"', id }
  if (typeof f.channel !== 'string' || !REQUEST_CHANNELS.includes(f.channel as RequestChannel)) {
    return { error: `unknown channel ${JSON.stringify(f.channel)}`, id }
  }
  if (!Array.isArray(f.args)) return { error: '"args" must be an array', id }
  return { id, channel: f.channel as RequestChannel, args: f.args }
}

/** Serves the contract on WebSocket upgrades; `accept` runs the same guard as HTTP requests. */
export class WsTransport {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES })
  private readonly subscriptions: Disposable[] = []
  private readonly state = new Map<WebSocket, ClientState>()
  private readonly maxBuffered: number
  private readonly heartbeatMs: number
  private readonly heartbeat: ReturnType<typeof setInterval>
  private readonly appHeartbeatMs: number
  private readonly appHeartbeat: ReturnType<typeof setInterval>

  constructor(
    private readonly core: WsCore,
    opts: WsTransportOptions = {},
  ) {
    this.heartbeatMs = positive(opts.heartbeatMs, DEFAULT_HEARTBEAT_MS, 'heartbeatMs')
    this.maxBuffered = positive(
      opts.maxBufferedBytes,
      DEFAULT_MAX_BUFFERED_BYTES,
      'maxBufferedBytes',
    )
    for (const channel of EVENT_CHANNELS) {
      this.subscriptions.push(
        core.on(channel, (payload) => this.broadcast({ type: 'event', channel, payload })),
      )
    }
    this.wss.on('connection', (socket) => this.attach(socket))
    this.heartbeat = setInterval(() => this.beat(), this.heartbeatMs)
    this.heartbeat.unref()
    this.appHeartbeatMs = positive(opts.appHeartbeatMs, DEFAULT_APP_HEARTBEAT_MS, 'appHeartbeatMs')
    this.appHeartbeat = setInterval(() => {
      for (const socket of this.state.keys()) this.sendHeartbeat(socket)
    }, this.appHeartbeatMs)
    this.appHeartbeat.unref()
  }

  /** Completes an upgrade the HTTP server has already vetted. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req))
  }

  get clientCount(): number {
    return this.wss.clients.size
  }

  /** Each open client's buffer and lag, for diagnostics and tests. */
  clients(): WsClientStats[] {
    return [...this.state].map(([socket, s]) => ({
      bufferedBytes: socket.bufferedAmount,
      behind: s.behind,
      droppedEvents: s.droppedEvents,
      droppedResults: s.droppedResults.length,
    }))
  }

  private attach(socket: WebSocket): void {
    const state: ClientState = {
      alive: true,
      behind: false,
      droppedEvents: 0,
      droppedResults: [],
      writesInFlight: 0,
    }
    this.state.set(socket, state)
    socket.on('pong', () => (state.alive = true))
    socket.on('message', (data) => {
      state.alive = true
      void this.onMessage(socket, data.toString())
    })
    socket.on('close', () => this.state.delete(socket))
    socket.on('error', () => socket.terminate())
    // At once, so the page knows the interval (and so the bound) before the first one is due.
    this.sendHeartbeat(socket)
  }

  /**
   * One heartbeat frame, unless the client is behind: then it is not reading anyway, and what it finds
   * once it reads again (the buffered frames, the resync) proves the core alive just as well.
   */
  private sendHeartbeat(socket: WebSocket): void {
    const state = this.state.get(socket)
    if (!state || state.behind || socket.bufferedAmount > this.maxBuffered) return
    const frame: WsServerFrame = { type: 'heartbeat', intervalMs: this.appHeartbeatMs }
    this.send(socket, JSON.stringify(frame), null)
  }

  /** Drops the clients that did not answer the last ping, and pings the rest. */
  private beat(): void {
    for (const [socket, state] of this.state) {
      // Behind with nothing of ours unflushed (only pings were buffered): it has caught up.
      if (state.behind && state.writesInFlight === 0) this.resync(socket, state)
      if (!state.alive) {
        this.core.logger?.warn(
          `WebSocket client dropped: no answer to a ping within ${this.heartbeatMs} ms`,
        )
        this.state.delete(socket)
        socket.terminate()
        continue
      }
      state.alive = false
      if (socket.readyState === socket.OPEN) socket.ping()
    }
  }

  private async onMessage(socket: WebSocket, raw: string): Promise<void> {
    const parsed = parseInvokeFrame(raw)
    let answer: WsResultFrame
    if ('error' in parsed) {
      answer = {
        type: 'result',
        id: parsed.id,
        ok: false,
        error: { name: 'ProtocolError', message: parsed.error },
      }
    } else {
      try {
        const value = await invokeChecked(this.core.handlers, parsed.channel, parsed.args)
        answer = { type: 'result', id: parsed.id, ok: true, value: value ?? null }
      } catch (err) {
        answer = { type: 'result', id: parsed.id, ok: false, error: serializeError(err) }
      }
    }
    this.send(socket, JSON.stringify(answer), answer.id)
  }

  /**
   * Sends one frame unless the client is behind; `resultId` marks an answer (its id is reported in
   * the resync so the client can fail that call instead of waiting for it forever).
   */
  private send(socket: WebSocket, text: string, resultId: number | null): void {
    const state = this.state.get(socket)
    if (!state || socket.readyState !== socket.OPEN) return
    if (state.behind || socket.bufferedAmount > this.maxBuffered) {
      if (!state.behind) {
        state.behind = true
        this.core.logger?.warn(
          `WebSocket client fell behind (${socket.bufferedAmount} bytes unsent): ` +
            'dropping its frames until it catches up, then sending a resync',
        )
      }
      if (resultId === null) state.droppedEvents += 1
      else state.droppedResults.push(resultId)
      return
    }
    state.writesInFlight += 1
    socket.send(text, () => {
      state.writesInFlight -= 1
      if (state.behind && state.writesInFlight === 0) this.resync(socket, state)
    })
  }

  /** The client read what was buffered: tell it what it missed so it fetches its snapshots again. */
  private resync(socket: WebSocket, state: ClientState): void {
    if (socket.readyState !== socket.OPEN || this.state.get(socket) !== state) return
    const frame: WsServerFrame = {
      type: 'resync',
      droppedEvents: state.droppedEvents,
      droppedResults: state.droppedResults,
    }
    state.behind = false
    state.droppedEvents = 0
    state.droppedResults = []
    this.send(socket, JSON.stringify(frame), null)
  }

  private broadcast(frame: WsServerFrame): void {
    // No page open: skip the serialisation (a decision's candidates are only built when read).
    if (this.state.size === 0) return
    const text = JSON.stringify(frame)
    for (const socket of this.state.keys()) this.send(socket, text, null)
  }

  /** Closes every socket and stops forwarding events. */
  close(): void {
    clearInterval(this.heartbeat)
    clearInterval(this.appHeartbeat)
    for (const d of this.subscriptions) d()
    for (const client of this.wss.clients) client.close(1001, 'server shutting down')
    this.wss.close()
  }
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`WsTransport ${name} must be a number greater than 0, got ${value}`)
  }
  return value
}

/**
 * The contract over a WebSocket for the web UI under `serve` (shared/ws-protocol.ts): the same handlers
 * and events as Electron IPC, every call's arguments checked the same way (core/contract/).
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
import type { WsResultFrame, WsServerFrame } from '../../../shared/ws-protocol'
import { invokeChecked } from '../contract/contract-call'
import type { Disposable } from '../emitter'

/** What the WebSocket transport needs of the core. */
export interface WsCore {
  handlers: ContractHandlers
  on<C extends EventChannel>(channel: C, listener: (payload: EventPayload<C>) => void): Disposable
}

const MAX_FRAME_BYTES = 1024 * 1024

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
  const f = frame as { type?: unknown; id?: unknown; channel?: unknown; args?: unknown }
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

  constructor(private readonly core: WsCore) {
    for (const channel of EVENT_CHANNELS) {
      this.subscriptions.push(
        core.on(channel, (payload) => this.broadcast({ type: 'event', channel, payload })),
      )
    }
    this.wss.on('connection', (socket) => this.attach(socket))
  }

  /** Completes an upgrade the HTTP server has already vetted. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req))
  }

  get clientCount(): number {
    return this.wss.clients.size
  }

  private attach(socket: WebSocket): void {
    socket.on('message', (data) => void this.onMessage(socket, data.toString()))
    socket.on('error', () => socket.terminate())
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
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(answer))
  }

  private broadcast(frame: WsServerFrame): void {
    // No page open: skip the serialisation (a decision's candidates are only built when read).
    if (this.wss.clients.size === 0) return
    const text = JSON.stringify(frame)
    for (const client of this.wss.clients) {
      if (client.readyState === client.OPEN) client.send(text)
    }
  }

  /** Closes every socket and stops forwarding events. */
  close(): void {
    for (const d of this.subscriptions) d()
    for (const client of this.wss.clients) client.close(1001, 'server shutting down')
    this.wss.close()
  }
}

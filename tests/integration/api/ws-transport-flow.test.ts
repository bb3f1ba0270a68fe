/**
 * The WebSocket transport under a page that stops reading or dies (issue 13, item 2), over real sockets on
 * 127.0.0.1: a paused client's unsent data stays within the bound (frames for it are dropped, not queued)
 * and it gets a resync when it reads again; a client that never answers a ping is dropped; every client
 * gets the app-level heartbeat frames a page can see (pings it cannot).
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import type { EventChannel, EventPayload } from '../../../shared/contract'
import type { ServerView } from '../../../shared/types'
import type { WsResyncFrame, WsServerFrame } from '../../../shared/ws-protocol'
import {
  WsTransport,
  type WsCore,
  type WsTransportOptions,
} from '../../../electron/core/api/ws-transport'
import { Emitter } from '../../../electron/core/emitter'
import { createMemoryLogger } from '../../../electron/core/logger'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/**
 * The transport on a real HTTP server, in front of a core whose events the test fires (real emitters)
 * and whose handlers answer at once.
 */
async function startTransport(opts: WsTransportOptions) {
  const emitters = new Map<EventChannel, Emitter<unknown>>()
  const logger = createMemoryLogger('DEBUG')
  const core = {
    handlers: { 'mode:get': async () => ({ kind: 'auto' }) },
    on: <C extends EventChannel>(channel: C, listener: (payload: EventPayload<C>) => void) => {
      let e = emitters.get(channel)
      if (!e) emitters.set(channel, (e = new Emitter<unknown>()))
      return e.event(listener as (p: unknown) => void)
    },
    logger,
  } as unknown as WsCore
  const transport = new WsTransport(core, opts)
  const server: Server = createServer((_req, res) => res.writeHead(404).end())
  server.on('upgrade', (req, socket, head) => transport.handleUpgrade(req, socket, head))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`
  cleanups.push(() => {
    transport.close()
    server.closeAllConnections()
    return new Promise((r) => server.close(r))
  })
  const fire = (servers: unknown) => emitters.get('servers:changed')?.fire(servers)
  return { transport, url, fire, logger }
}

/** A client on a real socket, recording every frame it reads (heartbeats apart from the rest). */
async function connect(url: string, opts: { autoPong?: boolean } = {}) {
  const ws = new WebSocket(url, { autoPong: opts.autoPong ?? true })
  const frames: WsServerFrame[] = []
  const heartbeats: number[] = []
  ws.on('message', (raw) => {
    const frame = JSON.parse(String(raw)) as WsServerFrame
    if (frame.type === 'heartbeat') heartbeats.push(Date.now())
    else frames.push(frame)
  })
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
  cleanups.push(() => ws.terminate())
  const socket = (ws as unknown as { _socket: Socket })._socket
  return { ws, frames, heartbeats, socket }
}

const until = async (cond: () => boolean, ms = 10_000, what = 'condition') => {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what} not met in ${ms} ms`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** Lets the server's sockets write what they can. */
const turn = () => new Promise((r) => setImmediate(r))

/** A servers:changed payload of about `bytes` of JSON. */
const bigSnapshot = (n: number, bytes: number) =>
  [{ id: `s${n}`, name: 'x'.repeat(bytes) }] as unknown as ServerView[]

const BOUND = 256 * 1024
const FRAME = 64 * 1024

describe('a page that stops reading', () => {
  it('keeps the server’s unsent data for it within the bound, then resyncs it when it reads again', async () => {
    // A heartbeat far off: a paused page would not answer pings, and this test is about the queue.
    const { transport, url, fire, logger } = await startTransport({
      maxBufferedBytes: BOUND,
      heartbeatMs: 600_000,
    })
    const client = await connect(url)
    client.socket.pause()

    // Fill the OS buffers and ours: a bounded number of events, so a transport without a bound
    // fails the check below instead of running out of memory.
    let fired = 0
    let maxBuffered = 0
    const fireSome = async (count: number) => {
      for (let i = 0; i < count; i++) {
        fire(bigSnapshot(fired++, FRAME))
        await turn()
        maxBuffered = Math.max(maxBuffered, transport.clients()[0]?.bufferedBytes ?? 0)
      }
    }
    while (!transport.clients()[0]?.behind && fired < 600) await fireSome(1)
    // Keep going well past the point where it fell behind: nothing more may pile up.
    await fireSome(100)
    const stats = transport.clients()[0]
    expect(maxBuffered).toBeLessThanOrEqual(BOUND + FRAME + 1024)
    expect(stats?.behind).toBe(true)
    expect(stats?.droppedEvents).toBeGreaterThanOrEqual(100)

    // An invoke sent while behind: its answer is dropped too, and the resync names it.
    client.ws.send(JSON.stringify({ type: 'invoke', id: 7, channel: 'mode:get', args: [] }))
    await until(() => (transport.clients()[0]?.droppedResults ?? 0) === 1, 10_000, 'answer dropped')

    const dropped = transport.clients()[0]?.droppedEvents ?? 0
    client.socket.resume()
    await until(() => client.frames.some((f) => f.type === 'resync'), 10_000, 'resync received')
    const resync = client.frames.find((f): f is WsResyncFrame => f.type === 'resync')
    expect(resync).toEqual({ type: 'resync', droppedEvents: dropped, droppedResults: [7] })
    // What arrived before the resync is what was written before it fell behind; nothing of the rest.
    const before = client.frames.indexOf(resync!)
    expect(before).toBe(fired - dropped)
    expect(transport.clients()[0]).toMatchObject({ behind: false, droppedEvents: 0 })
    expect(logger.records.some((r) => r.message.includes('fell behind'))).toBe(true)

    // Caught up: events flow again, and answers too.
    fire(bigSnapshot(-1, 10))
    client.ws.send(JSON.stringify({ type: 'invoke', id: 8, channel: 'mode:get', args: [] }))
    await until(() => client.frames.length >= before + 3, 10_000, 'frames after the resync')
    expect(client.frames.slice(before + 1)).toEqual([
      { type: 'event', channel: 'servers:changed', payload: bigSnapshot(-1, 10) },
      { type: 'result', id: 8, ok: true, value: { kind: 'auto' } },
    ])
  })

  it('only the paused page falls behind: a page that reads gets every event', async () => {
    const { transport, url, fire } = await startTransport({
      maxBufferedBytes: BOUND,
      heartbeatMs: 600_000,
    })
    const paused = await connect(url)
    const reading = await connect(url)
    paused.socket.pause()
    let fired = 0
    while (!transport.clients().some((c) => c.behind) && fired < 600) {
      fire(bigSnapshot(fired++, FRAME))
      await turn()
    }
    await until(() => reading.frames.length === fired, 10_000, 'the reading page got every event')
    expect(transport.clients().filter((c) => c.behind)).toHaveLength(1)
  })
})

describe('heartbeat', () => {
  it('drops a client that does not answer pings, and keeps one that does', async () => {
    // Long enough that the live client's pong is read before the next beat even on a busy machine.
    const { transport, url, logger } = await startTransport({ heartbeatMs: 500 })
    const dead = await connect(url, { autoPong: false })
    const alive = await connect(url)
    let deadClosed = false
    dead.ws.on('close', () => (deadClosed = true))
    await until(() => deadClosed, 10_000, 'the silent client dropped')
    expect(transport.clientCount).toBe(1)
    expect(alive.ws.readyState).toBe(WebSocket.OPEN)
    expect(logger.records.filter((r) => r.message.includes('no answer to a ping'))).toHaveLength(1)
    // Several more intervals: the one that answers stays.
    const pings = { n: 0 }
    alive.ws.on('ping', () => (pings.n += 1))
    await until(() => pings.n >= 3, 10_000, 'three more pings')
    expect(alive.ws.readyState).toBe(WebSocket.OPEN)
    expect(transport.clientCount).toBe(1)
  })

  it('sends every client a heartbeat frame on connect and then every interval (pages cannot see pings)', async () => {
    const { url } = await startTransport({ appHeartbeatMs: 150, heartbeatMs: 600_000 })
    const opened = Date.now()
    const client = await connect(url)
    await until(() => client.heartbeats.length >= 5, 10_000, 'five heartbeats')
    // The first at once (it tells the page the interval), then one per interval.
    expect(client.heartbeats[0]! - opened).toBeLessThan(150)
    const gaps = client.heartbeats.slice(1).map((t, i) => t - client.heartbeats[i]!)
    for (const gap of gaps.slice(1)) expect(gap).toBeLessThan(150 * 2)
    expect(client.frames).toEqual([])
    client.ws.removeAllListeners('message')
    const raw = await new Promise<string>((r) => client.ws.once('message', (d) => r(String(d))))
    expect(JSON.parse(raw)).toEqual({ type: 'heartbeat', intervalMs: 150 })
  })

  it('a paused page gets no heartbeats queued for it, and none counted as dropped events', async () => {
    const { transport, url, fire } = await startTransport({
      maxBufferedBytes: BOUND,
      heartbeatMs: 600_000,
      appHeartbeatMs: 20,
    })
    const client = await connect(url)
    client.socket.pause()
    let fired = 0
    while (!transport.clients()[0]?.behind && fired < 600) {
      fire(bigSnapshot(fired++, FRAME))
      await turn()
    }
    const dropped = transport.clients()[0]?.droppedEvents
    // Many heartbeat intervals while behind: nothing more is buffered or counted for it.
    const buffered = transport.clients()[0]?.bufferedBytes ?? 0
    await new Promise((r) => setTimeout(r, 300))
    expect(transport.clients()[0]?.droppedEvents).toBe(dropped)
    expect(transport.clients()[0]?.bufferedBytes).toBeLessThanOrEqual(buffered)
  })

  it('refuses an interval that is not a positive number', () => {
    const core = { handlers: {}, on: () => () => undefined } as unknown as WsCore
    expect(() => new WsTransport(core, { heartbeatMs: 0 })).toThrow(
      'WsTransport heartbeatMs must be a number greater than 0, got 0',
    )
    expect(() => new WsTransport(core, { appHeartbeatMs: -1 })).toThrow(
      'WsTransport appHeartbeatMs must be a number greater than 0, got -1',
    )
  })
})

/**
 * The app-level heartbeat, the page's side (shared/ws-protocol.ts): browsers hide WebSocket pings from
 * pages, so the core sends heartbeat frames and the web UI's client (the real one, over the `ws` package)
 * takes a link that carries no frame for 2.5 intervals as dead. Real sockets on 127.0.0.1: a small core
 * speaking the protocol (as WsTransport does; its heartbeats are tested in
 * tests/integration/api/ws-transport-flow.test.ts) sits behind a TCP relay that can stop forwarding while
 * it keeps both connections open — a core that died without a FIN, which the page could not notice before.
 */
import { createServer as createTcpServer, connect as tcpConnect, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import type { RequestChannel } from '../../../shared/contract'
import {
  HEARTBEAT_TOLERANCE,
  type WsClientFrame,
  type WsServerFrame,
} from '../../../shared/ws-protocol'
import type { ConnectionState } from '../../../renderer/transport/connection'
import { createWsClient, type WebSocketCtor } from '../../../renderer/transport/ws-client'
import { createAppStore } from '../../../renderer/store/app-store'
import { connectStore } from '../../../renderer/store/bridge'
import { connectionLabel } from '../../../renderer/components/connection-status'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/** Heartbeat interval of these tests: the client must notice silence within 2.5 × this. */
const BEAT_MS = 200
const BOUND_MS = BEAT_MS * HEARTBEAT_TOLERANCE

/**
 * A core on a real WebSocket server: a heartbeat frame on connect and every {@link BEAT_MS}, as
 * WsTransport sends them; the snapshot channels answered, every call counted.
 */
async function startCore() {
  const calls: RequestChannel[] = []
  const snapshots: Partial<Record<RequestChannel, unknown>> = {
    'servers:snapshot': [],
    'routing:log': [],
    'conversations:list': [],
    'mode:get': { kind: 'auto' },
    'config:get': null,
    'storage:snapshot': { kind: 'saved' },
  }
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/ws' })
  await new Promise<void>((r) => wss.once('listening', () => r()))
  const beat = (socket: WebSocket) =>
    socket.send(JSON.stringify({ type: 'heartbeat', intervalMs: BEAT_MS } satisfies WsServerFrame))
  wss.on('connection', (socket) => {
    beat(socket)
    socket.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as WsClientFrame
      calls.push(frame.channel)
      const reply: WsServerFrame = {
        type: 'result',
        id: frame.id,
        ok: true,
        value: snapshots[frame.channel] ?? null,
      }
      socket.send(JSON.stringify(reply))
    })
  })
  const timer = setInterval(() => {
    for (const socket of wss.clients) beat(socket)
  }, BEAT_MS)
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        clearInterval(timer)
        for (const c of wss.clients) c.terminate()
        wss.close(() => r())
      }),
  )
  return { port: (wss.address() as AddressInfo).port, calls }
}

/**
 * A TCP relay in front of the core. `blackhole()` stops forwarding on every connection it holds and on
 * new ones, keeping them all open (no FIN, no RST: the peer hears nothing at all); `forward()` lets new
 * connections through again (the held ones stay dead, as after a crash of the box).
 */
async function startRelay(targetPort: number) {
  let blackholed = false
  const pipes: { client: Socket; upstream: Socket; dead: boolean }[] = []
  const relay = createTcpServer((client) => {
    const upstream = tcpConnect(targetPort, '127.0.0.1')
    const pipe = { client, upstream, dead: blackholed }
    pipes.push(pipe)
    client.on('data', (d) => void (pipe.dead || upstream.write(d)))
    upstream.on('data', (d) => void (pipe.dead || client.write(d)))
    const end = () => {
      client.destroy()
      upstream.destroy()
    }
    // A dead box closes nothing: only a live pipe passes a close on.
    client.on('close', () => pipe.dead || end())
    upstream.on('close', () => pipe.dead || end())
    client.on('error', () => undefined)
    upstream.on('error', () => undefined)
  })
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r))
  cleanups.push(() => {
    for (const p of pipes) {
      p.client.destroy()
      p.upstream.destroy()
    }
    return new Promise((r) => relay.close(r))
  })
  return {
    url: `ws://127.0.0.1:${(relay.address() as AddressInfo).port}/ws`,
    blackhole() {
      blackholed = true
      for (const p of pipes) p.dead = true
    },
    forward() {
      blackholed = false
    },
  }
}

/** The web UI's client and store over the relay, recording each connection state with its time. */
function startPage(url: string) {
  const client = createWsClient({
    url,
    WebSocket: WebSocket as unknown as WebSocketCtor,
    backoffMs: () => 50,
    // Deliberately not BEAT_MS: the first heartbeat frame is what tells the client the interval.
    heartbeatMs: 60_000,
  })
  const states: { at: number; state: ConnectionState }[] = []
  client.onConnection((state) => states.push({ at: Date.now(), state }))
  const store = createAppStore(client)
  const disconnect = connectStore(store, client)
  cleanups.push(() => {
    disconnect()
    client.dispose()
  })
  return { client, store, states }
}

const until = async (cond: () => boolean, ms: number, what: string) => {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

describe('the app-level heartbeat', () => {
  it('a quiet but live core keeps the page connected: no false alarm over many bounds', async () => {
    const { port } = await startCore()
    const relay = await startRelay(port)
    const page = startPage(relay.url)
    await until(() => page.client.connection().kind === 'open', 5_000, 'open')
    // No events, no calls: only heartbeats cross, for four times the bound.
    await new Promise((r) => setTimeout(r, 4 * BOUND_MS))
    expect(page.states.map((s) => s.state.kind)).toEqual(['open'])
  })

  it('a core that falls silent is noticed within 2.5 intervals: "connection lost — reconnecting", then reconnected and every snapshot fetched again', async () => {
    const { port, calls } = await startCore()
    const relay = await startRelay(port)
    const page = startPage(relay.url)
    await until(() => page.client.connection().kind === 'open', 5_000, 'open')
    await until(() => page.store.getState().loaded, 5_000, 'first snapshots')
    // A few heartbeats pass (the interval is learned from them), then the core goes silent.
    await new Promise((r) => setTimeout(r, 3 * BEAT_MS))
    const fetchedBefore = calls.length
    expect(fetchedBefore).toBeGreaterThanOrEqual(6)
    const silentFrom = Date.now()
    relay.blackhole()

    await until(() => page.client.connection().kind !== 'open', 4 * BOUND_MS, 'the page noticed')
    const noticed = page.states.find((s) => s.state.kind === 'reconnecting')!
    // Within the bound after the last frame could have arrived (the silence began just after one at
    // worst), with room for a busy machine; and not before the bound minus one interval.
    expect(noticed.at - silentFrom).toBeLessThanOrEqual(BOUND_MS + 300)
    expect(noticed.at - silentFrom).toBeGreaterThanOrEqual(BOUND_MS - BEAT_MS - 20)
    expect(noticed.state).toMatchObject({
      kind: 'reconnecting',
      lost: true,
      error: 'connection lost: no word from the core for 0.5 s',
    })
    expect(connectionLabel(noticed.state)).toBe('connection lost — reconnecting…')
    expect(page.store.getState().connection).toMatchObject({ kind: 'reconnecting', lost: true })

    // While the core stays silent, the dials that get no handshake answer are given up and retried.
    await new Promise((r) => setTimeout(r, 2 * BOUND_MS))
    expect(page.client.connection().kind).toBe('reconnecting')
    expect(page.states.filter((s) => s.state.kind === 'reconnecting').length).toBeGreaterThan(1)

    // The core is back: the page reconnects by itself and fetches every snapshot again.
    relay.forward()
    await until(() => page.client.connection().kind === 'open', 4 * BOUND_MS, 'reconnected')
    await until(() => calls.length >= fetchedBefore + 6, 5_000, 'the snapshots again')
    expect(calls.slice(fetchedBefore).sort()).toEqual(
      [
        'config:get',
        'conversations:list',
        'mode:get',
        'routing:log',
        'servers:snapshot',
        'storage:snapshot',
      ].sort(),
    )
  })
})

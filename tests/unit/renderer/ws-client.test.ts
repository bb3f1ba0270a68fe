import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket, WebSocketServer } from 'ws'
import type { WsClientFrame, WsServerFrame } from '../../../shared/ws-protocol'
import type { ConnectionState, TransportClient } from '../../../renderer/transport/connection'
import type { WebSocketCtor } from '../../../renderer/transport/ws-client'
import {
  RESULT_DROPPED,
  createWsClient,
  readToken,
  wsUrlFor,
} from '../../../renderer/transport/ws-client'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/** A tiny core on a real WebSocket server at 127.0.0.1, any free port. */
async function startCore() {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/ws' })
  await new Promise<void>((r) => wss.once('listening', () => r()))
  const urls: string[] = []
  wss.on('connection', (socket, req) => {
    urls.push(req.url ?? '')
    socket.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as WsClientFrame
      const reply = (f: WsServerFrame) => socket.send(JSON.stringify(f))
      if (frame.channel === 'mode:get')
        reply({ type: 'result', id: frame.id, ok: true, value: { kind: 'auto' } })
      else if (frame.channel === 'mode:set')
        reply({ type: 'result', id: frame.id, ok: true, value: frame.args[0] })
      else if (frame.channel === 'routing:log') {
        // As the core does for a page that fell behind: the answer dropped, then a resync naming it.
        reply({ type: 'resync', droppedEvents: 3, droppedResults: [frame.id] })
      } else if (frame.channel === 'chat:cancel') {
        // never answered: lets a test see in-flight calls fail on a drop
      } else
        reply({
          type: 'result',
          id: frame.id,
          ok: false,
          error: { name: 'ConfigError', message: `no handler for ${frame.channel}` },
        })
    })
  })
  const port = (wss.address() as AddressInfo).port
  const stop = () =>
    new Promise<void>((r) => {
      for (const c of wss.clients) c.terminate()
      wss.close(() => r())
    })
  cleanups.push(stop)
  return { wss, port, urls, url: `ws://127.0.0.1:${port}/ws` }
}

function client(url: string): TransportClient & { states: ConnectionState[] } {
  const c = createWsClient({
    url,
    WebSocket: WebSocket as unknown as WebSocketCtor,
    backoffMs: () => 20,
  })
  const states: ConnectionState[] = []
  c.onConnection((s) => states.push(s))
  cleanups.push(() => c.dispose())
  return Object.assign(c, { states })
}

const until = async (cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('WebSocket transport', () => {
  it('invokes a request channel and gets the typed result, queued until the socket opens', async () => {
    const core = await startCore()
    const c = client(`${core.url}?token=s3cret`)
    await expect(c.invoke('mode:set', { kind: 'server', serverId: 'remote' })).resolves.toEqual({
      kind: 'server',
      serverId: 'remote',
    })
    expect(c.connection().kind).toBe('open')
    expect(core.urls).toEqual(['/ws?token=s3cret'])
  })

  it('rebuilds a core error as an Error with its name and message', async () => {
    const core = await startCore()
    const c = client(core.url)
    await expect(c.invoke('servers:snapshot')).rejects.toMatchObject({
      name: 'ConfigError',
      message: 'no handler for servers:snapshot',
    })
  })

  it('delivers event frames to the listeners of that channel only', async () => {
    const core = await startCore()
    const c = client(core.url)
    const modes: unknown[] = []
    const off = c.on('mode:changed', (m) => modes.push(m))
    c.on('servers:changed', () => modes.push('wrong channel'))
    await c.invoke('mode:get')
    const send = (payload: unknown) => {
      for (const s of core.wss.clients)
        s.send(JSON.stringify({ type: 'event', channel: 'mode:changed', payload }))
    }
    send({ kind: 'auto' })
    await until(() => modes.length === 1)
    off()
    send({ kind: 'server', serverId: 'x' })
    await c.invoke('mode:get')
    expect(modes).toEqual([{ kind: 'auto' }])
  })

  it('on a resync: fails the calls whose answers were dropped, tells its listeners, stays connected', async () => {
    const core = await startCore()
    const c = client(core.url)
    let resyncs = 0
    const off = c.onResync(() => (resyncs += 1))
    await expect(c.invoke('routing:log')).rejects.toMatchObject({
      name: 'TransportError',
      message: `routing:log: ${RESULT_DROPPED}`,
    })
    expect(resyncs).toBe(1)
    expect(c.connection().kind).toBe('open')
    await expect(c.invoke('mode:get')).resolves.toEqual({ kind: 'auto' })
    off()
    await c.invoke('routing:log').catch(() => undefined)
    expect(resyncs).toBe(1)
    expect(core.urls).toHaveLength(1)
  })

  it('when the socket drops: fails calls in flight, shows reconnecting, reconnects with backoff', async () => {
    const core = await startCore()
    const c = client(core.url)
    await c.invoke('mode:get')
    const inFlight = c.invoke('chat:cancel', 'r1')
    for (const s of core.wss.clients) s.terminate()
    await expect(inFlight).rejects.toMatchObject({ name: 'TransportError' })
    await until(() => c.states.some((s) => s.kind === 'reconnecting'))
    await until(() => c.connection().kind === 'open')
    expect(core.urls).toHaveLength(2)
    await expect(c.invoke('mode:get')).resolves.toEqual({ kind: 'auto' })
  })

  it('keeps retrying while the core is down and counts the attempts', async () => {
    const core = await startCore()
    const c = client(core.url)
    await c.invoke('mode:get')
    await new Promise<void>((r) => {
      for (const s of core.wss.clients) s.terminate()
      core.wss.close(() => r())
    })
    await until(() => c.states.some((s) => s.kind === 'reconnecting' && s.attempt >= 3))
    expect(c.connection().kind).toBe('reconnecting')
  })
})

/** A scripted socket: the test decides when it opens, closes and what the core answers. */
class ScriptedSocket {
  static all: ScriptedSocket[] = []
  readyState = 0
  sent: WsClientFrame[] = []
  private listeners: Record<string, ((ev: unknown) => void)[]> = {}
  constructor(readonly url: string) {
    ScriptedSocket.all.push(this)
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data) as WsClientFrame)
  }
  close(): void {}
  addEventListener(type: string, l: (ev: unknown) => void): void {
    ;(this.listeners[type] ??= []).push(l)
  }
  fire(type: 'open' | 'close' | 'message', ev: unknown = {}): void {
    if (type === 'open') this.readyState = 1
    if (type === 'close') this.readyState = 3
    for (const l of this.listeners[type] ?? []) l(ev)
  }
}

describe('WebSocket transport: calls made while disconnected', () => {
  it('a failed connect attempt keeps unsent calls queued and sends each exactly once', async () => {
    ScriptedSocket.all = []
    const c = createWsClient({
      url: 'ws://core.test/ws',
      WebSocket: ScriptedSocket as unknown as WebSocketCtor,
      backoffMs: () => 1,
    })
    cleanups.push(() => c.dispose())
    const outcome: string[] = []
    const call = c.invoke('mode:get').then(
      (v) => outcome.push(`resolved ${JSON.stringify(v)}`),
      (e: Error) => outcome.push(`rejected ${e.message}`),
    )
    ScriptedSocket.all[0]!.fire('close') // the first attempt never opened
    await until(() => ScriptedSocket.all.length === 2)
    const second = ScriptedSocket.all[1]!
    second.fire('open')
    expect(outcome).toEqual([])
    expect(second.sent.map((f) => f.channel)).toEqual(['mode:get'])
    const id = second.sent[0]!.id
    second.fire('message', {
      data: JSON.stringify({ type: 'result', id, ok: true, value: { kind: 'auto' } }),
    })
    await call
    expect(outcome).toEqual(['resolved {"kind":"auto"}'])
  })

  it('a call that went out and was lost with the socket is rejected and never resent', async () => {
    ScriptedSocket.all = []
    const c = createWsClient({
      url: 'ws://core.test/ws',
      WebSocket: ScriptedSocket as unknown as WebSocketCtor,
      backoffMs: () => 1,
    })
    cleanups.push(() => c.dispose())
    const first = ScriptedSocket.all[0]!
    first.fire('open')
    const lost = c.invoke('chat:send', { conversationId: null, content: 'hi' })
    expect(first.sent.map((f) => f.channel)).toEqual(['chat:send'])
    first.fire('close')
    await expect(lost).rejects.toMatchObject({ name: 'TransportError' })
    await until(() => ScriptedSocket.all.length === 2)
    ScriptedSocket.all[1]!.fire('open')
    expect(ScriptedSocket.all[1]!.sent).toEqual([])
  })
})

describe('URL and token', () => {
  it.each([
    [{ protocol: 'http:', host: '127.0.0.1:8000' }, null, 'ws://127.0.0.1:8000/ws'],
    [{ protocol: 'https:', host: 'box.lan' }, 'a b', 'wss://box.lan/ws?token=a%20b'],
  ])('wsUrlFor(%j, %j) = %s', (loc, token, expected) => {
    expect(wsUrlFor(loc, token)).toBe(expected)
  })

  it.each([
    [{ hash: '#token=abc', search: '' }, null, 'abc'],
    [{ hash: '#/chat', search: '?token=xyz' }, null, 'xyz'],
    [{ hash: '#/chat', search: '' }, 'kept', 'kept'],
    [{ hash: '#/chat', search: '' }, null, null],
  ])('readToken(%j) with stored %j = %j', (loc, stored, expected) => {
    const mem = new Map<string, string>(stored ? [['aillm.token', stored]] : [])
    const storage = {
      getItem: (k: string) => mem.get(k) ?? null,
      setItem: (k: string, v: string) => void mem.set(k, v),
    }
    expect(readToken(loc, storage)).toBe(expected)
    if (expected) expect(mem.get('aillm.token')).toBe(expected)
  })
})

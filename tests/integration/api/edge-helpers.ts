/**
 * Helpers of the HTTP-edge tests (issue 13): `serve` on one simulator, a byte-counting TCP relay between
 * them (so a test can see how much of an answer was really read from the upstream), and raw sockets.
 */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { startSimServer, type SimServer, type SimServerOptions } from '../../../tools/ollama-sim'
import { startServeOnConfig } from '../../helpers/serve-on-config'
import type { Serve } from '../../../electron/serve/serve'
import type { createMemoryLogger } from '../../../electron/core/logger'

/** A TCP relay in front of a server that counts the bytes it read from it; it reads only as fast as it can pass them on. */
export interface CountingRelay {
  url: string
  /** Bytes read from the upstream so far (all connections). */
  upstreamBytes(): number
  /** Connections to the upstream open now whose latest request line starts with `prefix` (e.g. `POST /api/chat`). */
  openUpstreams(prefix?: string): number
  close(): Promise<void>
}

/** Starts a relay on 127.0.0.1, port 0, to `target` (an http://host:port URL). */
export async function startCountingRelay(target: string): Promise<CountingRelay> {
  const t = new URL(target)
  let bytes = 0
  const open = new Map<Socket, string>()
  const server: Server = createServer((client) => {
    const upstream = connect(Number(t.port), t.hostname)
    open.set(upstream, '')
    // The latest request line on this connection (pooled keep-alive connections carry several).
    client.on('data', (chunk: Buffer) => {
      const head = chunk.toString('latin1', 0, 64)
      if (open.has(upstream) && /^[A-Z]+ \//.test(head)) open.set(upstream, head)
    })
    upstream.on('data', (chunk: Buffer) => (bytes += chunk.length))
    // pipe() pauses the upstream while the client side's buffer is full: backpressure passes through.
    client.pipe(upstream)
    upstream.pipe(client)
    const end = (): void => {
      open.delete(upstream)
      client.destroy()
      upstream.destroy()
    }
    client.on('close', end)
    upstream.on('close', end)
    client.on('error', end)
    upstream.on('error', end)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    upstreamBytes: () => bytes,
    openUpstreams: (prefix = '') => [...open.values()].filter((l) => l.startsWith(prefix)).length,
    async close() {
      for (const s of open.keys()) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** `serve` on one simulated server (reached through `upstreamUrl`, e.g. a relay, when given). */
export interface EdgeServe {
  sim: SimServer
  serve: Serve
  logger: ReturnType<typeof createMemoryLogger>
  close(): Promise<void>
}

/** Starts one simulator and `serve` on it; `apiYaml` is appended as the config's `api:` section. */
export async function startEdgeServe(
  sim: Partial<SimServerOptions>,
  opts: { apiYaml?: string; upstream?: (simUrl: string) => Promise<string>; stallMs?: number } = {},
): Promise<EdgeServe> {
  const server = await startSimServer({
    name: 'remote',
    port: 0,
    models: ['gemma3:12b'],
    timeScale: 0,
    ...sim,
  })
  const upstreamUrl = opts.upstream ? await opts.upstream(server.url) : server.url
  const started = await startServeOnConfig(
    `llm:
  providers:
    ollama:
      base_url: ${upstreamUrl}
      auto_discover: false
      mdns:
        enabled: false
      timeouts:
        connect_ms: 1000
        probe_ms: 2000
        first_token_ms: 5000
        cold_first_token_ms: 8000
        stall_ms: ${opts.stallMs ?? 1500}
        # Generous: the simulator, serve and the client share one busy event loop here.
        side_probe_ms: 5000
${opts.apiYaml ?? ''}
`,
    'aillm-edge-',
  )
  return {
    sim: server,
    serve: started.serve,
    logger: started.logger,
    async close() {
      await started.close()
      await server.stop()
    },
  }
}

/** Polls `check` every 25 ms until it holds; throws naming `what` after `timeoutMs` (generous: no timing claims). */
export async function waitUntil(
  check: () => boolean,
  what: string,
  timeoutMs = 10_000,
  everyMs = 25,
): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting until ${what}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

/** A raw socket to `url` and everything it received until it closed. */
export interface RawConnection {
  socket: Socket
  /** Everything received so far. */
  received(): string
  /** Whether the server closed the connection (or it was reset). */
  closed(): boolean
  /** Resolves once the connection closed. */
  whenClosed: Promise<void>
}

/** Opens a socket to `url`'s host and port. */
export async function rawConnect(url: string): Promise<RawConnection> {
  const u = new URL(url)
  const socket = connect(Number(u.port), u.hostname)
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  let data = ''
  let closed = false
  socket.on('data', (c: Buffer) => (data += c.toString('latin1')))
  socket.on('error', () => undefined)
  const whenClosed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      closed = true
      resolve()
    }),
  )
  return { socket, received: () => data, closed: () => closed, whenClosed }
}

/** The status of the first HTTP answer in `text`, 0 when none yet. */
export function statusOf(text: string): number {
  const m = /^HTTP\/1\.1 (\d{3})/.exec(text)
  return m ? Number(m[1]) : 0
}

/** The JSON body of a whole raw HTTP answer. */
export function bodyOf(text: string): unknown {
  const at = text.indexOf('\r\n\r\n')
  return JSON.parse(text.slice(at + 4)) as unknown
}

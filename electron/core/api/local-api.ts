/**
 * The local HTTP API on one port: Ollama- and OpenAI-compatible routes, AILLM's own routes, the web UI and the
 * contract's WebSocket. A second face on the core's router and executor; it never routes on its own.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Socket } from 'node:net'
import type { AppCore } from '../app-core'
import { WS_PATH } from '../../../shared/ws-protocol'
import { ApiError, BodyBudget, sendOllamaError, sendOpenAiError, withBodyBudget } from './http-util'
import {
  ConnectionGate,
  EDGE_LIMITS,
  closeAfterAnswer,
  endRawSocket,
  rawAnswer,
  type EdgeLimits,
} from './edge-limits'
import { checkRequest, corsHeaders } from './request-guard'
import { handleOllamaRoute } from './ollama-face'
import { handleOpenAiRoute } from './openai-face'
import { handleAillmRoute } from './aillm-face'
import { EMBEDDING_PATHS, handleEmbeddingsRoute } from './embeddings-face'
import { serveStatic, UI_PREFIX } from './static-files'
import { WsTransport } from './ws-transport'

export interface LocalApiOptions {
  core: AppCore
  host: string
  port: number
  /** Built renderer (out/renderer); null = no web UI. */
  staticDir: string | null
  /** The edge's limits (tests and benches shorten them); EDGE_LIMITS by default. */
  limits?: Partial<EdgeLimits>
}

/** A listening local API. */
export interface LocalApi {
  readonly server: Server
  /** The address actually bound (port 0 → the chosen port). */
  readonly address: AddressInfo
  readonly url: string
  /** Requests in progress (streams included). */
  inFlight(): number
  /** Open connections (WebSockets included). */
  connections(): number
  /** Stops accepting, aborts streams in flight, closes sockets. */
  close(): Promise<void>
}

/** Starts the local API; rejects with a clear message when the port is taken. */
export async function startLocalApi(opts: LocalApiOptions): Promise<LocalApi> {
  const { core } = opts
  const running = new Set<AbortController>()
  const sockets = new Set<Socket>()
  const ws = new WsTransport(core)
  let boundPort = opts.port
  const limits: EdgeLimits = { ...EDGE_LIMITS, ...opts.limits }
  const gate = new ConnectionGate(limits, () => core.config().api.token !== null)
  const bodies = new BodyBudget(limits.maxBodyBytesInFlight)

  const server = createServer({
    requestTimeout: limits.requestTimeoutMs,
    // Node insists on headers within the whole request's time.
    headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs),
    // How often Node looks for requests past those timeouts (its default, 30 s, would double them).
    connectionsCheckingInterval: Math.max(
      50,
      Math.min(1000, Math.floor(limits.headersTimeoutMs / 4)),
    ),
  })
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const abort = new AbortController()
    running.add(abort)
    res.on('close', () => {
      running.delete(abort)
      // The client went away before its answer was complete: stop the upstream generation too.
      if (!res.writableFinished) abort.abort()
    })
    withBodyBudget(req, bodies)
    void handle(req, res, abort)
  })

  const guard = (req: IncomingMessage, url: URL) =>
    checkRequest(
      req,
      {
        bindHost: opts.host,
        port: boundPort,
        token: core.config().api.token,
        allowedOrigins: core.config().api.allowed_origins,
      },
      url,
    )

  async function handle(req: IncomingMessage, res: ServerResponse, abort: AbortController) {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const path = url.pathname
    const isOpenAi = path.startsWith('/v1/')
    const fail = (status: number, message: string) =>
      isOpenAi ? sendOpenAiError(res, status, message) : sendOllamaError(res, status, message)
    // A refusal is the connection's last answer: the rest of its body is never read.
    const refuse = (status: number, message: string) => {
      closeAfterAnswer(req, res)
      fail(status, message)
    }
    try {
      const overCap = gate.refusalBeforeGuard(req.socket)
      if (overCap !== null) return refuse(503, overCap)
      const isUi = path.startsWith(UI_PREFIX) || path === '/ui'
      // The web UI's static files carry no data; everything else passes the guard.
      const verdict = isUi && req.method !== 'OPTIONS' ? null : guard(req, url)
      const unauthenticated = gate.refusalAfterGuard(
        req.socket,
        verdict?.ok === true && core.config().api.token !== null,
      )
      if (req.method === 'OPTIONS') {
        // Preflights come only from browsers on other origins; our own UI never needs one.
        if (verdict?.ok !== true) closeAfterAnswer(req, res)
        res.writeHead(verdict?.ok === true ? 204 : 403, verdict?.ok ? corsHeaders(req, true) : {})
        res.end()
        return
      }
      if (verdict && !verdict.ok) return refuse(verdict.status, verdict.message)
      // An allowed cross-origin page may read the answer (and a refusal after this point).
      if (verdict) for (const [k, v] of Object.entries(corsHeaders(req, false))) res.setHeader(k, v)
      if (unauthenticated !== null) return refuse(503, unauthenticated)
      if (isUi) {
        if (!opts.staticDir) return fail(404, 'the web UI is not served by this instance')
        if (path === '/ui') return redirect(res, UI_PREFIX)
        await serveStatic(opts.staticDir, path, res, req.method === 'HEAD')
        return
      }
      if (
        path === '/' &&
        req.method === 'GET' &&
        opts.staticDir &&
        (req.headers.accept ?? '').includes('text/html')
      ) {
        // A person's browser at the root gets the dashboard; Ollama clients get "Ollama is running".
        return redirect(res, `${UI_PREFIX}${url.search}`)
      }
      const handled =
        (await handleAillmRoute(core, req, res, path, abort)) ||
        (await handleEmbeddingsRoute(core, req, res, path)) ||
        (await handleOllamaRoute(core, req, res, path, abort, limits)) ||
        (await handleOpenAiRoute(core, req, res, path, abort, limits))
      if (!handled) {
        const known = KNOWN_PATHS.has(path)
        // Nothing here reads a body: one still arriving is not waited for.
        if (!req.complete) closeAfterAnswer(req, res)
        fail(
          known ? 405 : 404,
          known ? `method ${req.method} not allowed on ${path}` : `${path} not found`,
        )
      }
    } catch (err) {
      // A body we did not read to the end leaves the connection unusable for the next request.
      if (!req.complete) closeAfterAnswer(req, res)
      if (err instanceof ApiError) return fail(err.status, err.message)
      if (abort.signal.aborted) return
      core.logger.error(`API ${req.method} ${path} failed: ${(err as Error).message}`)
      fail(500, (err as Error).message)
    }
  }

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const overCap = gate.refusalBeforeGuard(socket)
    if (overCap !== null) {
      endRawSocket(socket, rawAnswer(503, 'Service Unavailable', { error: overCap }))
      return
    }
    const verdict = url.pathname === WS_PATH ? guard(req, url) : null
    const unauthenticated = gate.refusalAfterGuard(
      socket,
      verdict?.ok === true && core.config().api.token !== null,
    )
    if (!verdict?.ok) {
      const status = verdict ? verdict.status : 404
      endRawSocket(
        socket,
        `HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : 'Forbidden'}\r\n\r\n`,
      )
      return
    }
    if (unauthenticated !== null) {
      endRawSocket(socket, rawAnswer(503, 'Service Unavailable', { error: unauthenticated }))
      return
    }
    ws.handleUpgrade(req, socket, head)
  })
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    gate.admit(socket)
  })
  // Node answers a request not received in time itself (a bare 408); this says which limit it was.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (err.code !== 'ERR_HTTP_REQUEST_TIMEOUT') {
      if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy()
      // As Node answers them itself, with a body saying what was wrong.
      const tooLarge = err.code === 'HPE_HEADER_OVERFLOW'
      return endRawSocket(
        socket,
        tooLarge
          ? rawAnswer(431, 'Request Header Fields Too Large', {
              error: 'request headers too large (the limit is 16 kB in all)',
            })
          : rawAnswer(400, 'Bad Request', { error: `malformed HTTP request: ${err.message}` }),
      )
    }
    // A request whose headers arrived has a response object on the socket; its body is what is late.
    const pending = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage
    if (pending?.headersSent) return void socket.destroy()
    const message = pending
      ? `request body not received within ${limits.requestTimeoutMs} ms (the limit for a whole request)`
      : `request headers not received within ${limits.headersTimeoutMs} ms (the limit for headers)`
    endRawSocket(socket, rawAnswer(408, 'Request Timeout', { error: message }))
  })

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening)
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(
              `Port ${opts.port} on ${opts.host} is already in use: stop what runs there or pass --port N`,
            )
          : err.code === 'EADDRNOTAVAIL'
            ? new Error(`Address ${opts.host} is not an address of this machine (--host)`)
            : err,
      )
    }
    const onListening = () => {
      server.off('error', onError)
      resolve()
    }
    server.once('error', onError)
    server.once('listening', onListening)
    server.listen(opts.port, opts.host)
  })
  const address = server.address() as AddressInfo
  boundPort = address.port
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address

  return {
    server,
    address,
    url: `http://${hostForUrl}:${address.port}`,
    inFlight: () => running.size,
    connections: () => gate.size,
    async close() {
      ws.close()
      for (const c of running) c.abort()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        setTimeout(() => {
          for (const s of sockets) s.destroy()
        }, 1000).unref()
        server.closeIdleConnections()
      })
    },
  }
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { Location: location })
  res.end()
}

const KNOWN_PATHS = new Set([
  '/',
  '/api/version',
  '/api/tags',
  '/api/ps',
  '/api/show',
  '/api/chat',
  '/api/generate',
  ...EMBEDDING_PATHS,
  '/api/models/servers',
  '/api/route',
  '/api/message',
  '/v1/models',
  '/v1/chat/completions',
  '/v1/completions',
])

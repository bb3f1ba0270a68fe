import { AsyncLocalStorage } from 'node:async_hooks'
import http from 'node:http'
import https from 'node:https'
import { Readable } from 'node:stream'

/**
 * Limits for the client call running inside `fetchLimits.run(...)`. The `ollama` client accepts no
 * AbortSignal on streaming calls, so the executor hands its limits to our fetch this way.
 */
export interface FetchLimits {
  /** TCP (and TLS) connect deadline; a reused keep-alive socket needs none. */
  connectMs: number
  /** Aborting it destroys the request (and the response body once streaming). */
  signal: AbortSignal | null
  /** Check every NDJSON line of a 200 answer and fail the stream on the first malformed one. */
  validateNdjson: boolean
}

/** Where the executor puts the limits of the call it is about to make (per async context). */
export const fetchLimits = new AsyncLocalStorage<FetchLimits>()

/** The TCP connection was not established within the deadline. */
export class ConnectTimeoutError extends Error {
  override readonly name = 'ConnectTimeoutError'
  constructor(
    readonly url: string,
    readonly ms: number,
  ) {
    super(`no connection to ${url} within ${ms} ms`)
  }
}

/** How a malformed-chunk failure's message starts, wherever it surfaces. */
export const MALFORMED_CHUNK_MARK = 'malformed chunk in the stream'

/** A line of an NDJSON stream that is not a JSON object (the `ollama` client would skip it silently). */
export class MalformedChunkError extends Error {
  // Stryker disable next-line StringLiteral: never thrown; only its message travels, as an error line
  override readonly name = 'MalformedChunkError'
  constructor(
    readonly url: string,
    readonly line: string,
  ) {
    super(`${MALFORMED_CHUNK_MARK} from ${url}: ${JSON.stringify(line.slice(0, 80))}`)
  }
}

const DEFAULT_LIMITS: FetchLimits = { connectMs: 10_000, signal: null, validateNdjson: false }

/**
 * A `fetch` for `new Ollama({ fetch })` built on node:http, so the connect phase can be timed on its
 * own (the global fetch cannot tell a dead host from a slow model load) and an abort really closes
 * the upstream socket.
 */
export function createTimedFetch(
  limits: () => FetchLimits | undefined = () => fetchLimits.getStore(),
): typeof fetch {
  // Keep-alive saves a handshake per chat. A reused socket the server closed meanwhile fails before
  // any answer; `requestOnce` then retries once on a fresh connection (Node's documented pattern).
  const agents = {
    http: new http.Agent({ keepAlive: true, maxFreeSockets: 16 }),
    https: new https.Agent({ keepAlive: true, maxFreeSockets: 16 }),
  }
  return (input, init) => {
    const ctx = limits() ?? DEFAULT_LIMITS
    const url = new URL(
      typeof input === 'string' ? input : input instanceof URL ? input.href : input.url,
    )
    return requestOnce(url, init ?? {}, ctx, agents)
  }
}

/** Errors of a reused keep-alive socket that the server had already closed. */
const STALE_SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED'])

function requestOnce(
  url: URL,
  init: RequestInit,
  ctx: FetchLimits,
  agents: { http: http.Agent; https: https.Agent } | false,
): Promise<Response> {
  const signals = [init.signal, ctx.signal].filter((s): s is AbortSignal => s != null)
  const already = signals.find((s) => s.aborted)
  if (already) return Promise.reject(abortReason(already))

  return new Promise<Response>((resolve, reject) => {
    const secure = url.protocol === 'https:'
    const req = (secure ? https : http).request(url, {
      agent: agents === false ? false : secure ? agents.https : agents.http,
      // Stryker disable next-line StringLiteral: node:http sends GET for an empty method as well
      method: init.method ?? 'GET',
      headers: headersToObject(init.headers),
    })
    let res: http.IncomingMessage | null = null
    let connectTimer: NodeJS.Timeout | null = null
    const clearConnectTimer = (): void => {
      if (connectTimer) clearTimeout(connectTimer)
      connectTimer = null
    }
    const onAbort = (event: Event): void => {
      const reason = abortReason(event.target as AbortSignal)
      clearConnectTimer()
      if (res) res.destroy(reason)
      else req.destroy(reason)
    }
    const cleanup = (): void => {
      clearConnectTimer()
      for (const s of signals) s.removeEventListener('abort', onAbort)
    }
    for (const s of signals) s.addEventListener('abort', onAbort, { once: true })

    req.on('socket', (socket) => {
      if (!socket.connecting) return
      connectTimer = setTimeout(
        () => req.destroy(new ConnectTimeoutError(url.origin, ctx.connectMs)),
        ctx.connectMs,
      )
      socket.once('connect', clearConnectTimer)
    })
    req.on('error', (err: NodeJS.ErrnoException) => {
      cleanup()
      if (res) return
      const aborted = signals.some((s) => s.aborted)
      // Stryker disable next-line StringLiteral: no stale code is '' or any other made-up string
      if (req.reusedSocket && !aborted && STALE_SOCKET_CODES.has(err.code ?? '')) {
        // Nothing was answered on a pooled socket the server had closed: retry once, freshly.
        resolve(requestOnce(url, init, ctx, false))
        return
      }
      reject(err)
    })
    req.on('response', (incoming) => {
      res = incoming
      clearConnectTimer()
      incoming.on('close', cleanup)
      const status = incoming.statusCode ?? 500
      const headers = new Headers()
      for (let i = 0; i + 1 < incoming.rawHeaders.length; i += 2) {
        // Stryker disable next-line StringLiteral: both entries of a pair exist inside the loop bound
        headers.append(incoming.rawHeaders[i] ?? '', incoming.rawHeaders[i + 1] ?? '')
      }
      const noBody = status === 204 || status === 304 || init.method === 'HEAD'
      let body: ReadableStream<Uint8Array> | null = null
      if (noBody) incoming.resume()
      else {
        body = Readable.toWeb(incoming) as unknown as ReadableStream<Uint8Array>
        // Stryker disable next-line StringLiteral: no content type and '' are alike: neither says ndjson
        const isNdjson = (headers.get('content-type') ?? '').includes('ndjson')
        if (ctx.validateNdjson && status === 200 && isNdjson) {
          body = body.pipeThrough(ndjsonValidator(url.origin))
        }
      }
      // Stryker disable next-line StringLiteral: a client-side response always has its status message
      resolve(new Response(body, { status, statusText: incoming.statusMessage ?? '', headers }))
    })
    if (typeof init.body === 'string') req.end(init.body)
    else req.end()
  })
}

/**
 * Passes whole NDJSON lines through. The first line that is not a JSON object becomes an Ollama
 * `{"error"}` line and ends the stream: erroring the stream instead would drop the good lines still
 * queued before it, and the client would skip the bad line without a word.
 */
function ndjsonValidator(origin: string): TransformStream<Uint8Array, Uint8Array> {
  const decoder = new TextDecoder()
  const encoder = new TextEncoder()
  let buffer = ''
  const isObjectLine = (line: string): boolean => {
    try {
      const value: unknown = JSON.parse(line)
      return typeof value === 'object' && value !== null && !Array.isArray(value)
    } catch {
      return false
    }
  }
  /** Forwards one line; false once the stream was ended over a malformed one. */
  const forward = (line: string, controller: TransformStreamDefaultController<Uint8Array>) => {
    if (line.trim() === '') return true
    if (isObjectLine(line)) {
      controller.enqueue(encoder.encode(`${line}\n`))
      return true
    }
    const error = new MalformedChunkError(origin, line).message
    controller.enqueue(encoder.encode(`${JSON.stringify({ error })}\n`))
    controller.terminate()
    return false
  }
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      buffer += decoder.decode(chunk, { stream: true })
      let newline = buffer.indexOf('\n')
      while (newline >= 0) {
        const line = buffer.slice(0, newline)
        buffer = buffer.slice(newline + 1)
        if (!forward(line, controller)) return
        newline = buffer.indexOf('\n')
      }
    },
    flush(controller) {
      buffer += decoder.decode()
      forward(buffer, controller)
    },
  })
}

function headersToObject(headers: RequestInit['headers']): Record<string, string> {
  if (!headers) return {}
  if (headers instanceof Headers) return Object.fromEntries(headers.entries())
  if (Array.isArray(headers)) return Object.fromEntries(headers)
  return { ...(headers as Record<string, string>) }
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason
  if (reason instanceof Error) return reason
  const err = new Error(typeof reason === 'string' ? reason : 'This operation was aborted')
  err.name = 'AbortError'
  return err
}

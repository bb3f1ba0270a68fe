import type { IncomingMessage } from 'node:http'
import { timingSafeEqual } from 'node:crypto'
import { WS_PATH } from '../../../shared/ws-protocol'
import { isLoopbackHost } from '../config/host-url'
import { UI_PREFIX } from './static-files'

/** The verdict on one request's origin, host and credentials. */
export type GuardVerdict = { ok: true } | { ok: false; status: 401 | 403; message: string }

export interface GuardOptions {
  /** Address the API is bound to. */
  bindHost: string
  /** Port the API listens on (for our own origin). */
  port: number
  /** Bearer token; null = none configured. Read per request, so a rotated token applies at once. */
  token: string | null
}

/** The refusal when no right token came; the query form is named only where it is accepted. */
export const TOKEN_MESSAGE = 'missing or wrong token: send "Authorization: Bearer <token>"'
/** The refusal when the token came only as `?token=` on a route that needs the header. */
export const QUERY_TOKEN_MESSAGE =
  '?token= is accepted only on the WebSocket (/ws) and the web UI page load: send "Authorization: Bearer <token>"'

/** Splits a Host header into host name and port ("[::1]:8000" → "::1"). */
export function hostOfHeader(hostHeader: string): string {
  const trimmed = hostHeader.trim()
  if (trimmed.startsWith('[')) return trimmed.slice(1, trimmed.indexOf(']'))
  const colon = trimmed.lastIndexOf(':')
  return colon > 0 && trimmed.indexOf(':') === colon ? trimmed.slice(0, colon) : trimmed
}

/**
 * The DNS-rebinding guard, the origin check and the token check, as Ollama does for its own port:
 * - bound to loopback: the Host header must name a loopback host;
 * - an Origin header (a browser) must be our own origin — other sites may not drive the API;
 * - with a token configured, `Authorization: Bearer <token>` is required; `?token=` only where a browser
 *   cannot send a header (see {@link queryTokenAllowed}): a token in a URL ends up in logs and history.
 */
export function checkRequest(req: IncomingMessage, opts: GuardOptions, url: URL): GuardVerdict {
  const hostHeader = req.headers.host
  if (!hostHeader) return { ok: false, status: 403, message: 'missing Host header' }
  const host = hostOfHeader(hostHeader)
  if (isLoopbackHost(opts.bindHost) && !isLoopbackHost(host)) {
    return {
      ok: false,
      status: 403,
      message: `Host "${host}" is not allowed: this API only answers to localhost (DNS-rebinding guard)`,
    }
  }
  // `Origin: null` (sandboxed iframes, file: and data: pages) is a foreign page too: refused like any other.
  const origin = req.headers.origin
  if (origin !== undefined && !isOwnOrigin(origin, hostHeader)) {
    return { ok: false, status: 403, message: `Origin "${origin}" is not allowed` }
  }
  if (opts.token !== null) {
    // A Bearer header wins; without one, `?token=` where a browser can send nothing else.
    const header = bearerToken(req.headers.authorization)
    const query = url.searchParams.get('token')
    if (header === null && query !== null && !queryTokenAllowed(req, url)) {
      return { ok: false, status: 401, message: QUERY_TOKEN_MESSAGE }
    }
    const given = header ?? query
    if (given === null || !safeEqual(given, opts.token)) {
      return { ok: false, status: 401, message: TOKEN_MESSAGE }
    }
  }
  return { ok: true }
}

/**
 * Where `?token=` stands in for the header: the WebSocket handshake (a browser's `WebSocket` cannot set
 * headers) and a browser's first page load (the UI's pages, and `GET /` asking for HTML, which is
 * redirected to the UI with the query). Every other route needs the header.
 */
export function queryTokenAllowed(req: IncomingMessage, url: URL): boolean {
  if (url.pathname === WS_PATH) return req.headers.upgrade?.toLowerCase() === 'websocket'
  if (url.pathname === '/ui' || url.pathname.startsWith(UI_PREFIX)) return true
  const method = req.method ?? 'GET'
  return (
    url.pathname === '/' &&
    (method === 'GET' || method === 'HEAD') &&
    (req.headers.accept ?? '').includes('text/html')
  )
}

/**
 * The token of an `Authorization: Bearer <token>` header; null when there is none or it is of another
 * scheme. The scheme is case-insensitive and may be followed by several spaces (RFC 7235 section 2.1).
 */
function bearerToken(header: string | undefined): string | null {
  const match = header === undefined ? null : /^bearer +(.*)$/i.exec(header)
  return match ? (match[1] ?? '').trim() : null
}

/** Our own origin is the page served from this very host:port. */
function isOwnOrigin(origin: string, hostHeader: string): boolean {
  try {
    const o = new URL(origin)
    return (o.protocol === 'http:' || o.protocol === 'https:') && o.host === hostHeader
  } catch {
    return false
  }
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a)
  const bb = Buffer.from(b)
  return ab.length === bb.length && timingSafeEqual(ab, bb)
}

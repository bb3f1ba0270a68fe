import type { IncomingMessage } from 'node:http'
import { timingSafeEqual } from 'node:crypto'
import { isLoopbackHost } from '../config/host-url'

/** The verdict on one request's origin, host and credentials. */
export type GuardVerdict = { ok: true } | { ok: false; status: 401 | 403; message: string }

export interface GuardOptions {
  /** Address the API is bound to. */
  bindHost: string
  /** Port the API listens on (for our own origin). */
  port: number
  /** Bearer token; null = none configured. */
  token: string | null
}

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
 * - with a token configured, `Authorization: Bearer <token>` (or `?token=` for the WebSocket) is required.
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
    // A Bearer header wins; without one, `?token=` (a browser's WebSocket cannot send headers).
    const given = bearerToken(req.headers.authorization) ?? url.searchParams.get('token')
    if (given === null || !safeEqual(given, opts.token)) {
      return {
        ok: false,
        status: 401,
        message: 'missing or wrong token: send "Authorization: Bearer <token>"',
      }
    }
  }
  return { ok: true }
}

/** The token of an `Authorization: Bearer <token>` header; null when there is none or it is of another scheme. */
function bearerToken(header: string | undefined): string | null {
  return header?.startsWith('Bearer ') ? header.slice(7).trim() : null
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

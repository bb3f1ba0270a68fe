import type { IncomingMessage } from 'node:http'
import { timingSafeEqual } from 'node:crypto'
import { isIP } from 'node:net'
import { hostname, networkInterfaces } from 'node:os'
import { WS_PATH } from '../../../shared/ws-protocol'
import { isLoopbackHost } from '../config/host-url'
import { originPatternProblem } from '../config/origin-pattern'
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
  /** Extra allowed origins (`api.allowed_origins`, patterns with one `*` as Ollama's OLLAMA_ORIGINS). */
  allowedOrigins?: readonly string[]
}

/**
 * Ollama's default origins (envconfig.AllowedOrigins): local pages on any port, desktop-app and editor
 * webview schemes. Matched as gin-contrib/cors matches them: exactly, or around one `*`.
 */
export const DEFAULT_ALLOWED_ORIGINS: readonly string[] = [
  ...['localhost', '127.0.0.1', '0.0.0.0'].flatMap((h) => [
    `http://${h}`,
    `https://${h}`,
    `http://${h}:*`,
    `https://${h}:*`,
  ]),
  'app://*',
  'file://*',
  'tauri://*',
  'vscode-webview://*',
  'vscode-file://*',
]

export { originPatternProblem }

/** Whether `origin` matches a pattern: equal, or `prefix*suffix` around its one `*` (case-insensitive). */
export function originMatches(origin: string, pattern: string): boolean {
  const o = origin.toLowerCase()
  const p = pattern.toLowerCase()
  const star = p.indexOf('*')
  if (star < 0) return o === p
  const prefix = p.slice(0, star)
  const suffix = p.slice(star + 1)
  if (o.length < prefix.length + suffix.length || !o.startsWith(prefix) || !o.endsWith(suffix)) {
    return false
  }
  // A port wildcard matches a port only: "http://127.0.0.1:*" must not take "http://127.0.0.1:1.evil.example"
  // (gin-contrib/cors, which Ollama uses, would).
  return !(prefix.endsWith(':') && suffix === '') || /^\d+$/.test(o.slice(prefix.length))
}

/** Host names that resolve to this machine without DNS an attacker controls (see docs/desktop.md). */
const LOCAL_NAMES = new Set(['localhost', 'host.docker.internal', 'host.containers.internal'])

/**
 * Whether a Host name may reach an API bound to loopback. A DNS-rebinding attack needs a DNS name the
 * attacker controls; IP literals involve no DNS, `*.localhost` never leaves the machine (RFC 6761),
 * and the container host names and our own host name are answered locally. `*.local` (anyone on the LAN
 * can answer mDNS) and other `*.internal` names are refused, unlike Ollama.
 */
export function isAllowedLocalHost(host: string, bindHost: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '')
  if (isLoopbackHost(h) || h === bindHost.toLowerCase()) return true
  if (LOCAL_NAMES.has(h) || h.endsWith('.localhost')) return true
  if (h === hostname().toLowerCase()) return true
  if (isIP(h) !== 0) return isPrivateOrOwnAddress(h)
  return false
}

/** Unspecified, private (RFC 1918, fc00::/7) or one of this machine's addresses, as Ollama accepts. */
function isPrivateOrOwnAddress(ip: string): boolean {
  if (ip === '0.0.0.0' || ip === '::') return true
  const v4 = /^(\d+)\.(\d+)\./.exec(ip)
  if (v4) {
    const a = Number(v4[1])
    const b = Number(v4[2])
    if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return true
  } else if (/^f[cd]/i.test(ip)) return true
  return Object.values(networkInterfaces()).some((list) =>
    (list ?? []).some((i) => i.address.toLowerCase() === ip),
  )
}

/** Whether a browser's Origin may use the API: our own page, Ollama's defaults, or a configured one. */
export function isAllowedOrigin(
  origin: string,
  hostHeader: string,
  allowed: readonly string[] = [],
): boolean {
  if (isOwnOrigin(origin, hostHeader)) return true
  return [...DEFAULT_ALLOWED_ORIGINS, ...allowed].some((p) => p === '*' || originMatches(origin, p))
}

/** Request headers a cross-origin page may send (Ollama's list, for the OpenAI SDKs too). */
export const CORS_ALLOW_HEADERS = [
  'Authorization',
  'Content-Type',
  'User-Agent',
  'Accept',
  'X-Requested-With',
  'OpenAI-Beta',
  'X-Stainless-Arch',
  'X-Stainless-Async',
  'X-Stainless-Custom-Poll-Interval',
  'X-Stainless-Helper-Method',
  'X-Stainless-Lang',
  'X-Stainless-Os',
  'X-Stainless-Package-Version',
  'X-Stainless-Poll-Helper',
  'X-Stainless-Retry-Count',
  'X-Stainless-Runtime',
  'X-Stainless-Runtime-Version',
  'X-Stainless-Timeout',
].join(',')

/**
 * Response headers a cross-origin page may read besides the CORS-safelisted ones: every X-AILLM-*
 * header an answer carries (a browser hides the rest from its scripts). One added elsewhere belongs here
 * too; tests/integration/api/origins.test.ts checks each one an answer sends.
 */
export const CORS_EXPOSE_HEADERS = [
  'X-AILLM-Model',
  'X-AILLM-Server',
  'X-AILLM-Complexity',
  'X-AILLM-Fallback',
  'X-AILLM-Context',
  'X-AILLM-Unloaded',
].join(', ')

/**
 * The CORS answer headers for an allowed cross-origin request (none for our own page or no Origin):
 * the origin echoed, `Vary: Origin`, the X-AILLM-* headers exposed, and on a preflight the methods and
 * headers, cached 12 h as Ollama does.
 */
export function corsHeaders(req: IncomingMessage, preflight: boolean): Record<string, string> {
  const origin = req.headers.origin
  if (origin === undefined || isOwnOrigin(origin, req.headers.host ?? '')) return {}
  const base = { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' }
  if (!preflight) return { ...base, 'Access-Control-Expose-Headers': CORS_EXPOSE_HEADERS }
  return {
    ...base,
    Vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
    'Access-Control-Allow-Methods': 'GET,POST,PUT,PATCH,DELETE,HEAD,OPTIONS',
    'Access-Control-Allow-Headers': CORS_ALLOW_HEADERS,
    'Access-Control-Max-Age': '43200',
  }
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
 * - bound to loopback: the Host header must name this machine ({@link isAllowedLocalHost});
 * - an Origin header (a browser) must be our own origin, one of Ollama's defaults or a configured one;
 *   the WebSocket takes only our own;
 * - with a token configured, `Authorization: Bearer <token>` is required; `?token=` only where a browser
 *   cannot send a header (see {@link queryTokenAllowed}): a token in a URL ends up in logs and history.
 */
export function checkRequest(req: IncomingMessage, opts: GuardOptions, url: URL): GuardVerdict {
  const hostHeader = req.headers.host
  if (!hostHeader) return { ok: false, status: 403, message: 'missing Host header' }
  const host = hostOfHeader(hostHeader)
  if (isLoopbackHost(opts.bindHost) && !isAllowedLocalHost(host, opts.bindHost)) {
    return {
      ok: false,
      status: 403,
      message: `Host "${host}" is not allowed: this API only answers to localhost (DNS-rebinding guard)`,
    }
  }
  // `Origin: null` (sandboxed iframes, file: and data: pages) is a foreign page too: refused like any other.
  // The WebSocket drives the app itself (the contract), so only our own page may open it.
  const origin = req.headers.origin
  const wsOnly = url.pathname === WS_PATH
  if (
    origin !== undefined &&
    !(wsOnly
      ? isOwnOrigin(origin, hostHeader)
      : isAllowedOrigin(origin, hostHeader, opts.allowedOrigins))
  ) {
    return { ok: false, status: 403, message: `Origin "${origin}" is not allowed` }
  }
  // A preflight never carries credentials (Fetch standard): the token is checked on the request itself.
  const preflight =
    req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined
  if (opts.token !== null && !preflight) {
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

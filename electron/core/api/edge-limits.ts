/**
 * The local API's bounded resources at its HTTP edge (issue 13 point 1): how long a request may take to
 * arrive, how many connections may be open, how much of a collected answer is kept. Constants rather than
 * config keys: they protect the process, and no legitimate client comes near them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { MAX_BODY_BYTES } from './http-util'

/** The limits one local API works within. */
export interface EdgeLimits {
  /**
   * Longest time to receive a whole request, headers and body (Node's `requestTimeout`: it stops once
   * the request is read, so a long streamed answer is not cut). 16 MB at 0.5 MB/s fits.
   */
  requestTimeoutMs: number
  /** Longest time to receive a request's headers. */
  headersTimeoutMs: number
  /** Open connections at most; beyond it a new one is answered 503 and closed. */
  maxConnections: number
  /**
   * Connections that have not presented a valid token yet, when a token is configured; beyond it a new
   * one must present the token with its first request (or is answered 503 and closed).
   */
  maxUnauthenticated: number
  /** Characters (answer + reasoning) a `stream: false` answer may have before it is cut off. */
  maxCollectedChars: number
  /**
   * Bytes of request bodies received at once across all connections (two bodies of the largest size):
   * past it a body is answered 503 and its connection closed, so stalled uploads hold bounded memory.
   */
  maxBodyBytesInFlight: number
}

/** The limits `serve` and the tray app run with. */
export const EDGE_LIMITS: EdgeLimits = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  maxConnections: 256,
  maxUnauthenticated: 32,
  maxCollectedChars: 4 * 1024 * 1024,
  maxBodyBytesInFlight: 2 * MAX_BODY_BYTES,
}

/** A connection over a cap may still send its request this long (to be answered 503), then it is cut. */
export const OVER_CAP_GRACE_MS = 1000
/** A refused request's connection is cut this long after its answer went out, if still open. */
export const CLOSE_AFTER_ANSWER_MS = 1000

/** One connection as the gate sees it. */
interface Connection {
  authenticated: boolean
  /** Why every request on it is refused (503), whatever it carries: over the total cap. */
  overTotal: string | null
  /** Over the unauthenticated cap: refused unless its request presents a valid token. */
  overUnauthenticated: string | null
  timer: NodeJS.Timeout | null
}

/** Counts open connections and marks those past a cap; the request handler then refuses them. */
export class ConnectionGate {
  private readonly open = new Map<Socket, Connection>()
  private unauthenticated = 0

  constructor(
    private readonly limits: Pick<EdgeLimits, 'maxConnections' | 'maxUnauthenticated'>,
    /** Whether a token is configured now (without one every connection counts as authenticated). */
    private readonly tokenRequired: () => boolean,
  ) {}

  /** Open connections now. */
  get size(): number {
    return this.open.size
  }

  /** A new connection. Far past the cap it is cut at once; past it, it is marked to be refused. */
  admit(socket: Socket): void {
    const { maxConnections, maxUnauthenticated } = this.limits
    if (this.open.size >= 2 * maxConnections) {
      // Not even a 503: answering costs more than the flood is worth.
      socket.destroy()
      return
    }
    const authenticated = !this.tokenRequired()
    const c: Connection = { authenticated, overTotal: null, overUnauthenticated: null, timer: null }
    this.open.set(socket, c)
    if (!authenticated) this.unauthenticated += 1
    if (this.open.size > maxConnections) {
      c.overTotal = `too many open connections (limit ${maxConnections}): try again shortly`
    } else if (!authenticated && this.unauthenticated > maxUnauthenticated) {
      c.overUnauthenticated = `too many connections without a valid token (limit ${maxUnauthenticated}): send the token with the request`
    }
    if (c.overTotal !== null || c.overUnauthenticated !== null) {
      c.timer = setTimeout(() => socket.destroy(), OVER_CAP_GRACE_MS)
      c.timer.unref()
    }
    socket.once('close', () => this.release(socket))
  }

  /** Why a request on `socket` is refused before anything else is looked at (503), or null. */
  refusalBeforeGuard(socket: Socket): string | null {
    const c = this.open.get(socket)
    if (c?.timer) clearTimeout(c.timer)
    return c?.overTotal ?? null
  }

  /**
   * After the guard: a request that presented a valid token authenticates its connection; one that
   * did not, on a connection over the unauthenticated cap, is refused (503) with the reason.
   */
  refusalAfterGuard(socket: Socket, presentedToken: boolean): string | null {
    const c = this.open.get(socket)
    if (!c) return null
    if (presentedToken && !c.authenticated) {
      c.authenticated = true
      this.unauthenticated -= 1
      c.overUnauthenticated = null
    }
    return c.authenticated ? null : c.overUnauthenticated
  }

  private release(socket: Socket): void {
    const c = this.open.get(socket)
    if (!c) return
    if (c.timer) clearTimeout(c.timer)
    if (!c.authenticated) this.unauthenticated -= 1
    this.open.delete(socket)
  }
}

/**
 * Marks a refusal's answer as the connection's last and cuts the connection once it went out, so the
 * rest of the request body is never read (a refused client trickling a body does not stay connected).
 * Call before the answer's headers are written.
 */
export function closeAfterAnswer(req: IncomingMessage, res: ServerResponse): void {
  if (!res.headersSent) res.setHeader('Connection', 'close')
  // Taken now: Node detaches the socket from both objects once the answer is done. Null when the
  // connection is already gone.
  const socket = (req.socket as Socket | null) ?? res.socket
  if (!socket) return
  // Node ends a `Connection: close` answer's socket itself; this makes sure it is gone soon after.
  res.once('finish', () => setTimeout(() => socket.destroy(), CLOSE_AFTER_ANSWER_MS).unref())
}

/** A whole raw HTTP/1.1 answer for a socket no ServerResponse writes to (errors before a request). */
export function rawAnswer(status: number, reason: string, body: Record<string, unknown>): string {
  const text = JSON.stringify(body)
  return (
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`
  )
}

/** Ends a raw socket with `text` and cuts it soon after, whether or not the peer reads it. */
export function endRawSocket(socket: Socket, text: string): void {
  if (socket.writable) socket.end(text)
  setTimeout(() => socket.destroy(), CLOSE_AFTER_ANSWER_MS).unref()
}

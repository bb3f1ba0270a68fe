/**
 * The connection caps of the local API's edge, on real (unconnected) sockets: which connection is refused,
 * with what reason, when it is cut, and that a closed connection frees its place. Over real HTTP:
 * tests/integration/api/edge-limits.test.ts.
 */
import { Socket } from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  ConnectionGate,
  OVER_CAP_GRACE_MS,
  rawAnswer,
} from '../../../../electron/core/api/edge-limits'

const sockets: Socket[] = []
const socket = (): Socket => {
  const s = new Socket()
  sockets.push(s)
  return s
}
/** Closes `s` and waits for its `close` event (the gate releases on it). */
const close = (s: Socket): Promise<void> =>
  new Promise((resolve) => {
    s.once('close', () => resolve())
    s.destroy()
  })

afterEach(() => {
  vi.useRealTimers()
  for (const s of sockets.splice(0)) s.destroy()
})

describe('with a token configured', () => {
  const gate = () => new ConnectionGate({ maxConnections: 3, maxUnauthenticated: 1 }, () => true)

  it('the connection past the unauthenticated cap must bring the token; once it does it is in', () => {
    const g = gate()
    const [a, b] = [socket(), socket()]
    g.admit(a)
    g.admit(b)
    expect(g.refusalBeforeGuard(a)).toBeNull()
    expect(g.refusalAfterGuard(a, false)).toBeNull()
    expect(g.refusalBeforeGuard(b)).toBeNull()
    const reason = g.refusalAfterGuard(b, false)
    expect(reason).toMatch(/without a valid token/)
    expect(reason).toContain('limit 1')
    expect(g.refusalAfterGuard(b, true)).toBeNull()
    // Authenticated for good: a later request without the token is not refused.
    expect(g.refusalAfterGuard(b, false)).toBeNull()
  })

  it('a connection that authenticated and closed does not free an unauthenticated place', async () => {
    const g = gate()
    const a = socket()
    g.admit(a)
    expect(g.refusalAfterGuard(a, true)).toBeNull()
    const b = socket()
    g.admit(b)
    expect(g.refusalAfterGuard(b, false)).toBeNull()
    await close(a)
    expect(g.size).toBe(1)
    const c = socket()
    g.admit(c)
    expect(g.refusalAfterGuard(c, false)).toMatch(/limit 1/)
  })

  it('an unauthenticated connection that closed frees its place', async () => {
    const g = gate()
    const a = socket()
    g.admit(a)
    await close(a)
    const b = socket()
    g.admit(b)
    expect(g.refusalAfterGuard(b, false)).toBeNull()
  })
})

describe('the total cap', () => {
  it('refuses the connection past it before anything else, naming the limit; closing one frees a place', async () => {
    const g = new ConnectionGate({ maxConnections: 2, maxUnauthenticated: 10 }, () => false)
    const [a, b, c] = [socket(), socket(), socket()]
    for (const s of [a, b, c]) g.admit(s)
    expect(g.size).toBe(3)
    expect(g.refusalBeforeGuard(a)).toBeNull()
    expect(g.refusalBeforeGuard(b)).toBeNull()
    expect(g.refusalBeforeGuard(c)).toBe('too many open connections (limit 2): try again shortly')
    // Without a token configured nobody is refused for want of one.
    expect(g.refusalAfterGuard(c, false)).toBeNull()
    await close(a)
    expect(g.size).toBe(2)
    const d = socket()
    g.admit(d)
    expect(g.refusalBeforeGuard(d)).toBe('too many open connections (limit 2): try again shortly')
    await close(d)
    await close(c)
    const e = socket()
    g.admit(e)
    expect(g.refusalBeforeGuard(e)).toBeNull()
  })

  it('at twice the cap a new connection is cut at once and not counted', () => {
    const g = new ConnectionGate({ maxConnections: 1, maxUnauthenticated: 10 }, () => false)
    const [a, b, c] = [socket(), socket(), socket()]
    g.admit(a)
    g.admit(b)
    expect(b.destroyed).toBe(false)
    g.admit(c)
    expect(c.destroyed).toBe(true)
    expect(g.size).toBe(2)
  })

  it('a connection over the cap is cut after the grace time unless its request arrived', () => {
    vi.useFakeTimers()
    const g = new ConnectionGate({ maxConnections: 1, maxUnauthenticated: 10 }, () => false)
    const [a, idle] = [socket(), socket()]
    g.admit(a)
    g.admit(idle)
    vi.advanceTimersByTime(OVER_CAP_GRACE_MS - 1)
    expect(idle.destroyed).toBe(false)
    vi.advanceTimersByTime(1)
    expect(idle.destroyed).toBe(true)
    expect(a.destroyed).toBe(false)
  })

  it('the grace timer stops once the request is looked at (its answer then closes it)', () => {
    vi.useFakeTimers()
    const g = new ConnectionGate({ maxConnections: 1, maxUnauthenticated: 10 }, () => false)
    const [a, b] = [socket(), socket()]
    g.admit(a)
    g.admit(b)
    expect(g.refusalBeforeGuard(b)).not.toBeNull()
    vi.advanceTimersByTime(10 * OVER_CAP_GRACE_MS)
    expect(b.destroyed).toBe(false)
  })

  it('a socket the gate never saw is not refused', () => {
    const g = new ConnectionGate({ maxConnections: 1, maxUnauthenticated: 1 }, () => true)
    expect(g.refusalBeforeGuard(socket())).toBeNull()
    expect(g.refusalAfterGuard(socket(), false)).toBeNull()
  })
})

describe('rawAnswer', () => {
  it('is a whole HTTP/1.1 answer whose Content-Length counts bytes, not characters', () => {
    const text = rawAnswer(431, 'Request Header Fields Too Large', {
      error: 'headers too large — ü',
    })
    const [head, body] = text.split('\r\n\r\n')
    const lines = head!.split('\r\n')
    expect(lines[0]).toBe('HTTP/1.1 431 Request Header Fields Too Large')
    expect(lines).toContain('Connection: close')
    expect(lines).toContain('Content-Type: application/json; charset=utf-8')
    expect(JSON.parse(body!)).toEqual({ error: 'headers too large — ü' })
    expect(lines).toContain(`Content-Length: ${Buffer.from(body!, 'utf8').length}`)
    expect(Buffer.from(body!, 'utf8').length).toBeGreaterThan(body!.length)
  })
})

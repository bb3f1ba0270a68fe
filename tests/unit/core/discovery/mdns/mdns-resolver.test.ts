import { EventEmitter } from 'node:events'
import type { NetworkInterfaceInfo } from 'node:os'
import { describe, expect, it } from 'vitest'
import type { MdnsConfig } from '../../../../../shared/types'
import { createMemoryLogger } from '../../../../../electron/core/logger'
import {
  MdnsResolver,
  type InterfaceTable,
  type MdnsSocket,
} from '../../../../../electron/core/discovery/mdns'

const TABLE: InterfaceTable = {
  eth0: [
    {
      address: '10.231.0.1',
      netmask: '255.255.255.0',
      family: 'IPv4',
      mac: '02:00:00:00:00:01',
      internal: false,
      cidr: '10.231.0.1/24',
    } satisfies NetworkInterfaceInfo,
  ],
}

/** Stands in for multicast-dns (a third-party socket): records queries, lets the test answer. */
class FakeSocket extends EventEmitter {
  queries: { name: string; type: string }[][] = []
  destroyed = false
  sendError: Error | null = null
  query(packet: { questions: { name: string; type: string }[] }, cb?: (err: Error | null) => void) {
    this.queries.push(packet.questions)
    queueMicrotask(() => cb?.(this.sendError))
  }
  destroy() {
    this.destroyed = true
  }
  answer(records: unknown[], from = '10.231.0.2') {
    this.emit(
      'response',
      { type: 'response', answers: records, additionals: [] },
      { address: from, port: 5353 },
    )
  }
}

function setup(config: Partial<MdnsConfig> = {}, interfaces: InterfaceTable = TABLE) {
  const sockets: FakeSocket[] = []
  const opened: unknown[] = []
  let now = 1_000_000
  const memory = createMemoryLogger()
  const resolver = new MdnsResolver({
    logger: memory,
    config: () => ({ enabled: true, interface: '10.231.0.1', ...config }),
    socketFactory: (opts) => {
      opened.push(opts)
      const s = new FakeSocket()
      sockets.push(s)
      return s as unknown as MdnsSocket
    },
    interfaces: () => interfaces,
    now: () => now,
    retryMs: 30_000,
  })
  return { resolver, sockets, opened, memory, advance: (ms: number) => (now += ms) }
}

const A = (address: string, name = 'ollama-server.local', ttl = 120) => ({
  name,
  type: 'A',
  ttl,
  data: address,
})

describe('MdnsResolver', () => {
  it('asks for A and AAAA on the interface (bound to 0.0.0.0), answers and caches by TTL', async () => {
    const { resolver, sockets, opened, advance } = setup()
    const pending = resolver.resolveLocal('Ollama-Server.local', { timeoutMs: 500 })
    expect(opened).toEqual([{ interface: '10.231.0.1', bind: '0.0.0.0' }])
    const socket = sockets[0]!
    expect(socket.queries[0]).toEqual([
      { name: 'ollama-server.local', type: 'A' },
      { name: 'ollama-server.local', type: 'AAAA' },
    ])
    socket.answer([A('10.231.0.2')])
    await expect(pending).resolves.toMatchObject({
      ok: true,
      address: '10.231.0.2',
      fromCache: false,
    })
    const again = await resolver.resolveLocal('ollama-server.local')
    expect(again).toMatchObject({ ok: true, address: '10.231.0.2', fromCache: true })
    expect(socket.queries).toHaveLength(1)
    advance(121_000)
    const expired = resolver.resolveLocal('ollama-server.local', { timeoutMs: 100 })
    expect(socket.queries).toHaveLength(2)
    await expect(expired).resolves.toMatchObject({ ok: false, kind: 'timeout' })
  })

  it.each([
    ['an answer for another name', [A('10.231.0.9', 'other.local')], '10.231.0.2'],
    ['a loopback address', [A('127.0.0.1')], '10.231.0.2'],
    [
      'a malformed record',
      [{ name: 'ollama-server.local', type: 'A', ttl: 120, data: 'x' }],
      '10.231.0.2',
    ],
    ['a sender off our link', [A('10.231.0.9')], '192.168.1.66'],
  ])('ignores %s', async (_why, records, from) => {
    const { resolver, sockets } = setup()
    const pending = resolver.resolveLocal('ollama-server.local', { timeoutMs: 200 })
    sockets[0]!.answer(records, from)
    sockets[0]!.emit('response', 'not a packet', undefined)
    await expect(pending).resolves.toMatchObject({ ok: false, kind: 'timeout' })
  })

  it('follows an address change announced on the LAN and forgets on demand', async () => {
    const { resolver, sockets } = setup()
    const first = resolver.resolveLocal('ollama-server.local', { timeoutMs: 500 })
    sockets[0]!.answer([A('10.231.0.2')])
    await first
    sockets[0]!.answer([A('10.231.0.3')])
    expect(await resolver.resolveLocal('ollama-server.local')).toMatchObject({
      address: '10.231.0.3',
    })
    resolver.forget('http://ollama-server.local:11434')
    const again = resolver.resolveLocal('ollama-server.local', { timeoutMs: 500 })
    expect(sockets[0]!.queries.length).toBeGreaterThan(1)
    sockets[0]!.answer([A('10.231.0.4')])
    await expect(again).resolves.toMatchObject({ address: '10.231.0.4', fromCache: false })
  })

  it('maps URLs for the registry: *.local resolved, others direct, off = direct', async () => {
    const { resolver, sockets } = setup()
    const signal = new AbortController().signal
    expect(await resolver.resolveUrl('http://10.0.0.1:11434', { timeoutMs: 100, signal })).toEqual({
      kind: 'direct',
    })
    const pending = resolver.resolveUrl('http://ollama-server.local:11434', {
      timeoutMs: 500,
      signal,
    })
    sockets[0]!.answer([A('10.231.0.2')])
    expect(await pending).toEqual({
      kind: 'resolved',
      address: '10.231.0.2',
      dialUrl: 'http://10.231.0.2:11434',
    })
    const silent = await resolver.resolveUrl('http://nobody.local:11434', { timeoutMs: 50, signal })
    expect(silent).toEqual({
      kind: 'failed',
      reason: 'no mDNS answer for nobody.local within 50 ms',
    })

    const off = setup({ enabled: false })
    expect(
      await off.resolver.resolveUrl('http://ollama-server.local:11434', { timeoutMs: 50, signal }),
    ).toEqual({ kind: 'direct' })
    expect(off.sockets).toHaveLength(0)
  })

  it('opens no socket until a *.local name is asked for', async () => {
    const { resolver, sockets } = setup()
    expect(await resolver.resolveLocal('gpu.lan')).toMatchObject({ ok: false, kind: 'not-local' })
    expect(sockets).toHaveLength(0)
    expect(resolver.isOpen).toBe(false)
  })

  it('EADDRINUSE on 5353: one clear warning, lookups fall back, a retry after retryMs', async () => {
    const { resolver, sockets, memory, advance } = setup()
    const pending = resolver.resolveLocal('ollama-server.local', { timeoutMs: 1000 })
    sockets[0]!.emit(
      'error',
      Object.assign(new Error('bind EADDRINUSE 0.0.0.0:5353'), { code: 'EADDRINUSE' }),
    )
    await expect(pending).resolves.toMatchObject({ ok: false, kind: 'unavailable' })
    expect(sockets[0]!.destroyed).toBe(true)
    const warnings = memory.records.filter((r) => r.level === 'WARNING').map((r) => r.message)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/port 5353 is held by another program.*retrying in 30 s/)
    const signal = new AbortController().signal
    expect(
      await resolver.resolveUrl('http://ollama-server.local:1', { timeoutMs: 50, signal }),
    ).toEqual({
      kind: 'direct',
    })
    expect(sockets).toHaveLength(1)
    advance(30_001)
    void resolver.resolveLocal('ollama-server.local', { timeoutMs: 10 })
    expect(sockets).toHaveLength(2)
  })

  it('no multicast route (send fails): warning, not fatal, retried later', async () => {
    const { resolver, sockets, memory } = setup()
    const pending = resolver.resolveLocal('ollama-server.local', { timeoutMs: 1000 })
    const socket = sockets[0]!
    socket.sendError = Object.assign(new Error('send ENETUNREACH 224.0.0.251:5353'), {
      code: 'ENETUNREACH',
    })
    // The first query's callback already ran without error; make the retry fail.
    const second = resolver.resolveLocal('other.local', { timeoutMs: 1000 })
    await expect(second).resolves.toMatchObject({ ok: false, kind: 'unavailable' })
    await expect(pending).resolves.toMatchObject({ ok: false, kind: 'unavailable' })
    expect(
      memory.records.some((r) => r.level === 'WARNING' && /no route for multicast/.test(r.message)),
    ).toBe(true)
  })

  it('an mdns.interface that is not on this machine: warning, no socket', async () => {
    const { resolver, sockets, memory } = setup({ interface: '10.9.9.9' })
    expect(await resolver.resolveLocal('ollama-server.local')).toMatchObject({
      ok: false,
      kind: 'unavailable',
      reason: expect.stringMatching(/10\.9\.9\.9 is not on any network interface/),
    })
    expect(sockets).toHaveLength(0)
    expect(memory.records.filter((r) => r.level === 'WARNING')).toHaveLength(1)
  })

  it('accepts seeded addresses only when they pass the same checks', async () => {
    const { resolver, sockets } = setup()
    resolver.seed([
      { name: 'gpu-box.local', address: '10.231.0.2', family: 4, ttlS: 120 },
      { name: 'evil.local', address: '127.0.0.1', family: 4, ttlS: 120 },
    ])
    expect(await resolver.resolveLocal('gpu-box.local')).toMatchObject({
      ok: true,
      fromCache: true,
    })
    expect(await resolver.resolveLocal('evil.local', { timeoutMs: 20 })).toMatchObject({
      ok: false,
    })
    expect(sockets).toHaveLength(1)
  })
})

import { networkInterfaces } from 'node:os'
import type { RemoteInfo } from 'node:dgram'
import type { MdnsConfig } from '../../../../shared/types'
import type { Logger } from '../../logger'
import type { HostResolution, HostResolver } from '../server-registry'
import {
  hasInterfaceAddress,
  isOnLink,
  localNameOf,
  localNameOfUrl,
  urlWithAddress,
  type InterfaceTable,
} from './mdns-address'
import { addressAnswersOf, type AddressRecord } from './mdns-answers'
import { AddressCache } from './address-cache'
import {
  defaultMdnsSocketFactory,
  describeMdnsSocketError,
  mdnsSocketOptions,
  ThrottledWarnings,
  type MdnsSocket,
  type MdnsSocketFactory,
} from './mdns-socket'

/** Options of the MdnsResolver. */
export interface MdnsResolverOptions {
  logger: Logger
  /** Read on every call, so turning mDNS off or changing the interface takes effect at once. */
  config: () => MdnsConfig
  /** Default: multicast-dns. Tests pass a fake so no real socket is opened. */
  socketFactory?: MdnsSocketFactory
  /** Default: os.networkInterfaces. */
  interfaces?: () => InterfaceTable
  now?: () => number
  /** After a socket failure, wait this long before opening one again (default 30 s). */
  retryMs?: number
  /** Default timeout of resolveLocal (default 1500 ms). */
  timeoutMs?: number
}

/** Options of one resolution. */
export interface ResolveLocalOptions {
  timeoutMs?: number
  signal?: AbortSignal
}

/** Why a name could not be resolved. */
export type ResolveFailureKind = 'not-local' | 'disabled' | 'unavailable' | 'timeout' | 'cancelled'

/** The outcome of resolveLocal, as a value: it never throws. */
export type ResolveLocalResult =
  | { ok: true; name: string; address: string; family: 4 | 6; ttlS: number; fromCache: boolean }
  | { ok: false; name: string; kind: ResolveFailureKind; reason: string }

interface Pending {
  settle: (record: AddressRecord | null) => void
}

/**
 * Resolves `*.local` host names with our own mDNS A/AAAA queries (multicast-dns), caching answers
 * for their TTL. Accepts only answers for names it asked about, from on-link senders, with valid
 * unicast addresses. The socket opens on the first `*.local` lookup, not before, so a config
 * without such names never sends multicast. Socket trouble (port 5353 taken, no multicast route,
 * interface gone) is logged as a warning and retried later; meanwhile names go to the OS resolver.
 */
export class MdnsResolver implements HostResolver {
  private readonly cache: AddressCache
  private readonly asked = new Set<string>()
  private readonly pending = new Map<string, Set<Pending>>()
  private readonly warnings: ThrottledWarnings
  private readonly factory: MdnsSocketFactory
  private readonly interfaces: () => InterfaceTable
  private readonly now: () => number
  private socket: MdnsSocket | null = null
  private socketIface: string | null = null
  private failedAt: number | null = null
  private lastFailure = ''

  constructor(private readonly opts: MdnsResolverOptions) {
    this.now = opts.now ?? Date.now
    this.cache = new AddressCache(this.now)
    this.warnings = new ThrottledWarnings(opts.logger, this.now)
    this.factory = opts.socketFactory ?? defaultMdnsSocketFactory
    this.interfaces = opts.interfaces ?? networkInterfaces
  }

  /** True while a socket is open (for diagnostics and tests). */
  get isOpen(): boolean {
    return this.socket !== null
  }

  /**
   * Resolves a `*.local` name: from the cache while its TTL lasts, else by asking the LAN (the
   * query is repeated once, as mDNS packets get lost). IPv4 answers are preferred.
   */
  async resolveLocal(host: string, opts: ResolveLocalOptions = {}): Promise<ResolveLocalResult> {
    const name = localNameOf(host)
    if (name === null) {
      return { ok: false, name: host, kind: 'not-local', reason: `"${host}" is not a *.local name` }
    }
    if (!this.opts.config().enabled) {
      return { ok: false, name, kind: 'disabled', reason: 'mDNS is turned off (mdns.enabled)' }
    }
    this.asked.add(name)
    const cached = this.cache.get(name)
    if (cached) return { ok: true, ...cached, fromCache: true }
    if (opts.signal?.aborted) return this.cancelled(name)
    const socket = this.ensureSocket()
    if (socket === null) {
      return {
        ok: false,
        name,
        kind: 'unavailable',
        reason: `mDNS unavailable: ${this.lastFailure}`,
      }
    }
    const timeoutMs = opts.timeoutMs ?? this.opts.timeoutMs ?? 1500
    const record = await this.ask(socket, name, timeoutMs, opts.signal)
    if (record) return { ok: true, ...record, fromCache: false }
    if (opts.signal?.aborted) return this.cancelled(name)
    if (this.socket === null) {
      return {
        ok: false,
        name,
        kind: 'unavailable',
        reason: `mDNS unavailable: ${this.lastFailure}`,
      }
    }
    return {
      ok: false,
      name,
      kind: 'timeout',
      reason: `no mDNS answer for ${name} within ${timeoutMs} ms`,
    }
  }

  /**
   * The registry's hook: a `*.local` URL becomes the URL of its resolved address. Other URLs, and
   * every URL while mDNS is off or its socket cannot work, are dialled as they are (OS resolver).
   */
  async resolveUrl(
    url: string,
    opts: { timeoutMs: number; signal: AbortSignal },
  ): Promise<HostResolution> {
    const name = localNameOfUrl(url)
    if (name === null) return { kind: 'direct' }
    const result = await this.resolveLocal(name, opts)
    if (result.ok) {
      return {
        kind: 'resolved',
        address: result.address,
        dialUrl: urlWithAddress(url, result.address),
      }
    }
    switch (result.kind) {
      case 'timeout':
      case 'cancelled':
        return { kind: 'failed', reason: result.reason }
      default:
        return { kind: 'direct' }
    }
  }

  /** Forgets the cached address of a URL's (or a bare name's) host: its server stopped answering. */
  forget(urlOrName: string): void {
    const name = localNameOfUrl(urlOrName) ?? localNameOf(urlOrName)
    if (name !== null) this.cache.forget(name)
  }

  /**
   * Adds addresses learned elsewhere (a `_ollama._tcp` answer carries its host's A records). They
   * pass the same checks as our own answers.
   */
  seed(records: readonly AddressRecord[]): void {
    const usable = addressAnswersOf({ answers: records.map(toWireRecord) }, () => true).records
    for (const r of usable) this.asked.add(r.name)
    this.cache.put(usable)
  }

  /** Closes the socket and fails pending lookups; a later lookup opens a new socket. */
  dispose(): void {
    this.closeSocket()
    this.failAllPending()
  }

  // ---- the socket ----

  private ensureSocket(): MdnsSocket | null {
    const iface = this.opts.config().interface
    if (this.socket !== null && this.socketIface !== iface) this.closeSocket()
    if (this.socket !== null) return this.socket
    const retryMs = this.opts.retryMs ?? 30_000
    if (this.failedAt !== null && this.now() - this.failedAt < retryMs) return null
    if (iface !== null && !hasInterfaceAddress(iface, this.interfaces())) {
      this.fail(
        `the mdns.interface address ${iface} is not on any network interface of this machine`,
      )
      return null
    }
    let socket: MdnsSocket
    try {
      socket = this.factory(mdnsSocketOptions(iface))
    } catch (err) {
      this.fail(describeMdnsSocketError(err))
      return null
    }
    socket.on('response', (packet: unknown, rinfo: RemoteInfo) => this.onResponse(packet, rinfo))
    socket.on('error', (err: unknown) => {
      if (this.socket === socket) this.fail(describeMdnsSocketError(err))
    })
    socket.on('warning', (err: unknown) => {
      // Decode errors are malformed packets from the LAN: not worth a warning line each.
      if (err instanceof RangeError || /decode|offset|buffer/i.test(String(err))) {
        this.opts.logger.debug(`mDNS: ignored a malformed packet (${String(err)})`)
        return
      }
      this.warnings.warn(`mDNS: ${describeMdnsSocketError(err)}; still trying`)
    })
    this.socket = socket
    this.socketIface = iface
    this.failedAt = null
    this.warnings.reset()
    return socket
  }

  private fail(reason: string): void {
    this.lastFailure = reason
    this.failedAt = this.now()
    const retryS = Math.round((this.opts.retryMs ?? 30_000) / 1000)
    this.warnings.warn(
      `mDNS: ${reason}; *.local names go to the OS resolver for now, retrying in ${retryS} s`,
    )
    this.closeSocket()
    this.failAllPending()
  }

  private closeSocket(): void {
    const socket = this.socket
    this.socket = null
    if (!socket) return
    try {
      socket.destroy()
    } catch {
      // Closing a socket whose interface vanished can throw; it is gone either way.
    }
  }

  private failAllPending(): void {
    for (const set of this.pending.values()) for (const p of set) p.settle(null)
  }

  // ---- queries and answers ----

  private ask(
    socket: MdnsSocket,
    name: string,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<AddressRecord | null> {
    return new Promise((resolve) => {
      const timers: ReturnType<typeof setTimeout>[] = []
      const entry: Pending = {
        settle: (record) => {
          for (const t of timers) clearTimeout(t)
          signal?.removeEventListener('abort', onAbort)
          const set = this.pending.get(name)
          set?.delete(entry)
          if (set?.size === 0) this.pending.delete(name)
          resolve(record)
        },
      }
      const onAbort = (): void => entry.settle(null)
      signal?.addEventListener('abort', onAbort, { once: true })
      const set = this.pending.get(name) ?? new Set<Pending>()
      set.add(entry)
      this.pending.set(name, set)
      const send = (): void => {
        if (this.socket !== socket) return
        socket.query(
          {
            questions: [
              { name, type: 'A' },
              { name, type: 'AAAA' },
            ],
          },
          (err: Error | null) => {
            if (err && this.socket === socket) this.fail(describeMdnsSocketError(err))
          },
        )
      }
      send()
      timers.push(setTimeout(send, Math.max(50, Math.floor(timeoutMs / 3))))
      timers.push(setTimeout(() => entry.settle(null), timeoutMs))
    })
  }

  private onResponse(packet: unknown, rinfo: RemoteInfo | undefined): void {
    const source = rinfo?.address ?? ''
    if (!isOnLink(source, this.interfaces())) {
      this.opts.logger.debug(
        `mDNS: ignored an answer from ${source || 'nowhere'} (not on our link)`,
      )
      return
    }
    const answers = addressAnswersOf(packet, (name) => this.asked.has(name))
    for (const why of answers.ignored)
      this.opts.logger.debug(`mDNS: ignored ${why} (from ${source})`)
    if (answers.records.length === 0 && answers.goodbyes.length === 0) return
    this.cache.remove(answers.goodbyes)
    this.cache.put(answers.records)
    for (const [name, set] of this.pending) {
      const record = this.cache.get(name)
      if (record) for (const p of [...set]) p.settle(record)
    }
  }

  private cancelled(name: string): ResolveLocalResult {
    return { ok: false, name, kind: 'cancelled', reason: `resolving ${name} was cancelled` }
  }
}

function toWireRecord(r: AddressRecord): Record<string, unknown> {
  return { name: r.name, type: r.family === 4 ? 'A' : 'AAAA', ttl: r.ttlS, data: r.address }
}

import { networkInterfaces } from 'node:os'
import type { OllamaProviderConfig } from '../../../../shared/types'
import { Emitter } from '../../emitter'
import type { Logger } from '../../logger'
import type { Discoverer, FoundServer } from '../discoverer'
import {
  hasInterfaceAddress,
  isOnLink,
  isUsableUnicast,
  localNameOf,
  type InterfaceTable,
} from './mdns-address'
import type { AddressRecord } from './mdns-answers'
import {
  defaultBonjourFactory,
  describeMdnsSocketError,
  mdnsSocketOptions,
  ThrottledWarnings,
  type BonjourFactory,
  type BonjourInstance,
} from './mdns-socket'

/** The DNS-SD service type Ollama boxes are published under (`_ollama._tcp.local`). */
export const OLLAMA_SERVICE_TYPE = 'ollama'

/** TTL we give addresses learned from a service answer (bonjour's A records use 120 s). */
const SEEDED_TTL_S = 120

/** The parts of a bonjour-service Service we read; everything is checked, nothing trusted. */
export interface SeenService {
  name?: unknown
  host?: unknown
  port?: unknown
  addresses?: unknown
  referer?: { address?: unknown } | undefined
  txt?: unknown
}

/** What the discoverer makes of one `_ollama._tcp` answer. */
export interface ServiceEntry {
  /** The service instance name: the server's id and the name the user trusts. */
  name: string
  url: string
  /** The address the answer carried for the host (null when the URL names a `*.local` host only). */
  address: string | null
  /** The `*.local` host to resolve, when the service named one. */
  localHost: string | null
  /** TXT `id` (an AILLM advertiser's stable id), when present. */
  advertiserId: string | null
}

/** Options of the MdnsDiscoverer. */
export interface MdnsDiscovererOptions {
  logger: Logger
  config: () => OllamaProviderConfig
  /** Addresses from service answers go here, so `*.local` hosts resolve without another query. */
  seed?: (records: AddressRecord[]) => void
  /** Our own advertiser's id: our own machine is not listed as a discovered server. */
  ownId?: () => string | null
  bonjourFactory?: BonjourFactory
  interfaces?: () => InterfaceTable
  /** Re-query and expiry period (bonjour's browser asks only once); default 15 s. */
  requeryMs?: number
  /** After a socket failure, wait this long before trying again; default 30 s. */
  retryMs?: number
  /** The first discover() after browsing starts waits this long for answers; default 1000 ms. */
  firstWaitMs?: number
  /** Changes are announced this long after the last one, so a flap is one event; default 300 ms. */
  settleMs?: number
  now?: () => number
}

const NAME_MAX = 63

/**
 * Turns one service answer into an entry, or a reason to ignore it. Pure: the rules for spoofed or
 * malformed answers live here (bad name or port, no usable address, sender not on our link).
 */
export function serviceEntryOf(
  service: SeenService,
  interfaces: InterfaceTable,
): ServiceEntry | { ignored: string } {
  const rawName = service.name
  if (typeof rawName !== 'string' || rawName.trim() === '') return { ignored: 'no service name' }
  // eslint-disable-next-line no-control-regex
  const name = rawName.replace(/[\u0000-\u001f\u007f]/g, '').trim()
  if (name === '' || name.length > NAME_MAX) return { ignored: `bad service name "${rawName}"` }
  const port = service.port
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    return { ignored: `${name}: bad port ${String(port)}` }
  }
  const referer = service.referer?.address
  if (typeof referer === 'string' && referer !== '' && !isOnLink(referer, interfaces)) {
    return { ignored: `${name}: answer from ${referer}, which is not on our link` }
  }
  const addresses = Array.isArray(service.addresses) ? service.addresses : []
  const usable = addresses.filter(isUsableUnicast)
  const address =
    usable.find((a) => !a.includes(':')) ??
    usable[0] ??
    (isUsableUnicast(referer) ? referer : null) ??
    null
  const localHost = typeof service.host === 'string' ? localNameOf(service.host) : null
  const txt = service.txt as Record<string, unknown> | undefined
  const rawId = typeof txt === 'object' && txt !== null ? txt['id'] : undefined
  const advertiserId = typeof rawId === 'string' && rawId !== '' ? rawId : null
  if (localHost !== null) {
    return { name, url: `http://${localHost}:${port}`, address, localHost, advertiserId }
  }
  if (address === null) return { ignored: `${name}: no usable address in the answer` }
  const host = address.includes(':') ? `[${address}]` : address
  return { name, url: `http://${host}:${port}`, address, localHost: null, advertiserId }
}

/**
 * Finds LAN boxes published as `_ollama._tcp` (config `auto_discover`): browses continuously with
 * bonjour-service, re-queries and expires on a timer, drops a box on its goodbye. Each box is a
 * SECONDARY server with source `mdns`, trusted only by `trust_discovered` or by name in
 * `trusted_servers` (so trust follows the name when the address changes). `onDidChange` fires
 * when the set of boxes changes, so the registry can re-discover at once.
 */
export class MdnsDiscoverer implements Discoverer {
  private readonly changes = new Emitter<void>()
  private readonly warnings: ThrottledWarnings
  private readonly factory: BonjourFactory
  private readonly interfaces: () => InterfaceTable
  private readonly now: () => number
  private bonjour: BonjourInstance | null = null
  private browser: ReturnType<BonjourInstance['find']> | null = null
  private iface: string | null = null
  private timer: ReturnType<typeof setInterval> | null = null
  private settleTimer: ReturnType<typeof setTimeout> | null = null
  private failedAt: number | null = null
  private retryTimer: ReturnType<typeof setTimeout> | null = null
  private firstWait: Promise<void> | null = null
  private disposed = false

  /** Fires (debounced) when a box appears, changes or goes away. */
  readonly onDidChange = this.changes.event

  constructor(private readonly opts: MdnsDiscovererOptions) {
    this.warnings = new ThrottledWarnings(opts.logger, opts.now)
    this.factory = opts.bonjourFactory ?? defaultBonjourFactory
    this.interfaces = opts.interfaces ?? networkInterfaces
    this.now = opts.now ?? Date.now
  }

  /** True while browsing (for diagnostics and tests). */
  get isBrowsing(): boolean {
    return this.browser !== null
  }

  /**
   * The boxes seen now. Starts (or stops) browsing to match the config; the first call after
   * browsing starts waits briefly for the first answers. Never throws.
   */
  async discover(signal: AbortSignal): Promise<FoundServer[]> {
    this.sync()
    if (this.firstWait) {
      let onAbort = (): void => {}
      await Promise.race([
        this.firstWait,
        new Promise<void>((resolve) => {
          onAbort = resolve
          signal.addEventListener('abort', onAbort, { once: true })
        }),
      ])
      signal.removeEventListener('abort', onAbort)
      this.firstWait = null
    }
    return this.list()
  }

  /** Starts or stops browsing to match the config (mdns.enabled, auto_discover, mdns.interface). */
  sync(): void {
    if (this.disposed) return
    const config = this.opts.config()
    const wanted = config.enabled && config.auto_discover && config.mdns.enabled
    if (!wanted) {
      if (this.bonjour) this.opts.logger.info('mDNS discovery stopped')
      this.close()
      return
    }
    const iface = config.mdns.interface
    if (this.bonjour && this.iface !== iface) this.close()
    if (this.bonjour) return
    const retryMs = this.opts.retryMs ?? 30_000
    if (this.failedAt !== null && this.now() - this.failedAt < retryMs) return
    if (iface !== null && !hasInterfaceAddress(iface, this.interfaces())) {
      this.fail(
        `the mdns.interface address ${iface} is not on any network interface of this machine`,
      )
      return
    }
    this.open(iface)
  }

  /** Stops browsing and the timers. */
  dispose(): void {
    this.close()
    this.disposed = true
    if (this.settleTimer) clearTimeout(this.settleTimer)
    this.settleTimer = null
    this.changes.dispose()
  }

  private open(iface: string | null): void {
    let bonjour: BonjourInstance
    try {
      bonjour = this.factory(mdnsSocketOptions(iface), (err, fatal) => {
        if (this.bonjour !== bonjour) return
        if (fatal) this.fail(describeMdnsSocketError(err))
        else this.warnings.warn(`mDNS discovery: ${describeMdnsSocketError(err)}; still trying`)
      })
    } catch (err) {
      this.fail(describeMdnsSocketError(err))
      return
    }
    this.bonjour = bonjour
    this.iface = iface
    this.failedAt = null
    const browser = bonjour.find({ type: OLLAMA_SERVICE_TYPE })
    this.browser = browser
    browser.on('up', (s) => this.seen('up', s))
    browser.on('down', (s) => this.seen('down', s))
    browser.on('srv-update', (s) => this.seen('update', s))
    browser.on('txt-update', (s) => this.seen('update', s))
    const every = this.opts.requeryMs ?? 15_000
    this.timer = setInterval(() => {
      this.sync()
      this.browser?.expire()
      this.browser?.update()
    }, every)
    this.timer.unref?.()
    const firstWaitMs = this.opts.firstWaitMs ?? 1000
    this.firstWait = new Promise((resolve) => setTimeout(resolve, firstWaitMs).unref?.())
    this.opts.logger.info(`mDNS discovery: browsing for _ollama._tcp${iface ? ` on ${iface}` : ''}`)
  }

  private close(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    if (this.retryTimer) clearTimeout(this.retryTimer)
    this.retryTimer = null
    this.browser?.stop()
    this.browser = null
    const bonjour = this.bonjour
    this.bonjour = null
    this.firstWait = null
    if (!bonjour) return
    try {
      bonjour.destroy()
    } catch {
      // A socket whose interface vanished may fail to close; it is gone either way.
    }
    this.announce()
  }

  private fail(reason: string): void {
    this.failedAt = this.now()
    const retryMs = this.opts.retryMs ?? 30_000
    this.warnings.warn(`mDNS discovery: ${reason}; retrying in ${Math.round(retryMs / 1000)} s`)
    this.close()
    if (this.disposed) return
    // Nothing else would call sync() again (the re-query interval died with the socket), so the
    // retry the warning promises needs its own timer.
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null
      this.failedAt = null
      this.sync()
    }, retryMs)
    this.retryTimer.unref?.()
  }

  private seen(what: 'up' | 'down' | 'update', service: SeenService): void {
    const entry = serviceEntryOf(service, this.interfaces())
    if ('ignored' in entry) {
      this.opts.logger.debug(`mDNS discovery: ignored an answer (${entry.ignored})`)
      return
    }
    if (what === 'up') this.opts.logger.info(`mDNS discovery: found ${entry.name} at ${entry.url}`)
    if (what === 'down') this.opts.logger.info(`mDNS discovery: ${entry.name} went away`)
    if (what !== 'down' && entry.localHost !== null && entry.address !== null) {
      const family = entry.address.includes(':') ? 6 : 4
      this.opts.seed?.([
        { name: entry.localHost, address: entry.address, family, ttlS: SEEDED_TTL_S },
      ])
    }
    this.announce()
  }

  private announce(): void {
    if (this.settleTimer) clearTimeout(this.settleTimer)
    this.settleTimer = setTimeout(() => {
      this.settleTimer = null
      this.changes.fire()
    }, this.opts.settleMs ?? 300)
    this.settleTimer.unref?.()
  }

  private list(): FoundServer[] {
    if (!this.browser) return []
    const config = this.opts.config()
    const ownId = this.opts.ownId?.() ?? null
    const interfaces = this.interfaces()
    const byName = new Map<string, FoundServer>()
    for (const service of this.browser.services as SeenService[]) {
      const entry = serviceEntryOf(service, interfaces)
      if ('ignored' in entry) continue
      if (ownId !== null && entry.advertiserId === ownId) continue
      if (byName.has(entry.name)) continue
      byName.set(entry.name, {
        id: entry.name,
        name: entry.name,
        urls: [entry.url],
        priority: 'SECONDARY',
        source: 'mdns',
        trusted: config.trust_discovered || config.trusted_servers.includes(entry.name),
        resolvedAddress: entry.address,
      })
    }
    return [...byName.values()]
  }
}

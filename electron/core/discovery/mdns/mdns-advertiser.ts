import { randomUUID } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { hostname as osHostname, networkInterfaces } from 'node:os'
import { join } from 'node:path'
import type { OllamaProviderConfig } from '../../../../shared/types'
import { isLoopbackHost, OLLAMA_DEFAULT_PORT } from '../../config/host-url'
import type { Logger } from '../../logger'
import { probeServer, type ProbeResult } from '../prober'
import { lanAddresses, type InterfaceTable } from './mdns-address'
import { OLLAMA_SERVICE_TYPE } from './mdns-discoverer'
import {
  defaultBonjourFactory,
  describeMdnsSocketError,
  mdnsSocketOptions,
  ThrottledWarnings,
  type BonjourFactory,
  type BonjourInstance,
} from './mdns-socket'

/** File in the data dir that holds this machine's advertiser id. */
export const ADVERTISER_ID_FILE = 'mdns-id'

/**
 * This machine's stable advertiser id (TXT `id`), kept in `<dataDir>/mdns-id` so it survives
 * restarts and address changes. A data dir that cannot be written gives a per-run id.
 */
export function loadAdvertiserId(dataDir: string, logger: Logger | null = null): string {
  const file = join(dataDir, ADVERTISER_ID_FILE)
  try {
    const text = readFileSync(file, 'utf8').trim()
    if (/^[A-Za-z0-9-]{8,64}$/.test(text)) return text
  } catch {
    // No id yet: make one below.
  }
  const id = randomUUID()
  try {
    mkdirSync(dataDir, { recursive: true })
    const tmp = `${file}.${process.pid}.tmp`
    writeFileSync(tmp, `${id}\n`)
    renameSync(tmp, file)
  } catch (err) {
    logger?.warn(`mDNS: could not save the advertiser id in ${file} (${(err as Error).message})`)
  }
  return id
}

/** The local Ollama to advertise: the first configured loopback server's port, else 11434. */
export function localOllamaPort(config: OllamaProviderConfig): number {
  const urls = [
    ...(config.base_url ? [config.base_url] : []),
    ...config.fallback_urls,
    ...config.additional_servers.map((s) => s.url),
  ]
  for (const raw of urls) {
    try {
      const url = new URL(/^[a-z]+:\/\//i.test(raw) ? raw : `http://${raw}`)
      if (!isLoopbackHost(url.hostname)) continue
      return url.port === '' ? OLLAMA_DEFAULT_PORT : Number(url.port)
    } catch {
      // An unusable URL is the config's problem, reported there.
    }
  }
  return OLLAMA_DEFAULT_PORT
}

/** The advertiser's state, as a value. */
export type AdvertiserState =
  | { kind: 'off' }
  | { kind: 'not-reachable'; reason: string }
  /** Published, waiting for bonjour's name probe and first announcement (its `up` event). */
  | { kind: 'announcing'; name: string; url: string; txt: Record<string, string> }
  | { kind: 'published'; name: string; url: string; txt: Record<string, string> }
  /** The service never came up (its name taken on the network, or the socket died); retried later. */
  | { kind: 'failed'; reason: string }

/** Options of the MdnsAdvertiser. */
export interface MdnsAdvertiserOptions {
  logger: Logger
  config: () => OllamaProviderConfig
  /** Where the stable id is kept. */
  dataDir: string
  /** Advertise even when config `advertise` is false (`serve --advertise`). */
  force?: boolean
  /** Service instance name; default this machine's host name. */
  serviceName?: string
  bonjourFactory?: BonjourFactory
  interfaces?: () => InterfaceTable
  probe?: (url: string, opts: { timeoutMs: number }) => Promise<ProbeResult>
  /** How often reachability and the TXT data are checked again; default 60 s. */
  checkMs?: number
  /** How long a published service may take to come up (name probe + announcement); default 5 s. */
  announceTimeoutMs?: number
}

/**
 * Publishes this machine's Ollama as `_ollama._tcp` (TXT: version, models = model count, id) when
 * config `advertise` (or `serve --advertise`) asks for it, and only while that Ollama answers on a
 * LAN address of this machine: an Ollama bound to loopback only is not advertised, since nobody
 * could reach it. Says goodbye on stop.
 */
export class MdnsAdvertiser {
  private readonly warnings: ThrottledWarnings
  private readonly factory: BonjourFactory
  private readonly interfaces: () => InterfaceTable
  private readonly probe: NonNullable<MdnsAdvertiserOptions['probe']>
  private bonjour: BonjourInstance | null = null
  private published: { key: string; iface: string | null; up: boolean } | null = null
  private current: AdvertiserState = { kind: 'off' }
  private timer: ReturnType<typeof setInterval> | null = null
  private checking: Promise<void> | null = null
  /** check() was called while a check ran: the config may have changed after it read it. */
  private dirty = false
  private announceTimer: ReturnType<typeof setTimeout> | null = null
  private idValue: string | null = null
  private stopped = true

  constructor(private readonly opts: MdnsAdvertiserOptions) {
    this.warnings = new ThrottledWarnings(opts.logger)
    this.factory = opts.bonjourFactory ?? defaultBonjourFactory
    this.interfaces = opts.interfaces ?? networkInterfaces
    this.probe = opts.probe ?? ((url, o) => probeServer(url, o))
  }

  /** This machine's stable advertiser id (read or created on first use). */
  get id(): string {
    this.idValue ??= loadAdvertiserId(this.opts.dataDir, this.opts.logger)
    return this.idValue
  }

  /** What is advertised now. */
  state(): AdvertiserState {
    return this.current
  }

  /** True when config or the command line asks for advertising and mDNS is on. */
  wanted(): boolean {
    const config = this.opts.config()
    return config.mdns.enabled && (config.advertise || this.opts.force === true)
  }

  /** Checks once now, then on a timer. */
  async start(): Promise<void> {
    this.stopped = false
    if (!this.timer) {
      this.timer = setInterval(() => void this.check(), this.opts.checkMs ?? 60_000)
      this.timer.unref?.()
    }
    await this.check()
  }

  /** Re-evaluates now (config changed, or the timer). Never throws. */
  check(): Promise<void> {
    if (this.stopped) return Promise.resolve()
    if (this.checking) {
      this.dirty = true
      return this.checking
    }
    this.checking = this.checkUntilClean().finally(() => {
      this.checking = null
    })
    return this.checking
  }

  private async checkUntilClean(): Promise<void> {
    do {
      this.dirty = false
      await this.checkOnce()
    } while (this.dirty && !this.stopped)
  }

  /** Says goodbye (TTL 0 records) and closes the socket. */
  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    await this.checking
    await this.unpublish()
  }

  private async checkOnce(): Promise<void> {
    if (!this.wanted()) {
      if (this.published) this.opts.logger.info('mDNS: no longer advertising this machine')
      await this.unpublish()
      this.current = { kind: 'off' }
      return
    }
    const config = this.opts.config()
    const port = localOllamaPort(config)
    const iface = config.mdns.interface
    const addresses = lanAddresses(this.interfaces(), iface)
    let reachable: { url: string; version: string | null; models: number | null } | null = null
    let why = addresses.length === 0 ? 'this machine has no LAN address' : ''
    for (const address of addresses) {
      const url = `http://${address}:${port}`
      const result = await this.probe(url, { timeoutMs: config.timeouts.probe_ms })
      if (result.ok) {
        reachable = { url, version: result.version, models: result.tags?.length ?? null }
        break
      }
      why ||= `${url}: ${result.error.message}`
    }
    if (this.stopped) return
    if (!reachable) {
      const reason =
        `Ollama on port ${port} does not answer on a LAN address (${why}); ` +
        'start it with OLLAMA_HOST=0.0.0.0 to share it'
      if (this.current.kind !== 'not-reachable')
        this.opts.logger.warn(`mDNS: not advertising: ${reason}`)
      await this.unpublish()
      this.current = { kind: 'not-reachable', reason }
      return
    }
    const name = this.serviceName()
    const announceMs = this.opts.announceTimeoutMs ?? 5000
    const txt = {
      version: reachable.version ?? 'unknown',
      // /api/tags failed this time: keep the count we published rather than announce 0.
      models:
        reachable.models !== null
          ? String(reachable.models)
          : this.current.kind === 'published'
            ? (this.current.txt['models'] ?? '0')
            : '0',
      id: this.id,
    }
    const key = JSON.stringify({ name, port, txt })
    if (this.published?.key === key && this.published.iface === iface && this.bonjour) return
    // TXT cannot be updated in place with bonjour-service: publish again (goodbye, then hello).
    await this.unpublish()
    let service: { once?: (event: 'up', listener: () => void) => unknown } | undefined
    let bonjour: BonjourInstance
    try {
      bonjour = this.factory(mdnsSocketOptions(iface), (err, fatal) => {
        if (this.bonjour !== bonjour) return
        const reason = describeMdnsSocketError(err)
        this.warnings.warn(`mDNS: advertising: ${reason}${fatal ? '; retrying later' : ''}`)
        if (fatal) this.notUp(reason)
      })
      this.bonjour = bonjour
      service = bonjour.publish({
        name,
        type: OLLAMA_SERVICE_TYPE,
        port,
        host: `${this.hostLabel()}.local`,
        txt,
      })
    } catch (err) {
      this.warnings.warn(
        `mDNS: advertising failed: ${describeMdnsSocketError(err)}; retrying later`,
      )
      this.dropSocket()
      return
    }
    const published = { key, iface, up: false }
    this.published = published
    this.current = { kind: 'announcing', name, url: reachable.url, txt }
    // bonjour first probes the name; when another host holds it, it logs, stops the service and
    // never says `up`. Only `up` makes it "advertising".
    this.announceTimer = setTimeout(() => {
      this.announceTimer = null
      if (this.published !== published) return
      this.notUp(
        `${name} did not come up within ${announceMs} ms (is the name in use on the network?)`,
      )
    }, announceMs)
    this.announceTimer.unref?.()
    service?.once?.('up', () => {
      if (this.published !== published) return
      if (this.announceTimer) clearTimeout(this.announceTimer)
      this.announceTimer = null
      published.up = true
      this.current = { kind: 'published', name, url: reachable.url, txt }
      this.opts.logger.info(
        `mDNS: advertising ${name} (_ollama._tcp, port ${port}, ${txt.models} models, id ${txt.id})`,
      )
    })
  }

  /** The service is not (or no longer) announced: drop it; the next check publishes again. */
  private notUp(reason: string): void {
    this.warnings.warn(`mDNS: not advertising: ${reason}; retrying later`)
    if (this.announceTimer) clearTimeout(this.announceTimer)
    this.announceTimer = null
    this.published = null
    this.dropSocket()
    this.current = { kind: 'failed', reason }
  }

  private serviceName(): string {
    return (this.opts.serviceName ?? this.hostLabel()).slice(0, 63)
  }

  /** The host name as one DNS label (bonjour turns dots into dashes anyway). */
  private hostLabel(): string {
    const label = osHostname()
      .split('.')[0]
      ?.replace(/[^A-Za-z0-9-]/g, '-')
      .replace(/^-+|-+$/g, '')
    return label || 'aillm-host'
  }

  private async unpublish(): Promise<void> {
    if (this.announceTimer) clearTimeout(this.announceTimer)
    this.announceTimer = null
    const bonjour = this.bonjour
    if (!bonjour) return
    this.published = null
    // The goodbye must not hold up shutdown on a dead network: give it a second at most.
    await withinMs(1000, (done) => bonjour.unpublishAll(() => done()))
    this.dropSocket()
  }

  private dropSocket(): void {
    const bonjour = this.bonjour
    this.bonjour = null
    if (!bonjour) return
    try {
      bonjour.destroy()
    } catch {
      // Already closed or its interface vanished.
    }
  }
}

/** Runs a callback-style operation, resolving when it calls back or after `ms`, whichever first. */
function withinMs(ms: number, op: (done: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    const done = (): void => {
      clearTimeout(timer)
      resolve()
    }
    try {
      op(done)
    } catch {
      done()
    }
  })
}

import type { OllamaProviderConfig } from '../../../../shared/types'
import type { Disposable } from '../../emitter'
import type { Logger } from '../../logger'
import { MdnsAdvertiser } from './mdns-advertiser'
import { MdnsDiscoverer } from './mdns-discoverer'
import { MdnsResolver } from './mdns-resolver'

/** Options of MdnsServices. */
export interface MdnsServicesOptions {
  logger: Logger
  config: () => OllamaProviderConfig
  /** Where the advertiser's stable id is kept. */
  dataDir: string
  /** Advertise even when config `advertise` is false (`serve --advertise`). */
  advertise?: boolean
}

/**
 * The three mDNS parts wired together for the composition root: the resolver (registry hook), the
 * discoverer (a Discoverer) and the advertiser. Nothing opens a multicast socket until the config
 * asks for it: a `*.local` URL to resolve, `auto_discover`, or `advertise`.
 */
export class MdnsServices {
  /** Resolves `*.local` URLs for the registry. */
  readonly resolver: MdnsResolver
  /** Finds `_ollama._tcp` boxes. */
  readonly discoverer: MdnsDiscoverer
  /** Publishes this machine's Ollama. */
  readonly advertiser: MdnsAdvertiser

  constructor(opts: MdnsServicesOptions) {
    this.resolver = new MdnsResolver({ logger: opts.logger, config: () => opts.config().mdns })
    this.advertiser = new MdnsAdvertiser({
      logger: opts.logger,
      config: opts.config,
      dataDir: opts.dataDir,
      ...(opts.advertise ? { force: true } : {}),
    })
    this.discoverer = new MdnsDiscoverer({
      logger: opts.logger,
      config: opts.config,
      seed: (records) => this.resolver.seed(records),
      ownId: () => (this.advertiser.wanted() ? this.advertiser.id : null),
    })
  }

  /** Subscribe to "the set of discovered boxes changed" (debounced). */
  onDidChange(listener: () => void): Disposable {
    return this.discoverer.onDidChange(listener)
  }

  /** Starts advertising when asked to; discovery starts with the registry's first discover(). */
  async start(): Promise<void> {
    await this.advertiser.start()
  }

  /** Applies a changed config (mdns on/off, interface, auto_discover, advertise). */
  configChanged(): void {
    this.discoverer.sync()
    void this.advertiser.check()
  }

  /** Goodbye for what we advertised, then every socket closed. */
  async stop(): Promise<void> {
    await this.advertiser.stop()
    this.discoverer.dispose()
    this.resolver.dispose()
  }
}

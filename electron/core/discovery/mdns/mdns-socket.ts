import { Bonjour } from 'bonjour-service'
import makeMdns from 'multicast-dns'
import type { Logger } from '../../logger'

/** A multicast-dns instance (the library's own type). */
export type MdnsSocket = makeMdns.MulticastDNS

/** Creates a multicast-dns instance; injectable so unit tests never open a real multicast socket. */
export type MdnsSocketFactory = (opts: makeMdns.Options) => MdnsSocket

/** The real factory: a UDP socket on port 5353 joined to 224.0.0.251. */
export const defaultMdnsSocketFactory: MdnsSocketFactory = (opts) => makeMdns(opts)

/**
 * Socket options for multicast-dns and bonjour-service. With an interface we must also bind to
 * 0.0.0.0: bound to the interface address, Linux delivers no multicast to the socket at all.
 */
export function mdnsSocketOptions(iface: string | null): { interface?: string; bind?: string } {
  return iface === null ? {} : { interface: iface, bind: '0.0.0.0' }
}

/** A socket-level problem in words a user can act on. */
export function describeMdnsSocketError(err: unknown): string {
  const code = (err as { code?: unknown })?.code
  const message = err instanceof Error ? err.message : String(err)
  switch (code) {
    case 'EADDRINUSE':
      return `UDP port 5353 is held by another program (the OS mDNS responder?) and could not be shared (${message})`
    case 'EACCES':
    case 'EPERM':
      return `not allowed to open UDP port 5353 for mDNS (${message})`
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
      return `no route for multicast (224.0.0.251): is the network up? (${message})`
    case 'ENODEV':
    case 'EADDRNOTAVAIL':
    case 'EINVAL':
      return `the network interface is not available (gone or not configured) (${message})`
    default:
      return message
  }
}

/**
 * A logger wrapper that says the same warning at most once per `everyMs`, so a box without a
 * network does not fill the log with one line per retry.
 */
export class ThrottledWarnings {
  private readonly last = new Map<string, number>()

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
    private readonly everyMs = 5 * 60_000,
  ) {}

  /** Logs `message` at WARNING unless it was logged less than `everyMs` ago. */
  warn(message: string): void {
    const at = this.now()
    const before = this.last.get(message)
    if (before !== undefined && at - before < this.everyMs) return
    this.last.set(message, at)
    this.logger.warn(message)
  }

  /** Forget what was said (the problem went away; say it again if it comes back). */
  reset(): void {
    this.last.clear()
  }
}

/** A bonjour-service instance (browser and publisher over one multicast-dns socket). */
export type BonjourInstance = InstanceType<typeof Bonjour>

/**
 * Creates a Bonjour instance. `onProblem(err, fatal)`: fatal problems (port 5353 unusable) mean the
 * instance is dead; the others (an interface that went away, a failed send) are worth a warning.
 */
export type BonjourFactory = (
  opts: { interface?: string; bind?: string },
  onProblem: (err: unknown, fatal: boolean) => void,
) => BonjourInstance

/**
 * The real factory. bonjour-service leaves the socket's `error` event without a listener, so an
 * EADDRINUSE would crash the process: we listen on its multicast-dns instance ourselves.
 */
export const defaultBonjourFactory: BonjourFactory = (opts, onProblem) => {
  // Bonjour's options type only lists service fields, but it hands them to multicast-dns as they are.
  const socketOpts = opts as unknown as ConstructorParameters<typeof Bonjour>[0]
  const bonjour = new Bonjour(socketOpts, (err: unknown) => onProblem(err, false))
  const mdns = (bonjour as unknown as { server?: { mdns?: MdnsSocket } }).server?.mdns
  mdns?.on('error', (err: unknown) => onProblem(err, true))
  mdns?.on('warning', (err: unknown) => onProblem(err, false))
  return bonjour
}

/**
 * Virtual LANs of Linux network namespaces for the mDNS tests: two namespaces joined by a veth pair,
 * each with an address and a default route through the veth (that route is what lets multicast
 * flow). Nothing here touches the root namespace's interfaces, and multicast never leaves the pair.
 */
import { execFileSync, spawnSync } from 'node:child_process'

/** Every namespace we create starts with this, so stale ones can be found and removed. */
export const NETNS_PREFIX = 'aillm-'

/** A failed `ip` command, with the command line and what it printed. */
export class NetnsError extends Error {
  override readonly name = 'NetnsError'
  constructor(
    readonly args: string[],
    readonly stderr: string,
  ) {
    super(`ip ${args.join(' ')} failed: ${stderr.trim() || 'no output'}`)
  }
}

/** Runs `ip <args>`; throws NetnsError with its stderr on failure. */
export function ip(args: string[]): string {
  const result = spawnSync('ip', args, { encoding: 'utf8' })
  if (result.error) throw new NetnsError(args, result.error.message)
  if (result.status !== 0) throw new NetnsError(args, result.stderr)
  return result.stdout
}

/**
 * Whether this process may create network namespaces: `ip` must exist and `ip netns add` of a
 * throwaway name must work (root, or CAP_SYS_ADMIN). Returns the reason when not.
 */
export function netnsSupport(): { ok: true } | { ok: false; reason: string } {
  if (process.platform !== 'linux') return { ok: false, reason: `not Linux (${process.platform})` }
  const which = spawnSync('ip', ['-V'], { encoding: 'utf8' })
  if (which.error)
    return { ok: false, reason: `the "ip" command is missing (${which.error.message})` }
  const probe = `${NETNS_PREFIX}probe-${process.pid}`
  try {
    ip(['netns', 'add', probe])
  } catch (err) {
    return { ok: false, reason: `cannot create network namespaces: ${(err as Error).message}` }
  }
  try {
    ip(['netns', 'del', probe])
  } catch {
    // Removed by the stale sweep next time.
  }
  return { ok: true }
}

/** Names of the namespaces that exist now. */
export function listNamespaces(): string[] {
  return ip(['netns', 'list'])
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((name) => name !== '')
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Kills what still runs in a namespace (our own leftovers), then removes it. */
export function removeNamespace(name: string): void {
  if (!name.startsWith(NETNS_PREFIX)) throw new Error(`refusing to remove "${name}": not ours`)
  let pids: number[] = []
  try {
    pids = ip(['netns', 'pids', name])
      .split('\n')
      .map(Number)
      .filter((n) => Number.isInteger(n) && n > 0)
  } catch {
    // Gone already.
  }
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // Exited meanwhile.
    }
  }
  try {
    ip(['netns', 'del', name])
  } catch {
    // Gone already.
  }
}

/**
 * Removes namespaces `aillm-<role>-<pid>` whose creating process is gone (a test that crashed).
 * Returns the names removed.
 */
export function removeStaleNamespaces(): string[] {
  const removed: string[] = []
  for (const name of listNamespaces()) {
    const match = new RegExp(`^${NETNS_PREFIX}[a-z]+-(\\d+)$`).exec(name)
    if (!match) continue
    const pid = Number(match[1])
    if (pid === process.pid || alive(pid)) continue
    removeNamespace(name)
    removed.push(name)
  }
  return removed
}

/** One end of the virtual LAN. */
export interface LanHost {
  /** Namespace name, e.g. `aillm-laptop-1234`. */
  ns: string
  /** The veth's name inside the namespace. */
  iface: string
  /** Its IPv4 address now. */
  address: string
}

/** Two namespaces on one link. */
export interface VirtualLan {
  laptop: LanHost
  gpu: LanHost
  prefixLength: number
  /** Moves the gpu end to another address (the "DHCP gave the box a new IP" case). */
  setGpuAddress(address: string): void
  /** The argv prefix that runs a command inside a namespace. */
  execArgs(host: LanHost, command: string[]): string[]
  /** Removes both namespaces (and with them the veth pair), killing what still runs there. */
  remove(): void
}

/** Options of createVirtualLan. */
export interface VirtualLanOptions {
  /** Distinguishes parallel runs; default this process's pid. */
  tag?: string | number
  laptopAddress?: string
  gpuAddress?: string
  prefixLength?: number
}

/**
 * Creates `aillm-laptop-<tag>` and `aillm-gpu-<tag>` joined by a veth pair (created inside the
 * namespaces, never in the root one), addresses 10.231.0.1/24 and 10.231.0.2/24 by default,
 * `lo` up and a default route through the veth in both. On a failure halfway, what was created
 * is removed before the error is thrown.
 */
export function createVirtualLan(opts: VirtualLanOptions = {}): VirtualLan {
  const tag = String(opts.tag ?? process.pid)
  const prefixLength = opts.prefixLength ?? 24
  const laptop: LanHost = {
    ns: `${NETNS_PREFIX}laptop-${tag}`,
    iface: 'veth-laptop',
    address: opts.laptopAddress ?? '10.231.0.1',
  }
  const gpu: LanHost = {
    ns: `${NETNS_PREFIX}gpu-${tag}`,
    iface: 'veth-gpu',
    address: opts.gpuAddress ?? '10.231.0.2',
  }
  const remove = (): void => {
    removeNamespace(laptop.ns)
    removeNamespace(gpu.ns)
  }
  try {
    ip(['netns', 'add', laptop.ns])
    ip(['netns', 'add', gpu.ns])
    ip([
      '-n',
      laptop.ns,
      'link',
      'add',
      laptop.iface,
      'type',
      'veth',
      'peer',
      'name',
      gpu.iface,
      'netns',
      gpu.ns,
    ])
    for (const host of [laptop, gpu]) {
      ip(['-n', host.ns, 'link', 'set', 'lo', 'up'])
      ip(['-n', host.ns, 'addr', 'add', `${host.address}/${prefixLength}`, 'dev', host.iface])
      ip(['-n', host.ns, 'link', 'set', host.iface, 'up'])
      ip(['-n', host.ns, 'route', 'replace', 'default', 'dev', host.iface])
    }
  } catch (err) {
    remove()
    throw err
  }
  return {
    laptop,
    gpu,
    prefixLength,
    setGpuAddress(address) {
      ip(['-n', gpu.ns, 'addr', 'del', `${gpu.address}/${prefixLength}`, 'dev', gpu.iface])
      ip(['-n', gpu.ns, 'addr', 'add', `${address}/${prefixLength}`, 'dev', gpu.iface])
      ip(['-n', gpu.ns, 'route', 'replace', 'default', 'dev', gpu.iface])
      gpu.address = address
    },
    execArgs: (host, command) => ['ip', 'netns', 'exec', host.ns, ...command],
    remove,
  }
}

/** Runs a command inside a namespace and returns its stdout (for quick checks such as `ip addr`). */
export function execIn(ns: string, command: string[]): string {
  return execFileSync('ip', ['netns', 'exec', ns, ...command], { encoding: 'utf8' })
}

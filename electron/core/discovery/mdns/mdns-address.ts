import { BlockList, isIP } from 'node:net'
import type { NetworkInterfaceInfo } from 'node:os'

/** The top-level domain mDNS answers for (RFC 6762). */
export const LOCAL_TLD = '.local'

/** A DNS label: letters, digits, hyphens (and underscores, seen in the wild); 1–63 characters. */
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/i

/** A `*.local` host name we may ask the LAN about, lower-cased without a trailing dot; null if not one. */
export function localNameOf(host: string): string | null {
  const name = host.trim().toLowerCase().replace(/\.$/, '')
  if (!name.endsWith(LOCAL_TLD) || name.length > 253) return null
  const labels = name.split('.')
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return null
  return name
}

/** The `*.local` host of a URL (normalised), or null when the URL names an IP or another domain. */
export function localNameOfUrl(url: string): string | null {
  try {
    return localNameOf(new URL(url).hostname)
  } catch {
    return null
  }
}

/** `url` with its host replaced by `address` (IPv6 gets brackets), port and path kept. */
export function urlWithAddress(url: string, address: string): string {
  const u = new URL(url)
  u.hostname = isIP(address) === 6 ? `[${address}]` : address
  return u.toString().replace(/\/$/, '')
}

/**
 * Addresses an mDNS answer must never point us at: they are not a LAN box. Loopback would let a
 * spoofer aim us at this machine's own services; multicast, broadcast and unspecified are not hosts;
 * IPv6 link-local needs a zone index a URL cannot carry reliably.
 */
const NOT_A_HOST = (() => {
  const list = new BlockList()
  list.addSubnet('0.0.0.0', 8, 'ipv4')
  list.addSubnet('127.0.0.0', 8, 'ipv4')
  list.addSubnet('224.0.0.0', 4, 'ipv4')
  list.addSubnet('240.0.0.0', 4, 'ipv4')
  list.addAddress('::', 'ipv6')
  list.addAddress('::1', 'ipv6')
  list.addSubnet('ff00::', 8, 'ipv6')
  list.addSubnet('fe80::', 10, 'ipv6')
  return list
})()

/** True for an IPv4/IPv6 address that can be a LAN host (valid unicast, not loopback/multicast/...). */
export function isUsableUnicast(address: unknown): address is string {
  if (typeof address !== 'string') return false
  const family = isIP(address)
  if (family === 0) return false
  // IPv4-mapped IPv6 is an IPv4 host in disguise: it belongs in an A record, not here. (Not a
  // BlockList rule: BlockList applies IPv6 rules to IPv4 addresses through the mapping.)
  if (family === 6 && /^::ffff:/i.test(address)) return false
  return !NOT_A_HOST.check(address, family === 4 ? 'ipv4' : 'ipv6')
}

/** The machine's interfaces as `os.networkInterfaces()` returns them. */
export type InterfaceTable = NodeJS.Dict<NetworkInterfaceInfo[]>

/**
 * True when `source` is on one of our links (RFC 6762 §11: accept answers only from on-link
 * senders). An IPv6 link-local sender is on-link by definition.
 */
export function isOnLink(source: string, interfaces: InterfaceTable): boolean {
  const family = isIP(source)
  if (family === 0) return false
  if (family === 6 && /^fe[89ab]/i.test(source)) return true
  const list = new BlockList()
  let any = false
  for (const infos of Object.values(interfaces)) {
    for (const info of infos ?? []) {
      const infoFamily = info.family === 'IPv4' ? 4 : 6
      if (infoFamily !== family || info.cidr === null) continue
      const prefix = Number(info.cidr.split('/')[1])
      if (!Number.isInteger(prefix)) continue
      list.addSubnet(info.address, prefix, family === 4 ? 'ipv4' : 'ipv6')
      any = true
    }
  }
  return any && list.check(source, family === 4 ? 'ipv4' : 'ipv6')
}

/** True when `address` is an IPv4 address of one of our interfaces (for the `mdns.interface` key). */
export function hasInterfaceAddress(address: string, interfaces: InterfaceTable): boolean {
  return Object.values(interfaces).some((infos) =>
    (infos ?? []).some((i) => i.family === 'IPv4' && i.address === address),
  )
}

/** Our IPv4 addresses that other machines could reach (not loopback), in interface order. */
export function lanAddresses(interfaces: InterfaceTable, only: string | null = null): string[] {
  const out: string[] = []
  for (const infos of Object.values(interfaces)) {
    for (const i of infos ?? []) {
      if (i.family !== 'IPv4' || i.internal || !isUsableUnicast(i.address)) continue
      if (only !== null && i.address !== only) continue
      out.push(i.address)
    }
  }
  return out
}

import { isIP } from 'node:net'
import { isUsableUnicast, localNameOf } from './mdns-address'

/** One A/AAAA record of an mDNS response that we accept. */
export interface AddressRecord {
  /** Lower-case `*.local` name the record is for. */
  name: string
  address: string
  family: 4 | 6
  /** Time to live in seconds; 0 is a goodbye (the address is no longer valid). */
  ttlS: number
}

/** Longest TTL we honour: a spoofed or buggy year-long TTL must not pin an address. */
export const MAX_TTL_S = 3600

/** What an incoming response says about the names we care about. */
export interface AddressAnswers {
  /** Valid addresses with TTL > 0, for asked names only. */
  records: AddressRecord[]
  /** Goodbyes (TTL 0) for asked names. */
  goodbyes: AddressRecord[]
  /** Records dropped, each with why (for DEBUG logs). */
  ignored: string[]
}

function isRecordLike(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}

/**
 * Reads A/AAAA records out of a decoded mDNS response (`answers` and `additionals`), keeping only
 * those for names `asked` accepts and whose address is a usable unicast address of the record's
 * type. Never throws: a malformed packet gives empty lists.
 */
export function addressAnswersOf(
  packet: unknown,
  asked: (name: string) => boolean,
): AddressAnswers {
  const out: AddressAnswers = { records: [], goodbyes: [], ignored: [] }
  if (!isRecordLike(packet)) return out
  const sections = [packet['answers'], packet['additionals']]
  for (const section of sections) {
    if (!Array.isArray(section)) continue
    for (const rr of section) {
      if (!isRecordLike(rr)) continue
      const type = rr['type']
      if (type !== 'A' && type !== 'AAAA') continue
      const rawName = rr['name']
      const name = typeof rawName === 'string' ? localNameOf(rawName) : null
      if (name === null || !asked(name)) continue
      const address = rr['data']
      const family = type === 'A' ? 4 : 6
      if (typeof address !== 'string' || isIP(address) !== family) {
        out.ignored.push(`${name}: ${type} record with a malformed address`)
        continue
      }
      if (!isUsableUnicast(address)) {
        out.ignored.push(`${name}: ${type} ${address} is not a usable unicast address`)
        continue
      }
      const ttl = rr['ttl']
      const ttlS = typeof ttl === 'number' && Number.isFinite(ttl) && ttl > 0 ? Math.floor(ttl) : 0
      const record: AddressRecord = { name, address, family, ttlS: Math.min(ttlS, MAX_TTL_S) }
      if (ttlS === 0) out.goodbyes.push(record)
      else out.records.push(record)
    }
  }
  return out
}

/** The address to dial among a name's records: IPv4 first (no zone/bracket trouble), then IPv6. */
export function preferredAddress(records: readonly AddressRecord[]): AddressRecord | null {
  return records.find((r) => r.family === 4) ?? records.find((r) => r.family === 6) ?? null
}

import { preferredAddress, type AddressRecord } from './mdns-answers'

interface CachedAddress {
  record: AddressRecord
  expiresAt: number
}

/**
 * Resolved `*.local` addresses, each kept for its record's TTL. A response that carries records for
 * a name replaces what was known of that name (responders send their full set, with the cache-flush
 * bit), so an address change announced on the LAN is followed at once.
 */
export class AddressCache {
  private readonly entries = new Map<string, CachedAddress[]>()

  constructor(private readonly now: () => number = Date.now) {}

  /** Stores the records of one response, grouped by name. */
  put(records: readonly AddressRecord[]): void {
    const at = this.now()
    const byName = new Map<string, CachedAddress[]>()
    for (const record of records) {
      const list = byName.get(record.name) ?? []
      if (!list.some((c) => c.record.address === record.address)) {
        list.push({ record, expiresAt: at + record.ttlS * 1000 })
      }
      byName.set(record.name, list)
    }
    for (const [name, list] of byName) this.entries.set(name, list)
  }

  /** Drops addresses their owner said goodbye to. */
  remove(goodbyes: readonly AddressRecord[]): void {
    for (const bye of goodbyes) {
      const list = this.entries.get(bye.name)
      if (!list) continue
      const kept = list.filter((c) => c.record.address !== bye.address)
      if (kept.length > 0) this.entries.set(bye.name, kept)
      else this.entries.delete(bye.name)
    }
  }

  /** The address to use for `name` now (IPv4 first), or null when none is fresh. */
  get(name: string): AddressRecord | null {
    const list = this.entries.get(name)
    if (!list) return null
    const at = this.now()
    const fresh = list.filter((c) => c.expiresAt > at)
    if (fresh.length === 0) {
      this.entries.delete(name)
      return null
    }
    if (fresh.length !== list.length) this.entries.set(name, fresh)
    const best = preferredAddress(fresh.map((c) => c.record))
    if (best === null) return null
    const left = fresh.find((c) => c.record === best)?.expiresAt ?? at
    return { ...best, ttlS: Math.max(0, Math.round((left - at) / 1000)) }
  }

  /** Forgets a name, so the next lookup asks the LAN again (its server stopped answering). */
  forget(name: string): void {
    this.entries.delete(name)
  }

  /** Names with an entry (fresh or not yet swept). */
  names(): string[] {
    return [...this.entries.keys()]
  }
}

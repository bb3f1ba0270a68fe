import { describe, expect, it } from 'vitest'
import {
  AddressCache,
  addressAnswersOf,
  MAX_TTL_S,
  preferredAddress,
  type AddressRecord,
} from '../../../../../electron/core/discovery/mdns'

const asked = (name: string): boolean => name === 'ollama-server.local'

describe('addressAnswersOf', () => {
  it('keeps A and AAAA records for asked names from answers and additionals', () => {
    const got = addressAnswersOf(
      {
        answers: [{ name: 'Ollama-Server.local', type: 'A', ttl: 120, data: '10.231.0.2' }],
        additionals: [{ name: 'ollama-server.local', type: 'AAAA', ttl: 120, data: 'fd00::2' }],
      },
      asked,
    )
    expect(got.records).toEqual([
      { name: 'ollama-server.local', address: '10.231.0.2', family: 4, ttlS: 120 },
      { name: 'ollama-server.local', address: 'fd00::2', family: 6, ttlS: 120 },
    ])
    expect(got.goodbyes).toEqual([])
  })

  it.each([
    ['a name we did not ask for', { name: 'other.local', type: 'A', ttl: 120, data: '10.0.0.9' }],
    ['a non-.local name', { name: 'ollama-server.evil', type: 'A', ttl: 120, data: '10.0.0.9' }],
    [
      'a loopback address (spoof)',
      { name: 'ollama-server.local', type: 'A', ttl: 120, data: '127.0.0.1' },
    ],
    [
      'a multicast address',
      { name: 'ollama-server.local', type: 'A', ttl: 120, data: '224.0.0.251' },
    ],
    [
      'an IPv6 address in an A record',
      { name: 'ollama-server.local', type: 'A', ttl: 120, data: 'fd00::2' },
    ],
    [
      'an IPv4 address in an AAAA record',
      { name: 'ollama-server.local', type: 'AAAA', ttl: 1, data: '10.0.0.2' },
    ],
    ['a malformed address', { name: 'ollama-server.local', type: 'A', ttl: 120, data: { x: 1 } }],
    [
      'another record type',
      { name: 'ollama-server.local', type: 'TXT', ttl: 120, data: '10.0.0.2' },
    ],
    ['a record without a name', { type: 'A', ttl: 120, data: '10.0.0.2' }],
  ])('ignores %s', (_why, rr) => {
    expect(addressAnswersOf({ answers: [rr], additionals: [] }, asked).records).toEqual([])
  })

  it.each([null, 'packet', 42, {}, { answers: 'x' }, { answers: [null, 7, 'x'] }])(
    'never throws on a malformed packet (%j)',
    (packet) => {
      expect(addressAnswersOf(packet, asked)).toEqual({ records: [], goodbyes: [], ignored: [] })
    },
  )

  it('reads TTL 0 as a goodbye and caps long TTLs', () => {
    const got = addressAnswersOf(
      {
        answers: [
          { name: 'ollama-server.local', type: 'A', ttl: 0, data: '10.231.0.2' },
          { name: 'ollama-server.local', type: 'A', ttl: 10_000_000, data: '10.231.0.3' },
        ],
      },
      asked,
    )
    expect(got.goodbyes.map((r) => r.address)).toEqual(['10.231.0.2'])
    expect(got.records).toEqual([
      { name: 'ollama-server.local', address: '10.231.0.3', family: 4, ttlS: MAX_TTL_S },
    ])
  })

  it('prefers IPv4', () => {
    const six: AddressRecord = { name: 'a.local', address: 'fd00::1', family: 6, ttlS: 1 }
    const four: AddressRecord = { name: 'a.local', address: '10.0.0.1', family: 4, ttlS: 1 }
    expect(preferredAddress([six, four])).toBe(four)
    expect(preferredAddress([six])).toBe(six)
    expect(preferredAddress([])).toBeNull()
  })
})

describe('AddressCache', () => {
  const rec = (address: string, ttlS = 120): AddressRecord => ({
    name: 'gpu.local',
    address,
    family: 4,
    ttlS,
  })

  it('keeps an address for its TTL, then forgets it', () => {
    let now = 1_000_000
    const cache = new AddressCache(() => now)
    cache.put([rec('10.0.0.2', 10)])
    expect(cache.get('gpu.local')?.address).toBe('10.0.0.2')
    now += 9_000
    expect(cache.get('gpu.local')?.ttlS).toBe(1)
    now += 1_000
    expect(cache.get('gpu.local')).toBeNull()
  })

  it('replaces a name on a new answer (address change), drops goodbyes, forgets on demand', () => {
    const cache = new AddressCache(() => 0)
    cache.put([rec('10.0.0.2')])
    cache.put([rec('10.0.0.3')])
    expect(cache.get('gpu.local')?.address).toBe('10.0.0.3')
    cache.remove([rec('10.0.0.3', 0)])
    expect(cache.get('gpu.local')).toBeNull()
    cache.put([rec('10.0.0.4')])
    cache.forget('gpu.local')
    expect(cache.get('gpu.local')).toBeNull()
  })
})

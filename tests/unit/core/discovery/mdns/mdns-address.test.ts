import type { NetworkInterfaceInfo } from 'node:os'
import { describe, expect, it } from 'vitest'
import {
  hasInterfaceAddress,
  isOnLink,
  isUsableUnicast,
  lanAddresses,
  localNameOf,
  localNameOfUrl,
  urlWithAddress,
  type InterfaceTable,
} from '../../../../../electron/core/discovery/mdns'

function v4(address: string, cidr: string, internal = false): NetworkInterfaceInfo {
  return { address, netmask: '', family: 'IPv4', mac: '02:00:00:00:00:01', internal, cidr }
}

const TABLE: InterfaceTable = {
  lo: [v4('127.0.0.1', '127.0.0.1/8', true)],
  eth0: [
    v4('10.231.0.1', '10.231.0.1/24'),
    {
      address: 'fd00::1',
      netmask: '',
      family: 'IPv6',
      mac: '02:00:00:00:00:01',
      internal: false,
      cidr: 'fd00::1/64',
      scopeid: 0,
    },
  ],
}

describe('localNameOf', () => {
  it.each([
    ['ollama-server.local', 'ollama-server.local'],
    ['Ollama-Server.LOCAL.', 'ollama-server.local'],
    ['gpu.box.local', 'gpu.box.local'],
    ['local', null],
    ['.local', null],
    ['ollama.lan', null],
    ['10.0.0.1', null],
    ['bad_-.local', null],
    ['-bad.local', null],
    ['a..local', null],
    [`${'a'.repeat(64)}.local`, null],
  ])('%s → %s', (input, expected) => {
    expect(localNameOf(input)).toBe(expected)
  })

  it('reads the host of a URL', () => {
    expect(localNameOfUrl('http://ollama-server.local:11434')).toBe('ollama-server.local')
    expect(localNameOfUrl('http://10.0.0.1:11434')).toBeNull()
    expect(localNameOfUrl('not a url')).toBeNull()
  })
})

describe('isUsableUnicast', () => {
  it.each([
    ['10.231.0.2', true],
    ['192.168.178.126', true],
    ['169.254.3.4', true],
    ['fd00::5', true],
    ['2001:db8::1', true],
    ['127.0.0.1', false],
    ['127.9.9.9', false],
    ['0.0.0.0', false],
    ['224.0.0.251', false],
    ['239.255.255.250', false],
    ['255.255.255.255', false],
    ['::1', false],
    ['::', false],
    ['ff02::fb', false],
    ['fe80::1', false],
    ['::ffff:127.0.0.1', false],
    ['ollama.local', false],
    ['', false],
    [42, false],
  ])('%s → %s', (input, expected) => {
    expect(isUsableUnicast(input)).toBe(expected)
  })
})

describe('isOnLink', () => {
  it.each([
    ['10.231.0.2', true],
    ['10.231.0.254', true],
    ['10.231.1.2', false],
    ['192.168.1.10', false],
    ['fd00::9', true],
    ['fd01::9', false],
    ['fe80::1234', true],
    ['garbage', false],
  ])('%s → %s', (source, expected) => {
    expect(isOnLink(source, TABLE)).toBe(expected)
  })

  it('accepts nothing when the machine has no interfaces', () => {
    expect(isOnLink('10.231.0.2', {})).toBe(false)
  })
})

describe('interface helpers', () => {
  it('finds our own IPv4 addresses, LAN ones only', () => {
    expect(hasInterfaceAddress('10.231.0.1', TABLE)).toBe(true)
    expect(hasInterfaceAddress('10.231.0.9', TABLE)).toBe(false)
    expect(lanAddresses(TABLE)).toEqual(['10.231.0.1'])
    expect(lanAddresses(TABLE, '10.231.0.9')).toEqual([])
  })

  it.each([
    ['http://ollama-server.local:11434', '10.231.0.2', 'http://10.231.0.2:11434'],
    ['http://gpu.local:8080/ollama', '10.0.0.7', 'http://10.0.0.7:8080/ollama'],
    ['http://gpu.local:11434', 'fd00::5', 'http://[fd00::5]:11434'],
  ])('urlWithAddress(%s, %s) → %s', (url, address, expected) => {
    expect(urlWithAddress(url, address)).toBe(expected)
  })
})

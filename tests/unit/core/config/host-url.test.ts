import { describe, expect, it } from 'vitest'
import {
  HostUrlError,
  isLoopbackHost,
  normalizeHostUrl,
} from '../../../../electron/core/config/host-url'

describe('normalizeHostUrl (OLLAMA_HOST rules)', () => {
  it.each([
    ['ollama-server.local', 'http://ollama-server.local:11434'],
    ['ollama-server.local:11434', 'http://ollama-server.local:11434'],
    ['host:8080', 'http://host:8080'],
    ['http://host', 'http://host:80'],
    ['https://host', 'https://host:443'],
    ['http://host:80', 'http://host:80'],
    ['http://192.168.178.126:11434', 'http://192.168.178.126:11434'],
    ['192.168.178.200:11434', 'http://192.168.178.200:11434'],
    ['[::1]', 'http://[::1]:11434'],
    ['::1', 'http://[::1]:11434'],
    ['http://[::1]:9000', 'http://[::1]:9000'],
    ['  HTTP://LocalHost:11434/  ', 'http://localhost:11434'],
    ['http://proxy:8080/ollama/', 'http://proxy:8080/ollama'],
  ])('%j → %s', (input, expected) => {
    expect(normalizeHostUrl(input)).toBe(expected)
  })

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['a b', /whitespace/],
    ['ftp://host', /scheme "ftp" is not http or https/],
    ['host:0', /port must be from 1 to 65535/],
    ['http://host:0', /port must be from 1 to 65535/],
    ['host:70000', /not a valid host or port/],
    ['host:abc', /not a valid host or port/],
    [':8080', /not a valid host or port/],
    ['http://', /not a valid host or port/],
    ['http://user:pw@host', /user names and passwords/],
    ['http://host?x=1', /query/],
  ])('rejects %j with a clear reason', (input, reason) => {
    let caught: unknown
    try {
      normalizeHostUrl(input)
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(HostUrlError)
    const err = caught as HostUrlError
    expect(err.input).toBe(input)
    expect(err.reason).toMatch(reason)
    expect(err.message).toContain('must be host, host:port or http(s)://host[:port]')
    expect(err.message).toContain(`(got ${JSON.stringify(input)})`)
  })
})

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['0.0.0.0', false],
    ['192.168.178.126', false],
    ['::', false],
    ['ollama.local', false],
  ])('%s → %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected)
  })
})

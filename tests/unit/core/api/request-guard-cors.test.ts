/**
 * The CORS answer of the request guard, judged by what a browser needs: a page allowed to call the API
 * gets its origin echoed and may send what the OpenAI SDK sends; the guard's pattern and address rules at
 * their edges. The whole guard over real HTTP: tests/integration/api/origins.test.ts.
 */
import type { IncomingMessage } from 'node:http'
import { describe, expect, it } from 'vitest'
import OpenAI from 'openai'
import {
  checkRequest,
  corsHeaders,
  isAllowedLocalHost,
  isAllowedOrigin,
  originMatches,
  queryTokenAllowed,
} from '../../../../electron/core/api/request-guard'

const request = (headers: Record<string, string>, method = 'GET') =>
  ({ headers, method }) as unknown as IncomingMessage
const at = (pathAndQuery: string) => new URL(pathAndQuery, 'http://localhost')
const list = (value: string | undefined) =>
  (value ?? '').split(',').map((s) => s.trim().toLowerCase())

/** The request headers the openai SDK sends with a chat completion (what a preflight will ask for). */
async function openAiRequestHeaders(): Promise<string[]> {
  let seen: Headers | null = null
  const client = new OpenAI({
    apiKey: 'k',
    baseURL: 'http://localhost:8000/v1',
    maxRetries: 0,
    dangerouslyAllowBrowser: true,
    fetch: async (_input, init) => {
      seen = new Headers(init?.headers)
      return new Response(JSON.stringify({ id: 'x', choices: [], object: 'chat.completion' }), {
        headers: { 'content-type': 'application/json' },
      })
    },
  })
  await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] })
  return [...(seen as unknown as Headers).keys()]
}

describe('corsHeaders', () => {
  const page = 'http://localhost:5173'

  it('a preflight lets the page send every header the openai SDK sends, with the methods it uses', async () => {
    const h = corsHeaders(request({ origin: page, host: 'localhost:8000' }, 'OPTIONS'), true)
    expect(h['Access-Control-Allow-Origin']).toBe(page)
    const allowed = list(h['Access-Control-Allow-Headers'])
    const sent = await openAiRequestHeaders()
    expect(sent).toContain('authorization')
    for (const name of sent) expect(allowed).toContain(name.toLowerCase())
    expect(list(h['Access-Control-Allow-Methods'])).toEqual(
      expect.arrayContaining(['get', 'post', 'delete', 'head', 'options']),
    )
    // Cached for twelve hours, and it varies with what the preflight asked.
    expect(Number(h['Access-Control-Max-Age'])).toBe(12 * 60 * 60)
    expect(list(h['Vary'])).toEqual(
      expect.arrayContaining([
        'origin',
        'access-control-request-method',
        'access-control-request-headers',
      ]),
    )
  })

  it('an actual request echoes the origin, varies with it and exposes the X-AILLM headers only', () => {
    const h = corsHeaders(request({ origin: page, host: 'localhost:8000' }), false)
    expect(h['Access-Control-Allow-Origin']).toBe(page)
    expect(h['Vary']).toBe('Origin')
    const exposed = list(h['Access-Control-Expose-Headers'])
    expect(exposed).toContain('x-aillm-model')
    expect(exposed).toContain('x-aillm-server')
    expect(exposed.every((n) => n.startsWith('x-aillm-'))).toBe(true)
    expect(h['Access-Control-Allow-Methods']).toBeUndefined()
  })

  it('our own page and a request without Origin get no CORS headers', () => {
    expect(
      corsHeaders(request({ origin: 'http://localhost:8000', host: 'localhost:8000' }), true),
    ).toEqual({})
    expect(corsHeaders(request({ host: 'localhost:8000' }), false)).toEqual({})
  })
})

describe('originMatches and isAllowedOrigin', () => {
  it.each<[string, string, boolean]>([
    ['http://localhost', 'http://localhost', true],
    ['HTTP://LOCALHOST', 'http://localhost', true],
    ['http://localhost.evil', 'http://localhost', false],
    ['http://localhost:3000', 'http://localhost:*', true],
    ['http://localhost:', 'http://localhost:*', false],
    ['http://localhost:3000x', 'http://localhost:*', false],
    ['http://localhost', 'http://localhost:*', false],
    ['app://anything', 'app://*', true],
    ['app://', 'app://*', true],
    ['https://a.example.com', 'https://*.example.com', true],
    ['https://example.com', 'https://*.example.com', false],
    ['https://a.example.com.evil', 'https://*.example.com', false],
    ['http://a.example.com', 'https://*.example.com', false],
    ['https://x.com', 'https://x.com*', true],
    ['https://x', 'https://x*x', false],
  ])('%j against %j: %s', (origin, pattern, result) => {
    expect(originMatches(origin, pattern)).toBe(result)
  })

  it('"*" among the configured origins takes any page; our own origin needs no configuration', () => {
    expect(isAllowedOrigin('https://anyone.example', 'localhost:8000', ['*'])).toBe(true)
    expect(isAllowedOrigin('https://anyone.example', 'localhost:8000')).toBe(false)
    expect(isAllowedOrigin('http://box:8000', 'box:8000')).toBe(true)
    expect(isAllowedOrigin('https://box:8000', 'box:8000')).toBe(true)
    expect(isAllowedOrigin('http://box:8001', 'box:8000')).toBe(false)
    expect(isAllowedOrigin('not a url', 'box:8000')).toBe(false)
  })
})

describe('isAllowedLocalHost at the edges of the private ranges', () => {
  it.each<[string, boolean]>([
    ['172.15.0.1', false],
    ['172.16.0.1', true],
    ['172.31.255.1', true],
    ['172.32.0.1', false],
    ['192.168.0.1', true],
    ['192.169.0.1', false],
    ['10.1.2.3', true],
    ['11.1.2.3', false],
    ['fc00::1', true],
    ['FD12::1', true],
    ['fe80::1', false],
    ['2001:db8::1', false],
    ['localhost.', true],
    ['LocalHost', true],
    ['my.localhost.', true],
    ['localhostx', false],
  ])('%j: %s', (host, allowed) => {
    expect(isAllowedLocalHost(host, '127.0.0.1')).toBe(allowed)
  })

  it('the name the API is bound to is allowed, whatever its case', () => {
    expect(isAllowedLocalHost('MyBox', 'mybox')).toBe(true)
    expect(isAllowedLocalHost('otherbox', 'mybox')).toBe(false)
  })
})

describe('queryTokenAllowed', () => {
  it.each<[string, Record<string, string>, string, boolean]>([
    ['/ws', { upgrade: 'WebSocket' }, 'GET', true],
    ['/ws', {}, 'GET', false],
    ['/ws', { upgrade: 'h2c' }, 'GET', false],
    ['/ui', {}, 'GET', true],
    ['/ui/index.html', {}, 'GET', true],
    ['/uix', {}, 'GET', false],
    ['/', { accept: 'text/html,application/xhtml+xml' }, 'GET', true],
    ['/', { accept: 'text/html' }, 'HEAD', true],
    ['/', { accept: 'text/html' }, 'POST', false],
    ['/', { accept: 'application/json' }, 'GET', false],
    ['/', {}, 'GET', false],
    ['/api/tags', { accept: 'text/html' }, 'GET', false],
  ])('%s %j %s: %s', (path, headers, method, allowed) => {
    expect(queryTokenAllowed(request(headers, method), at(path))).toBe(allowed)
  })

  it('a request without a method is read as GET', () => {
    const req = { headers: { accept: 'text/html' } } as unknown as IncomingMessage
    expect(queryTokenAllowed(req, at('/'))).toBe(true)
  })
})

describe('the Bearer header', () => {
  const opts = { bindHost: '127.0.0.1', port: 8000, token: 's3cret' }
  it.each<[string, boolean]>([
    ['Bearer s3cret', true],
    ['bearer s3cret', true],
    ['BEARER    s3cret  ', true],
    ['Bearers3cret', false],
    ['Bearer s3cret2', false],
    ['Bearer ', false],
    ['Basic s3cret', false],
    ['xBearer s3cret', false],
  ])('%j: %s', (authorization, ok) => {
    const verdict = checkRequest(
      request({ host: 'localhost:8000', authorization }),
      opts,
      at('/api/tags'),
    )
    expect(verdict.ok).toBe(ok)
    if (!verdict.ok) expect(verdict.status).toBe(401)
  })

  it('a preflight is OPTIONS with Access-Control-Request-Method; a bare OPTIONS needs the token', () => {
    const host = 'localhost:8000'
    const origin = 'http://localhost:5173'
    const pre = { host, origin, 'access-control-request-method': 'POST' }
    expect(checkRequest(request(pre, 'OPTIONS'), opts, at('/api/chat')).ok).toBe(true)
    expect(checkRequest(request({ host, origin }, 'OPTIONS'), opts, at('/api/chat')).ok).toBe(false)
    expect(checkRequest(request(pre, 'POST'), opts, at('/api/chat')).ok).toBe(false)
  })
})

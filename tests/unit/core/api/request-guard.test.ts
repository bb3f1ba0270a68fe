/**
 * The request guard on its own (issue 11, api/): which Host, Origin and token a request may carry, and the
 * verdict (status and message) for each refusal. Over real HTTP: tests/integration/api/security.test.ts.
 */
import type { IncomingMessage } from 'node:http'
import { describe, expect, it } from 'vitest'
import { checkRequest, hostOfHeader } from '../../../../electron/core/api/request-guard'

const request = (headers: Record<string, string>, method = 'GET') =>
  ({ headers, method }) as unknown as IncomingMessage
/** A WebSocket handshake's headers. */
const UPGRADE = { upgrade: 'websocket', connection: 'Upgrade' }
const at = (pathAndQuery: string) => new URL(pathAndQuery, 'http://localhost')
const OK = { ok: true }

const onLoopback = { bindHost: '127.0.0.1', port: 8000, token: null }
const onLan = { bindHost: '0.0.0.0', port: 8000, token: null }
const withToken = { bindHost: '127.0.0.1', port: 8000, token: 's3cret' }

const hostRefused = (host: string) => ({
  ok: false,
  status: 403,
  message: `Host "${host}" is not allowed: this API only answers to localhost (DNS-rebinding guard)`,
})
const originRefused = (origin: string) => ({
  ok: false,
  status: 403,
  message: `Origin "${origin}" is not allowed`,
})
const TOKEN_REFUSED = {
  ok: false,
  status: 401,
  message: 'missing or wrong token: send "Authorization: Bearer <token>"',
}
const QUERY_REFUSED = {
  ok: false,
  status: 401,
  message:
    '?token= is accepted only on the WebSocket (/ws) and the web UI page load: send "Authorization: Bearer <token>"',
}

describe('hostOfHeader: the host name of a Host header', () => {
  it.each([
    ['localhost:8000', 'localhost'],
    ['localhost', 'localhost'],
    ['localhost:', 'localhost'],
    ['  127.0.0.1:8000  ', '127.0.0.1'],
    ['[::1]:8000', '::1'],
    ['[::1]', '::1'],
    ['[::ffff:127.0.0.1]:8000', '::ffff:127.0.0.1'],
    // A bare IPv6 address has several colons: none of them is a port separator.
    ['::1', '::1'],
    ['fe80::1', 'fe80::1'],
    // A colon first is no host at all: the whole text stays (and is refused as not loopback).
    [':8000', ':8000'],
    // An unclosed bracket: everything after it but the last character, which is never a loopback name.
    ['[::1', '::'],
  ])('%j → %j', (header, host) => {
    expect(hostOfHeader(header)).toBe(host)
  })
})

describe('checkRequest: the Host header when bound to loopback (DNS-rebinding guard)', () => {
  it.each([
    'localhost:8000',
    'localhost',
    'LOCALHOST:8000',
    'app.localhost:8000',
    '127.0.0.1:8000',
    '127.1.2.3:8000',
    '[::1]:8000',
    '[::1]',
    '::1',
    '[::ffff:127.0.0.1]:8000',
    // As Ollama: *.localhost (RFC 6761), the container hosts' name for this machine, IP literals that
    // are private or unspecified (no DNS, so nothing to rebind).
    'foo.localhost:8000',
    'a.b.localhost',
    'host.docker.internal:8000',
    'HOST.DOCKER.INTERNAL',
    'host.containers.internal:8000',
    '192.168.1.10:8000',
    '10.0.0.2',
    '172.16.5.5:8000',
    '0.0.0.0:8000',
    '[::]:8000',
    '[fd00::1]:8000',
  ])('accepts %j: it names this machine', (host) => {
    expect(checkRequest(request({ host }), onLoopback, at('/api/tags'))).toEqual(OK)
  })

  it.each([
    ['evil.example:8000', 'evil.example'],
    ['localhost.evil.example:8000', 'localhost.evil.example'],
    ['127.0.0.1.evil.example', '127.0.0.1.evil.example'],
    // Names that DNS or mDNS on the LAN could rebind to 127.0.0.1 (Ollama accepts these two suffixes).
    ['printer.local:8000', 'printer.local'],
    ['evil.internal:8000', 'evil.internal'],
    ['host.docker.internal.evil.example', 'host.docker.internal.evil.example'],
    ['localhost.evil.example:8000', 'localhost.evil.example'],
    // A public address literal that is not this machine's; a link-local one.
    ['93.184.216.34:8000', '93.184.216.34'],
    ['[fe80::1]:8000', 'fe80::1'],
    [':8000', ':8000'],
  ])('refuses %j with 403 naming %j', (hostHeader, host) => {
    expect(checkRequest(request({ host: hostHeader }), onLoopback, at('/api/tags'))).toEqual(
      hostRefused(host),
    )
  })

  it.each(['::1', '[::1]', 'localhost'])('bound to %j the guard applies as well', (bindHost) => {
    const opts = { bindHost, port: 8000, token: null }
    expect(checkRequest(request({ host: 'evil.example' }), opts, at('/'))).toEqual(
      hostRefused('evil.example'),
    )
    expect(checkRequest(request({ host: '[::1]:8000' }), opts, at('/'))).toEqual(OK)
  })

  it('bound to the LAN, any Host is fine: the token guards instead', () => {
    expect(checkRequest(request({ host: '192.168.1.10:8000' }), onLan, at('/'))).toEqual(OK)
    expect(checkRequest(request({ host: 'evil.example' }), onLan, at('/'))).toEqual(OK)
  })

  it('a request without a Host header (or an empty one) is refused, bound anywhere', () => {
    const missing = { ok: false, status: 403, message: 'missing Host header' }
    expect(checkRequest(request({}), onLoopback, at('/'))).toEqual(missing)
    expect(checkRequest(request({ host: '' }), onLoopback, at('/'))).toEqual(missing)
    expect(checkRequest(request({}), onLan, at('/'))).toEqual(missing)
  })
})

describe("checkRequest: the Origin header: our own page, Ollama's defaults or a configured one", () => {
  const from = (origin: string, host = '127.0.0.1:8000', opts = onLoopback) =>
    checkRequest(request({ host, origin }), opts, at('/api/chat'))

  it.each([
    'http://127.0.0.1:8000',
    'http://127.0.0.1:8000/',
    'HTTP://127.0.0.1:8000',
    // The scheme is not compared with ours: https is accepted like http.
    'https://127.0.0.1:8000',
  ])('accepts %j for Host 127.0.0.1:8000', (origin) => {
    expect(from(origin)).toEqual(OK)
  })

  it.each([
    // Ollama's defaults: local pages on any port, http or https …
    'http://localhost',
    'http://localhost:3000',
    'https://localhost:5173',
    'http://127.0.0.1',
    'http://127.0.0.1:3000',
    'https://127.0.0.1:8443',
    'http://0.0.0.0:8080',
    'https://0.0.0.0',
    // … and desktop apps and editor webviews.
    'app://obsidian.md',
    'file://',
    'tauri://localhost',
    'vscode-webview://1a2b3c4d5e6f',
    'vscode-file://vscode-app',
  ])('accepts %j by default, as Ollama does', (origin) => {
    expect(from(origin)).toEqual(OK)
  })

  it('takes configured origins: exact ones and one-* patterns', () => {
    const opts = { ...onLoopback, allowedOrigins: ['https://chat.example', 'chrome-extension://*'] }
    expect(from('https://chat.example', undefined, opts)).toEqual(OK)
    expect(from('chrome-extension://abcdef', undefined, opts)).toEqual(OK)
    expect(from('https://other.example', undefined, opts)).toEqual(
      originRefused('https://other.example'),
    )
    const all = { ...onLoopback, allowedOrigins: ['*'] }
    expect(from('https://other.example', undefined, all)).toEqual(OK)
  })

  it('the WebSocket (the app contract) takes only our own page, defaults and configured ones not', () => {
    const opts = { ...onLoopback, allowedOrigins: ['*'] }
    const ws = (origin: string) =>
      checkRequest(request({ host: '127.0.0.1:8000', origin, ...UPGRADE }), opts, at('/ws'))
    expect(ws('http://localhost:3000')).toEqual(originRefused('http://localhost:3000'))
    expect(ws('vscode-webview://x')).toEqual(originRefused('vscode-webview://x'))
    expect(ws('http://127.0.0.1:8000')).toEqual(OK)
  })

  it('a preflight needs no token (browsers never send one), the request itself does', () => {
    const headers = {
      host: '127.0.0.1:8000',
      origin: 'vscode-webview://x',
      'access-control-request-method': 'POST',
    }
    expect(checkRequest(request(headers, 'OPTIONS'), withToken, at('/api/chat'))).toEqual(OK)
    expect(
      checkRequest(
        request({ host: '127.0.0.1:8000', origin: 'vscode-webview://x' }, 'POST'),
        withToken,
        at('/api/chat'),
      ),
    ).toEqual(TOKEN_REFUSED)
    // A foreign origin's preflight is still refused.
    expect(
      checkRequest(
        request({ ...headers, origin: 'http://evil.example' }, 'OPTIONS'),
        withToken,
        at('/api/chat'),
      ),
    ).toEqual(originRefused('http://evil.example'))
  })

  it('accepts a bracketed IPv6 origin that matches the Host', () => {
    expect(from('http://[::1]:8000', '[::1]:8000')).toEqual(OK)
  })

  it.each([
    // Same host and port: refused only because the scheme is neither http nor https.
    'ftp://127.0.0.1:8000',
    'ws://127.0.0.1:8000',
    // Browser extensions and sandboxed pages are foreign pages.
    'chrome-extension://abcdefghijklmnopabcdefghijklmnop',
    'moz-extension://0b7e8c4e-2c4a-4f0a-9a4d-1d2b3c4d5e6f',
    'null',
    'not a url',
    'http://evil.example',
    // Lookalikes of the default patterns.
    'http://localhost.evil.example',
    'http://127.0.0.1.evil.example:8000',
    'https://0.0.0.0.nip.io',
    'http://localhostx:3000',
    // A port wildcard matches digits only.
    'http://127.0.0.1:1.evil.example',
    'http://localhost:80@evil.example',
    'vscode-webview-evil.example',
  ])('refuses %j with 403 naming it', (origin) => {
    expect(from(origin)).toEqual(originRefused(origin))
  })

  it('refuses an extension origin even when the Host names the extension: only http(s) pages are ours', () => {
    const id = 'abcdefghijklmnopabcdefghijklmnop'
    expect(from(`chrome-extension://${id}`, id, onLan)).toEqual(
      originRefused(`chrome-extension://${id}`),
    )
    expect(from(`http://${id}`, id, onLan)).toEqual(OK)
  })

  it('a foreign Host is refused before its Origin is looked at', () => {
    expect(from('http://evil.example:8000', 'evil.example:8000')).toEqual(
      hostRefused('evil.example'),
    )
  })
})

describe('checkRequest: the token, as a Bearer header or as ?token=', () => {
  const check = (headers: Record<string, string>, path = '/api/tags') =>
    checkRequest(request({ host: '127.0.0.1:8000', ...headers }), withToken, at(path))

  it('accepts the right token in the Authorization header', () => {
    expect(check({ authorization: 'Bearer s3cret' })).toEqual(OK)
    expect(check({ authorization: 'Bearer  s3cret ' })).toEqual(OK)
  })

  it.each(['bearer s3cret', 'BEARER s3cret', 'bEaReR s3cret'])(
    'the scheme is case-insensitive (RFC 7235): %j is accepted',
    (authorization) => {
      expect(check({ authorization })).toEqual(OK)
    },
  )

  it('accepts the right ?token= where a browser cannot send a header: the WebSocket handshake', () => {
    expect(check(UPGRADE, '/ws?token=s3cret')).toEqual(OK)
  })

  it.each([
    ['the dashboard redirect of a page load', '/?token=s3cret', { accept: 'text/html' }],
    ['a page of the web UI', '/ui/?token=s3cret', {}],
    ['the web UI without its slash', '/ui?token=s3cret', {}],
  ])('accepts the right ?token= on %s', (_name, path, headers) => {
    expect(check(headers, path)).toEqual(OK)
  })

  it.each([
    ['an API route', '/api/tags?token=s3cret', {}],
    ['an OpenAI route', '/v1/models?token=s3cret', {}],
    ['/ws without a WebSocket handshake (plain HTTP)', '/ws?token=s3cret', {}],
    ['the root asked for by an API client (no text/html)', '/?token=s3cret', {}],
  ])('refuses the right ?token= on %s: the header is needed there', (_name, path, headers) => {
    expect(check(headers, path)).toEqual(QUERY_REFUSED)
  })

  it('a page load is GET or HEAD: a POST to / with ?token= is refused', () => {
    const req = request({ host: '127.0.0.1:8000', accept: 'text/html' }, 'POST')
    expect(checkRequest(req, withToken, at('/?token=s3cret'))).toEqual(QUERY_REFUSED)
    const head = request({ host: '127.0.0.1:8000', accept: 'text/html' }, 'HEAD')
    expect(checkRequest(head, withToken, at('/?token=s3cret'))).toEqual(OK)
  })

  it.each([
    ['no token at all', {}, '/api/tags'],
    ['a wrong header token of the same length', { authorization: 'Bearer s3creT' }, '/api/tags'],
    ['a wrong header token of another length', { authorization: 'Bearer s3cret!' }, '/api/tags'],
    ['a prefix of the token', { authorization: 'Bearer s3c' }, '/api/tags'],
    ['an empty Bearer', { authorization: 'Bearer ' }, '/api/tags'],
    ['the bare token without "Bearer "', { authorization: 's3cret' }, '/api/tags'],
    ['the scheme glued to the token', { authorization: 'Bearers3cret' }, '/api/tags'],
    ['another scheme', { authorization: 'Basic s3cret' }, '/api/tags'],
    ['a wrong ?token=', UPGRADE, '/ws?token=nope'],
    ['an empty ?token=', UPGRADE, '/ws?token='],
    ['a longer ?token=', UPGRADE, '/ws?token=s3cret2'],
    ['the token under another query name', UPGRADE, '/ws?access_token=s3cret'],
  ])('refuses %s with 401', (_name, headers, path) => {
    expect(check(headers, path)).toEqual(TOKEN_REFUSED)
  })

  it('a Bearer header wins over ?token=: a wrong header is not rescued by the query', () => {
    expect(check({ ...UPGRADE, authorization: 'Bearer nope' }, '/ws?token=s3cret')).toEqual(
      TOKEN_REFUSED,
    )
    expect(check({ ...UPGRADE, authorization: 'Bearer s3cret' }, '/ws?token=nope')).toEqual(OK)
    // A right header makes a stray query harmless on any route.
    expect(check({ authorization: 'Bearer s3cret' }, '/api/tags?token=nope')).toEqual(OK)
  })

  it('an Authorization header of another scheme leaves ?token= to decide', () => {
    const basic = { ...UPGRADE, authorization: 'Basic dXNlcjpwYXNz' }
    expect(check(basic, '/ws?token=s3cret')).toEqual(OK)
    expect(check(basic, '/ws?token=nope')).toEqual(TOKEN_REFUSED)
  })

  it('a non-ASCII token is compared byte for byte', () => {
    const opts = { ...withToken, token: 'pässwört' }
    const req = (authorization: string) => request({ host: 'localhost', authorization })
    expect(checkRequest(req('Bearer pässwört'), opts, at('/'))).toEqual(OK)
    // Same number of characters, different bytes.
    expect(checkRequest(req('Bearer passwort'), opts, at('/'))).toEqual(TOKEN_REFUSED)
    expect(
      checkRequest(
        request({ host: 'localhost', ...UPGRADE }),
        opts,
        at('/ws?token=p%C3%A4ssw%C3%B6rt'),
      ),
    ).toEqual(OK)
  })

  it('without a configured token neither header nor query is needed, and a stray one is ignored', () => {
    const host = '127.0.0.1:8000'
    expect(checkRequest(request({ host }), onLoopback, at('/api/tags'))).toEqual(OK)
    expect(
      checkRequest(
        request({ host, authorization: 'Bearer whatever' }),
        onLoopback,
        at('/?token=x'),
      ),
    ).toEqual(OK)
  })

  it('Host and Origin are judged before the token: a right token does not let a foreign page in', () => {
    const auth = { authorization: 'Bearer s3cret' }
    expect(
      checkRequest(request({ host: 'evil.example', ...auth }), withToken, at('/api/tags')),
    ).toEqual(hostRefused('evil.example'))
    expect(check({ ...auth, origin: 'http://evil.example' })).toEqual(
      originRefused('http://evil.example'),
    )
    // And a missing token on a foreign Host is reported as the Host problem.
    expect(checkRequest(request({ host: 'evil.example' }), withToken, at('/'))).toEqual(
      hostRefused('evil.example'),
    )
  })
})

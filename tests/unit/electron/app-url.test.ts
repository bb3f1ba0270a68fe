import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  APP_CSP,
  APP_ORIGIN,
  appUrlFor,
  contentTypeFor,
  devCsp,
  resolveAppPath,
} from '../../../electron/main/app-url'

const ROOT = resolve('/opt/aillm/out/renderer')

describe('resolveAppPath', () => {
  it.each<[string, string]>([
    ['app://aillm/', 'index.html'],
    ['app://aillm', 'index.html'],
    ['app://aillm/index.html', 'index.html'],
    ['app://aillm/index.html#/chat', 'index.html'],
    ['app://aillm/index.html?x=1', 'index.html'],
    ['app://aillm/assets/index-abc123.js', 'assets/index-abc123.js'],
    ['app://aillm/assets/my%20font.woff2', 'assets/my font.woff2'],
    ['app://aillm//assets//a.css', 'assets/a.css'],
    ['app://AILLM/index.html', 'index.html'],
    // The URL parser collapses dot segments (also %2e%2e) before we see them: they stay inside the root.
    ['app://aillm/../../etc/passwd', 'etc/passwd'],
    ['app://aillm/%2e%2e/%2e%2e/etc/passwd', 'etc/passwd'],
    ['app://aillm/assets/%2E%2E/%2E%2E/secret', 'secret'],
  ])('%s → %s', (url, rel) => {
    expect(resolveAppPath(ROOT, url)).toEqual({ ok: true, path: join(ROOT, rel) })
  })

  it.each<[string, number, RegExp]>([
    ['app://aillm/..%2f..%2fetc/passwd', 403, /escapes/],
    ['app://aillm/assets%2f..%2f..%2f..%2fsecret', 403, /escapes/],
    ['app://aillm/%2e%2e%2fx', 403, /escapes/],
    ['app://aillm/..%5c..%5cwindows%5cwin.ini', 400, /backslash/],
    ['app://aillm/a%00.html', 400, /NUL/],
    ['app://aillm/%E0%A4%A', 400, /percent-encoding/],
    ['app://evil/index.html', 403, /host "evil"/],
    ['file:///etc/passwd', 403, /scheme file:/],
    ['https://aillm/index.html', 403, /scheme https:/],
    ['not a url', 400, /not a URL/],
  ])('refuses %s with %i', (url, status, why) => {
    const result = resolveAppPath(ROOT, url)
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.status).toBe(status)
      expect(result.reason).toMatch(why)
    }
  })

  it('never resolves outside the root, whatever the input', () => {
    const nasty = ['..', '%2e%2e', '%2E%2e', '.', '%2f', 'a', '%5c', '%00', '/']
    for (const a of nasty) {
      for (const b of nasty) {
        const result = resolveAppPath(ROOT, `app://aillm/${a}/${b}/x`)
        if (result.ok) expect(result.path.startsWith(`${ROOT}/`), `${a}/${b}`).toBe(true)
      }
    }
  })
})

describe('appUrlFor', () => {
  it.each<[Parameters<typeof appUrlFor>, string]>([
    [['chat'], 'app://aillm/index.html#/chat'],
    [['dashboard', null], 'app://aillm/index.html#/dashboard'],
    [['chat', 'http://localhost:5173/'], 'http://localhost:5173/index.html#/chat'],
  ])('%j → %s', (args, url) => {
    expect(appUrlFor(...args)).toBe(url)
    expect(url.startsWith(APP_ORIGIN) || url.startsWith('http://localhost')).toBe(true)
  })
})

describe('contentTypeFor', () => {
  it.each([
    ['index.html', 'text/html; charset=utf-8'],
    ['a/b.JS', 'text/javascript; charset=utf-8'],
    ['x.css', 'text/css; charset=utf-8'],
    ['x.svg', 'image/svg+xml'],
    ['x.woff2', 'font/woff2'],
    ['x.exe', 'application/octet-stream'],
    ['noext', 'application/octet-stream'],
  ])('%s → %s', (path, type) => {
    expect(contentTypeFor(path)).toBe(type)
  })
})

describe('CSP', () => {
  const directives = (csp: string) =>
    new Map(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([k, ...v]) => [k, v]),
    )

  it('is strict for the packaged app', () => {
    const d = directives(APP_CSP)
    expect(d.get('default-src')).toEqual(["'none'"])
    expect(d.get('script-src')).toEqual(["'self'"])
    expect(d.get('connect-src')).toEqual(["'self'"])
    expect(d.get('object-src')).toEqual(["'none'"])
    expect(d.get('frame-ancestors')).toEqual(["'none'"])
    expect(APP_CSP).not.toMatch(/unsafe-eval|\*|http:|https:/)
  })

  it('in dev allows only the dev server and its HMR socket on top', () => {
    const d = directives(devCsp('http://localhost:5173'))
    expect(d.get('connect-src')).toEqual(["'self'", 'http://localhost:5173', 'ws://localhost:5173'])
    expect(devCsp('http://localhost:5173')).not.toMatch(/unsafe-eval|\*/)
  })
})

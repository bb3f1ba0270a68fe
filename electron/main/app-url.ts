/**
 * Where the desktop app's own content lives: the `app://aillm/` protocol (packaged and `npm start`) or
 * electron-vite's dev server. Pure, so the path-traversal rules are unit-tested without Electron.
 */
import { extname, isAbsolute, relative, resolve } from 'node:path'

/** The custom scheme our windows load from (preferred over file://, Electron security checklist). */
export const APP_SCHEME = 'app'
/** The one host of the app scheme; any other host is refused. */
export const APP_HOST = 'aillm'
/** Origin of everything we serve ourselves. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`

/** The two windows of the tray app; the renderer picks its view from the URL hash. */
export type AppView = 'chat' | 'dashboard'

/** URL a window loads for a view: the dev server when electron-vite runs one, else the app protocol. */
export function appUrlFor(view: AppView, devServerUrl: string | null = null): string {
  const base = devServerUrl ? devServerUrl.replace(/\/+$/, '') : APP_ORIGIN
  return `${base}/index.html#/${view}`
}

/** Outcome of mapping an app:// request to a file: a path inside the root, or an HTTP status with why. */
export type AppPathResult =
  { ok: true; path: string } | { ok: false; status: 400 | 403 | 404; reason: string }

/**
 * Maps `app://aillm/<path>` to a file under `rootDir` (out/renderer). `/` serves index.html. Anything that
 * would leave the root — `..`, encoded `%2e%2e`, backslashes, absolute paths, NUL bytes — is refused.
 */
export function resolveAppPath(rootDir: string, requestUrl: string): AppPathResult {
  let url: URL
  try {
    url = new URL(requestUrl)
  } catch {
    return { ok: false, status: 400, reason: `not a URL: ${requestUrl}` }
  }
  if (url.protocol !== `${APP_SCHEME}:`) {
    return { ok: false, status: 403, reason: `scheme ${url.protocol} is not ${APP_SCHEME}:` }
  }
  if (url.hostname.toLowerCase() !== APP_HOST) {
    return { ok: false, status: 403, reason: `host "${url.hostname}" is not ${APP_HOST}` }
  }
  let decoded: string
  try {
    decoded = decodeURIComponent(url.pathname)
  } catch {
    return { ok: false, status: 400, reason: `malformed percent-encoding in ${url.pathname}` }
  }
  if (decoded.includes('\0')) return { ok: false, status: 400, reason: 'NUL byte in path' }
  // Backslashes are separators on Windows: `..\\` would walk out of the root there.
  if (decoded.includes('\\')) return { ok: false, status: 400, reason: 'backslash in path' }
  const segments = decoded.split('/').filter((s) => s.length > 0)
  if (segments.some((s) => s === '..' || s === '.')) {
    return { ok: false, status: 403, reason: `path escapes the app root: ${decoded}` }
  }
  const rel = segments.length === 0 ? 'index.html' : segments.join('/')
  const root = resolve(rootDir)
  const full = resolve(root, rel)
  const inside = relative(root, full)
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
    return { ok: false, status: 403, reason: `path escapes the app root: ${decoded}` }
  }
  return { ok: true, path: full }
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
}

/** Content-Type for a served file; unknown kinds are opaque bytes so the renderer never sniffs them. */
export function contentTypeFor(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream'
}

/**
 * The renderer's Content Security Policy. Nothing remote: the renderer reaches the core only over IPC.
 * style-src allows inline styles because React Flow and highlight.js set them at runtime.
 */
export const APP_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

/**
 * CSP for electron-vite's dev server: Vite's HMR needs its WebSocket and the React refresh preamble
 * (an inline script), so dev relaxes exactly those two; packaged builds never use it.
 */
export function devCsp(devServerUrl: string): string {
  const origin = new URL(devServerUrl).origin
  const ws = origin.replace(/^http/, 'ws')
  return [
    "default-src 'none'",
    `script-src 'self' 'unsafe-inline' ${origin}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self' ${origin} ${ws}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ')
}

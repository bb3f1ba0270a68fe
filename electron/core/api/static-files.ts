import { readFile, stat } from 'node:fs/promises'
import { extname, join, normalize, sep } from 'node:path'
import type { ServerResponse } from 'node:http'

/** URL prefix of the web UI under `serve`. */
export const UI_PREFIX = '/ui/'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
}

/** The web UI's Content-Security-Policy: only our own origin (the WebSocket included). */
export const UI_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"

/**
 * Resolves a URL path under the UI prefix to a file inside `root`, or null when it would leave `root`.
 * Pure, so the traversal guard is tested on its own.
 */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  let rel: string
  try {
    rel = decodeURIComponent(urlPath.slice(UI_PREFIX.length))
  } catch {
    return null
  }
  if (rel === '' || rel.endsWith('/')) rel += 'index.html'
  if (rel.includes('\0')) return null
  const full = normalize(join(root, rel))
  const base = normalize(root.endsWith(sep) ? root : root + sep)
  return full.startsWith(base) ? full : null
}

/** Serves one file of the built renderer; 404 when missing. */
export async function serveStatic(
  root: string,
  urlPath: string,
  res: ServerResponse,
  head: boolean,
): Promise<void> {
  const file = resolveStaticPath(root, urlPath)
  const info = file ? await stat(file).catch(() => null) : null
  if (!file || !info?.isFile()) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' })
    res.end(
      file && urlPath === UI_PREFIX
        ? 'The web UI is not built yet: run `npm run build` (npm run serve does it for you).'
        : 'Not found',
    )
    return
  }
  const body = await readFile(file)
  res.writeHead(200, {
    'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Length': body.length,
    'Content-Security-Policy': UI_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': extname(file) === '.html' ? 'no-cache' : 'max-age=3600',
  })
  res.end(head ? undefined : body)
}

import { isIP } from 'node:net'

/** Ollama's default port, used when a host string names no port and no scheme. */
export const OLLAMA_DEFAULT_PORT = 11434

/** A host string that cannot be turned into a server URL; `reason` says what was wrong. */
export class HostUrlError extends Error {
  override readonly name = 'HostUrlError'
  constructor(
    readonly input: string,
    readonly reason: string,
  ) {
    super(`${reason} (got ${JSON.stringify(input)})`)
  }
}

const EXPECTED = 'must be host, host:port or http(s)://host[:port]'

/**
 * Normalises a host string the way OLLAMA_HOST does (ollama envconfig + ollama-js `formatHost`):
 * `host` → `http://host:11434`, `host:8080` → `http://host:8080`, `http://host` → `http://host:80`,
 * `https://host` → `https://host:443`, `[::1]` or `::1` → `http://[::1]:11434`. A trailing `/` is dropped.
 * Throws {@link HostUrlError} for anything else.
 */
export function normalizeHostUrl(input: string): string {
  if (typeof input !== 'string') throw new HostUrlError(String(input), `${EXPECTED}: not a string`)
  const text = input.trim()
  if (text === '') throw new HostUrlError(input, `${EXPECTED}: empty`)
  if (/\s/.test(text)) throw new HostUrlError(input, `${EXPECTED}: contains whitespace`)

  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase()
  let candidate: string
  let defaultPort: number
  if (scheme !== undefined) {
    if (scheme !== 'http' && scheme !== 'https') {
      throw new HostUrlError(input, `${EXPECTED}: scheme "${scheme}" is not http or https`)
    }
    candidate = text
    // An explicit scheme makes the default port the scheme's own, as OLLAMA_HOST does.
    defaultPort = scheme === 'https' ? 443 : 80
  } else {
    // A bare IPv6 address (`::1`) has colons that are not a port separator.
    candidate = isIP(text) === 6 ? `http://[${text}]` : `http://${text}`
    defaultPort = OLLAMA_DEFAULT_PORT
  }

  let url: URL
  try {
    url = new URL(candidate)
  } catch {
    throw new HostUrlError(input, `${EXPECTED}: not a valid host or port`)
  }
  if (url.hostname === '') throw new HostUrlError(input, `${EXPECTED}: missing host name`)
  if (url.username !== '' || url.password !== '') {
    throw new HostUrlError(input, `${EXPECTED}: user names and passwords are not allowed`)
  }
  if (url.search !== '' || url.hash !== '') {
    throw new HostUrlError(input, `${EXPECTED}: no ?query or #fragment allowed`)
  }
  const port = url.port === '' ? explicitDefaultPort(candidate, defaultPort) : Number(url.port)
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new HostUrlError(input, `${EXPECTED}: port must be from 1 to 65535`)
  }
  const path = url.pathname.replace(/\/+$/, '')
  return `${url.protocol}//${url.hostname}:${port}${path}`
}

/** The URL parser hides a port equal to the scheme's default (`:80`) and rejects none: tell `:0` apart. */
function explicitDefaultPort(candidate: string, fallback: number): number {
  const authority = candidate.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split('/')[0] ?? ''
  const port = /:(\d+)$/.exec(authority.replace(/^\[[^\]]*\]/, ''))?.[1]
  return port === undefined ? fallback : Number(port)
}

/** True for addresses that only this machine can reach: `localhost`, 127.0.0.0/8, `::1`. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
  if (h === 'localhost' || h.endsWith('.localhost')) return true
  if (isIP(h) === 4) return h.startsWith('127.')
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || h.startsWith('::ffff:127.')
  return false
}

import { isIP } from 'node:net'

/** The IP address written in a URL's host, or null when the host is a name (or the URL is bad). */
export function ipLiteralOf(url: string): string | null {
  let host: string
  try {
    host = new URL(url).hostname
  } catch {
    return null
  }
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
  return isIP(bare) === 0 ? null : bare
}

/**
 * Vetting of links the renderer wants opened outside the app. shell.openExternal hands a URL to the OS,
 * which will happily run `file:`, `smb:` or custom-protocol handlers: only plain web links may pass.
 */

/** Longest URL we hand to the OS; longer ones are more likely an attack than a link. */
export const MAX_EXTERNAL_URL_LENGTH = 2048

/** Why a URL was refused, or null when it is safe to open in the user's browser. */
export function externalUrlProblem(raw: unknown): string | null {
  if (typeof raw !== 'string') return 'not a string'
  if (raw.length === 0) return 'empty URL'
  if (raw.length > MAX_EXTERNAL_URL_LENGTH)
    return `longer than ${MAX_EXTERNAL_URL_LENGTH} characters`
  // Control characters and spaces have no place in a link and hide what the URL really is.
  for (const ch of raw) {
    const code = ch.charCodeAt(0)
    if (code <= 0x20 || code === 0x7f) return 'contains whitespace or control characters'
  }
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return 'not an absolute URL'
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `scheme ${url.protocol} is not http: or https:`
  }
  if (url.hostname === '') return 'no host'
  // `https://bank.example@evil.example/` reads like the first host but goes to the second.
  if (url.username !== '' || url.password !== '') return 'contains user credentials'
  return null
}

/** True when `raw` is a plain http(s) link that may go to shell.openExternal. */
export function isSafeExternalUrl(raw: unknown): boolean {
  return externalUrlProblem(raw) === null
}

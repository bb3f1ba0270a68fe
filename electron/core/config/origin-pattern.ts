/** The syntax of an `api.allowed_origins` entry (shared by the config schema and the request guard). */

/**
 * Why an `allowed_origins` entry is unusable, or null when it is fine: `*` alone, or `scheme://rest`
 * with at most one `*` and no path (a browser's Origin never has one, so such an entry would never match).
 */
export function originPatternProblem(pattern: string): string | null {
  if (pattern === '*') return null
  if (/\s/.test(pattern)) return 'must not contain spaces'
  if ((pattern.match(/\*/g) ?? []).length > 1) return 'may contain only one * (as in Ollama)'
  if (pattern.toLowerCase() === 'null') {
    return 'must not be "null": every sandboxed iframe and data: page sends that origin'
  }
  const m = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(pattern)
  if (!m) return 'must be an origin such as "https://example.com", "chrome-extension://*" or "*"'
  if ((m[2] ?? '').includes('/'))
    return 'must be an origin without a path (drop everything from the "/")'
  return null
}

/**
 * "Test connection" in Settings: one probe of an address the person typed (saved or not), through the
 * same `ollama` client the registry uses (/api/version + /api/tags), answered as a value in words.
 */
import type { ServerTestResult } from '../../../shared/types'
import { probeServer } from './prober'

/** How long a test waits for the server before it says "timed out". */
export const CONNECTION_TEST_TIMEOUT_MS = 5000

/** `host:port` of a URL, with Ollama's default port when none is written. */
export function hostPortOf(url: URL): string {
  const port = url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '11434'
  return `${url.hostname}:${port}`
}

/** Parses what the person typed; throws a message naming the input when it is not an http(s) URL. */
export function parseServerUrl(raw: string): URL {
  const text = raw.trim()
  if (text === '')
    throw new Error('Enter the server’s address first, e.g. http://192.168.1.10:11434.')
  if (!text.includes('://'))
    throw new Error(`"${text}" needs http:// or https:// in front, e.g. http://${text}.`)
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new Error(`"${text}" is not a URL; write it like http://192.168.1.10:11434.`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`"${text}" must start with http:// or https://, not ${url.protocol}//.`)
  return url
}

/** Probes `raw` once; never throws for an unreachable server (the cause is in the result). */
export async function testConnection(
  raw: string,
  opts: { timeoutMs?: number } = {},
): Promise<ServerTestResult> {
  const url = parseServerUrl(raw)
  const href = url.href.replace(/\/$/, '')
  const hostPort = hostPortOf(url)
  const result = await probeServer(href, {
    timeoutMs: opts.timeoutMs ?? CONNECTION_TEST_TIMEOUT_MS,
  })
  if (!result.ok) return { ok: false, url: href, hostPort, error: result.error.message }
  return {
    ok: true,
    url: href,
    hostPort,
    version: result.version,
    models: result.tags === null ? null : result.tags.length,
    latencyMs: result.latencyMs,
  }
}

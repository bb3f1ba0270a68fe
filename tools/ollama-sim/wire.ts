import type { IncomingMessage, ServerResponse } from 'node:http'
import { setTimeout as delay } from 'node:timers/promises'

/** gin's `c.JSON` content type, which Ollama answers with. */
export const JSON_TYPE = 'application/json; charset=utf-8'
export const NDJSON_TYPE = 'application/x-ndjson'
export const SSE_TYPE = 'text/event-stream'
export const TEXT_TYPE = 'text/plain; charset=utf-8'

/** Bodies larger than this are refused (Ollama has no such limit, but a simulator needs none bigger). */
const MAX_BODY_BYTES = 32 * 1024 * 1024

/** Sends a whole JSON answer. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return
  const text = JSON.stringify(body)
  res.writeHead(status, { 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(text) })
  res.end(text)
}

/** Sends a whole plain-text answer. */
export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return
  res.writeHead(status, {
    'Content-Type': TEXT_TYPE,
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  })
  res.end(text)
}

/** Result of reading a JSON body: the value, or the 400 message Ollama would give. */
export type BodyResult = { ok: true; value: Record<string, unknown> } | { ok: false; error: string }

/** Reads and parses a JSON object body. */
export async function readJsonBody(req: IncomingMessage): Promise<BodyResult> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_BODY_BYTES) return { ok: false, error: 'request body too large' }
    chunks.push(chunk)
  }
  const text = Buffer.concat(chunks).toString('utf8')
  // Ollama (gin ShouldBindJSON) answers an empty body with this exact text.
  if (text.trim() === '') return { ok: false, error: 'missing request body' }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    return { ok: false, error: `invalid JSON body: ${(err as Error).message}` }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: 'invalid JSON body: expected an object' }
  }
  return { ok: true, value: value as Record<string, unknown> }
}

/** An AbortSignal that fires when the client goes away before the answer is complete. */
export function abortOnClose(res: ServerResponse): AbortSignal {
  const controller = new AbortController()
  res.on('close', () => {
    if (!res.writableFinished) controller.abort()
  })
  // Writes racing a vanished client must not crash the simulator.
  res.on('error', () => controller.abort())
  return controller.signal
}

/** Waits `ms` (nothing for <= 0); rejects with AbortError when the signal fires. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) {
    signal?.throwIfAborted()
    return
  }
  await delay(ms, undefined, signal ? { signal } : {})
}

/** True for the error a `sleep` or queue wait throws when its client left. */
export function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'QueueAbortedError')
}

/**
 * Writes one frame of a streamed answer, sending the headers with the first one (as Ollama does:
 * a client waiting for headers is waiting for the first token). Resolves once the bytes are handed
 * to the socket, so a drop fault right after really drops after these bytes.
 */
export function writeFrame(res: ServerResponse, contentType: string, frame: string): Promise<void> {
  if (res.destroyed) return Promise.resolve()
  if (!res.headersSent) {
    res.writeHead(200, {
      'Content-Type': contentType,
      'Cache-Control': 'no-cache',
      ...(contentType === SSE_TYPE ? { Connection: 'keep-alive' } : {}),
    })
  }
  return new Promise((resolve) => {
    res.write(frame, () => resolve())
  })
}

/** Never resolves; rejects with AbortError once the client goes away. */
export function waitForAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    const fail = (): void => {
      const err = new Error('client disconnected')
      err.name = 'AbortError'
      reject(err)
    }
    if (signal.aborted) return fail()
    signal.addEventListener('abort', fail, { once: true })
  })
}

import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { ChatMessage } from '../../../shared/types'
import type { SimServer } from '../../../tools/ollama-sim/index'

/** The JSON body of one `/api/chat` request as it reached the server. */
export interface ChatBody {
  model: string
  messages: ChatMessage[]
  [field: string]: unknown
}

/** An answer the proxy gives itself instead of passing the request on. */
export interface CannedReply {
  status: number
  /** Default `application/json`. */
  contentType?: string
  /** NDJSON lines (or one JSON document) written as is; paced pieces are written after their delay. */
  body: string | { afterMs: number; text: string }[]
}

export interface RecordingProxy {
  name: string
  url: string
  /** Parsed JSON bodies of /api/chat requests, oldest first. */
  chatBodies: ChatBody[]
  /** What the server answered to each of them (same index), as far as it got. */
  chatReplies: string[]
  /** Requests whose client went away before the upstream answer was complete. */
  closedEarly: number
  /** Requests still open now. */
  open: number
  /**
   * Answers an /api/chat request itself when this returns a reply (e.g. an HTTP 500 for one model
   * only, which the simulator's server-wide faults cannot express); null passes it upstream.
   */
  intercept: ((body: ChatBody) => CannedReply | null) | null
  stop(): Promise<void>
}

/**
 * A loopback pass-through in front of a simulated server that keeps the request bodies, so a test
 * can prove what reached the server, and notices clients that hang up early.
 */
export async function recordingProxy(upstream: SimServer): Promise<RecordingProxy> {
  const proxy: RecordingProxy = {
    name: upstream.name,
    url: '',
    chatBodies: [],
    chatReplies: [],
    closedEarly: 0,
    open: 0,
    intercept: null,
    stop: async () => {
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
    },
  }
  const server = http.createServer((req, res) => {
    proxy.open++
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      res.on('close', () => {
        proxy.open--
        if (!res.writableFinished) {
          proxy.closedEarly++
          up?.destroy()
        }
      })
      let up: http.ClientRequest | null = null
      let reply = (_text: string): void => {}
      if (req.url === '/api/chat' && body) {
        const parsed = JSON.parse(body) as ChatBody
        const index = proxy.chatBodies.push(parsed) - 1
        proxy.chatReplies.push('')
        reply = (text) => {
          proxy.chatReplies[index] += text
        }
        const canned = proxy.intercept?.(parsed) ?? null
        if (canned) {
          res.writeHead(canned.status, { 'Content-Type': canned.contentType ?? 'application/json' })
          res.flushHeaders()
          void writePaced(res, canned.body, reply)
          return
        }
      }
      const headers = { ...req.headers }
      delete headers.host
      up = http.request(
        `${upstream.url}${req.url ?? '/'}`,
        { method: req.method, headers },
        (upRes) => {
          res.writeHead(upRes.statusCode ?? 502, upRes.headers)
          upRes.on('data', (c: Buffer) => reply(c.toString('utf8')))
          upRes.pipe(res)
          upRes.on('aborted', () => res.destroy())
          upRes.on('error', () => res.destroy())
        },
      )
      up.on('error', () => res.destroy())
      up.end(body)
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return proxy
}

async function writePaced(
  res: http.ServerResponse,
  body: string | { afterMs: number; text: string }[],
  reply: (text: string) => void,
): Promise<void> {
  if (typeof body === 'string') {
    reply(body)
    return void res.end(body)
  }
  for (const piece of body) {
    await new Promise((r) => setTimeout(r, piece.afterMs))
    if (res.destroyed) return
    reply(piece.text)
    res.write(piece.text)
  }
  res.end()
}

/** One NDJSON line per value, as Ollama streams them. */
export function ndjson(...lines: unknown[]): string {
  return lines.map((l) => `${JSON.stringify(l)}\n`).join('')
}

/** The answer and reasoning text a streamed /api/chat reply carried on the wire. */
export function wireText(reply: string): { content: string; thinking: string } {
  let content = ''
  let thinking = ''
  for (const line of reply.split('\n')) {
    if (line.trim() === '') continue
    const chunk = JSON.parse(line) as { message?: { content?: string; thinking?: string } }
    content += chunk.message?.content ?? ''
    thinking += chunk.message?.thinking ?? ''
  }
  return { content, thinking }
}

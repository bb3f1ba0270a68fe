import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

/** How the fake answers one route: JSON with a status (after `delayMs`), or never (hang). */
export type FakeRoute = { status?: number; body: unknown; delayMs?: number } | 'hang'

/** A minimal raw-HTTP stand-in for Ollama, for wire-level prober tests on 127.0.0.1. */
export interface FakeOllama {
  url: string
  routes: Map<string, FakeRoute>
  hits: string[]
  close(): Promise<void>
}

/** Starts the fake on 127.0.0.1 with port 0; unknown routes answer 404. */
export async function startFakeOllama(routes: Record<string, FakeRoute>): Promise<FakeOllama> {
  const table = new Map(Object.entries(routes))
  const hits: string[] = []
  const sockets = new Set<Socket>()
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const key = `${req.method} ${req.url}`
    hits.push(key)
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString()))
    req.on('end', () => {
      const route = table.get(key) ?? { status: 404, body: { error: `no route ${key}` } }
      if (route === 'hang') return
      const answer = (): void => {
        res.writeHead(route.status ?? 200, { 'content-type': 'application/json' })
        res.end(JSON.stringify(route.body))
      }
      if (route.delayMs === undefined) answer()
      else setTimeout(answer, route.delayMs)
    })
  })
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    routes: table,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

/** A loopback port nobody listens on (bound once, then released). */
export async function refusedUrl(): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `http://127.0.0.1:${port}`
}

/** A healthy Ollama's three probe routes. */
export function healthyRoutes(models: string[], loaded: string[] = []): Record<string, FakeRoute> {
  const tag = (name: string) => ({
    name,
    model: name,
    size: 1000,
    digest: `d-${name}`,
    details: { family: name.split(':')[0] ?? '', quantization_level: 'Q4_K_M' },
  })
  return {
    'GET /api/version': { body: { version: '0.12.3' } },
    'GET /api/tags': { body: { models: models.map(tag) } },
    'GET /api/ps': {
      body: { models: loaded.map((n) => ({ ...tag(n), size_vram: 1000, expires_at: '' })) },
    },
  }
}

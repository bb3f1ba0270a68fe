/**
 * Origins, CORS answers and Host names over real HTTP through `serve` (issue 14 point 6): Ollama's default
 * origins and a configured one get the CORS headers, a foreign one 403; `*.localhost` Hosts are answered,
 * foreign names refused. The guard's decisions one by one: tests/unit/core/api/request-guard.test.ts.
 */
import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServeFixture, type ServeFixture } from '../../helpers/serve-fixture'
import { ServeConfigError } from '../../../electron/serve/serve'

/** A request with any headers (Host included): status, headers and body. */
function send(
  url: string,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const u = new URL(url)
  return new Promise((resolve, reject) => {
    const req = request(
      { host: u.hostname, port: u.port, path, method: opts.method ?? 'GET', headers: opts.headers },
      (res) => {
        let body = ''
        res.on('data', (c: Buffer) => (body += c.toString()))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }))
      },
    )
    req.on('error', reject)
    if (opts.body !== undefined) req.write(opts.body)
    req.end()
  })
}

const WEBVIEW = 'vscode-webview://1a2b3c4d5e6f'
const preflight = (origin: string) => ({
  method: 'OPTIONS',
  headers: {
    Origin: origin,
    'Access-Control-Request-Method': 'POST',
    'Access-Control-Request-Headers': 'content-type,authorization',
  },
})

describe('serve: origins and CORS, with a token and an extra origin configured', () => {
  let fx: ServeFixture
  const auth = { Authorization: 'Bearer s3cret' }
  beforeAll(async () => {
    fx = await startServeFixture({
      tail: 'api:\n  token: s3cret\n  allowed_origins: ["https://chat.example"]\n',
    })
  })
  afterAll(async () => {
    await fx?.close()
  })

  it('answers a preflight from a VS Code webview with the CORS headers (no token needed on it)', async () => {
    const res = await send(fx.serve.url, '/api/chat', preflight(WEBVIEW))
    expect(res.status).toBe(204)
    expect(res.headers['access-control-allow-origin']).toBe(WEBVIEW)
    expect(res.headers['access-control-allow-methods']).toContain('POST')
    expect(String(res.headers['access-control-allow-headers']).toLowerCase()).toContain(
      'authorization',
    )
    expect(String(res.headers['access-control-allow-headers']).toLowerCase()).toContain(
      'content-type',
    )
    expect(res.headers['vary']).toContain('Origin')
  })

  it('a real request from the webview gets its answer with the origin echoed and Vary: Origin', async () => {
    const res = await send(fx.serve.url, '/api/tags', { headers: { Origin: WEBVIEW, ...auth } })
    expect(res.status).toBe(200)
    expect(res.headers['access-control-allow-origin']).toBe(WEBVIEW)
    expect(res.headers['vary']).toContain('Origin')
    expect(JSON.parse(res.body).models.length).toBeGreaterThan(0)
  })

  it('the token still applies to an allowed origin', async () => {
    const res = await send(fx.serve.url, '/api/tags', { headers: { Origin: WEBVIEW } })
    expect(res.status).toBe(401)
  })

  it('a configured extra origin works like a default one', async () => {
    const pre = await send(fx.serve.url, '/v1/chat/completions', preflight('https://chat.example'))
    expect(pre.status).toBe(204)
    expect(pre.headers['access-control-allow-origin']).toBe('https://chat.example')
    const res = await send(fx.serve.url, '/v1/models', {
      headers: { Origin: 'https://chat.example', ...auth },
    })
    expect(res.status).toBe(200)
    expect(res.headers['access-control-allow-origin']).toBe('https://chat.example')
  })

  it('a foreign origin gets 403 and no CORS headers, preflight or not', async () => {
    const pre = await send(fx.serve.url, '/api/chat', preflight('https://evil.example'))
    expect(pre.status).toBe(403)
    expect(pre.headers['access-control-allow-origin']).toBeUndefined()
    const res = await send(fx.serve.url, '/api/tags', {
      headers: { Origin: 'https://evil.example', ...auth },
    })
    expect(res.status).toBe(403)
    expect(res.headers['access-control-allow-origin']).toBeUndefined()
    expect(JSON.parse(res.body).error).toBe('Origin "https://evil.example" is not allowed')
  })

  it.each([
    [
      'a chat answer',
      '/api/chat',
      { model: 'auto', messages: [{ role: 'user', content: 'Hi' }], stream: false },
    ],
    [
      'a streamed chat',
      '/api/chat',
      { model: 'gemma3:1b', messages: [{ role: 'user', content: 'Hi' }] },
    ],
    [
      'a generate with a foreign context',
      '/api/generate',
      { model: 'gemma3:1b', prompt: 'Hi', context: [1, 2, 3], stream: false },
    ],
    ['an unload', '/api/generate', { model: 'gemma3:1b', prompt: '', keep_alive: 0 }],
    [
      'an OpenAI answer',
      '/v1/chat/completions',
      { model: 'auto', messages: [{ role: 'user', content: 'Hi' }] },
    ],
  ])('%s exposes every X-AILLM-* header it carries to the page', async (_name, path, body) => {
    const res = await send(fx.serve.url, path, {
      method: 'POST',
      headers: { Origin: WEBVIEW, 'Content-Type': 'application/json', ...auth },
      body: JSON.stringify(body),
    })
    expect(res.status).toBe(200)
    const sent = Object.keys(res.headers).filter((h) => h.startsWith('x-aillm-'))
    expect(sent.length).toBeGreaterThan(0)
    const exposed = String(res.headers['access-control-expose-headers'] ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
    expect(exposed).toEqual(expect.arrayContaining(sent))
  })

  it('a local web UI on another localhost port is allowed', async () => {
    const res = await send(fx.serve.url, '/api/version', {
      headers: { Origin: 'http://localhost:3000', ...auth },
    })
    expect(res.status).toBe(200)
    expect(res.headers['access-control-allow-origin']).toBe('http://localhost:3000')
  })
})

describe('serve: Host names on loopback', () => {
  let fx: ServeFixture
  beforeAll(async () => {
    fx = await startServeFixture()
  })
  afterAll(async () => {
    await fx?.close()
  })

  it.each(['foo.localhost', 'host.docker.internal'])('answers Host: %s:PORT', async (name) => {
    const port = new URL(fx.serve.url).port
    const res = await send(fx.serve.url, '/api/version', { headers: { Host: `${name}:${port}` } })
    expect(res.status).toBe(200)
  })

  it.each(['evil.example', 'printer.local'])('refuses Host: %s (DNS rebinding)', async (name) => {
    const res = await send(fx.serve.url, '/api/version', { headers: { Host: name } })
    expect(res.status).toBe(403)
    expect(JSON.parse(res.body).error).toBe(
      `Host "${name}" is not allowed: this API only answers to localhost (DNS-rebinding guard)`,
    )
  })
})

describe('serve: AILLM_ORIGINS, the environment’s OLLAMA_ORIGINS', () => {
  let fx: ServeFixture
  beforeAll(async () => {
    fx = await startServeFixture({
      tail: 'api:\n  allowed_origins: ["https://file.example"]\n',
      env: { AILLM_ORIGINS: 'https://chat.example, moz-extension://*' },
    })
  })
  afterAll(async () => {
    await fx?.close()
  })

  it.each(['https://chat.example', 'moz-extension://abc-123'])(
    'lets %s in with the CORS headers',
    async (origin) => {
      const res = await send(fx.serve.url, '/api/tags', { headers: { Origin: origin } })
      expect(res.status).toBe(200)
      expect(res.headers['access-control-allow-origin']).toBe(origin)
    },
  )

  it('replaces api.allowed_origins (the defaults stay allowed)', async () => {
    const file = await send(fx.serve.url, '/api/tags', {
      headers: { Origin: 'https://file.example' },
    })
    expect(file.status).toBe(403)
    const local = await send(fx.serve.url, '/api/tags', {
      headers: { Origin: 'http://localhost:3000' },
    })
    expect(local.status).toBe(200)
  })

  it('a bad entry stops serve with an error naming the variable and the entry', async () => {
    const started = startServeFixture({
      env: { AILLM_ORIGINS: 'https://ok.example,https://bad.example/x' },
    })
    const err = await started.then(
      async (f) => {
        await f.close()
        return null
      },
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(ServeConfigError)
    expect((err as Error).message).toMatch(
      /env\.AILLM_ORIGINS: entry "https:\/\/bad\.example\/x" must be an origin without a path/,
    )
  })
})

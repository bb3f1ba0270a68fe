import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Ollama } from 'ollama'
import { sideProbe } from '../../../electron/core/chat/side-probe'
import { createTimedFetch } from '../../../electron/core/chat/timed-fetch'
import { startSimServer, type SimServer } from '../../../tools/ollama-sim/index'
import { target } from './executor-fixtures'

// The status check a silence watch sends to a server that says nothing: alive at all (/api/version),
// and is the awaited model resident (/api/ps)? Tried against the simulator and, where /api/ps must say
// something the simulator never does, against a small upstream that answers only those two routes.

let sim: SimServer
const client = (url: string) => new Ollama({ host: url, fetch: createTimedFetch() })

beforeAll(async () => {
  sim = await startSimServer({
    name: 'sim',
    port: 0,
    models: ['gemma3:12b', 'qwen2.5:1.5b', 'llama3.2:latest'],
    tokensPerSecond: 400,
    replyWords: 4,
  })
  // Load two models, the way a request would: an empty generate loads without answering.
  const c = client(sim.url)
  await c.generate({ model: 'gemma3:12b', prompt: '' })
  await c.generate({ model: 'llama3.2:latest', prompt: '' })
})

afterEach(async () => {
  await sim.setFault({ kind: 'none' })
})

afterAll(async () => {
  await sim?.stop()
})

const probe = (
  url: string,
  model: string,
  timeoutMs = 1_000,
  signal = new AbortController().signal,
) => sideProbe(client(url), target({ name: 'sim', url }, model), timeoutMs)(signal)

describe('sideProbe against the simulator', () => {
  it('says a model /api/ps lists is resident, and one it does not list is not', async () => {
    expect(await probe(sim.url, 'gemma3:12b')).toBe(true)
    expect(await probe(sim.url, 'qwen2.5:1.5b')).toBe(false)
  })

  it('treats name and name:latest as one model, either way round', async () => {
    expect(await probe(sim.url, 'llama3.2')).toBe(true)
    expect(await probe(sim.url, 'llama3.2:latest')).toBe(true)
    // A tag is not dropped: gemma3 (= gemma3:latest) is not gemma3:12b.
    expect(await probe(sim.url, 'gemma3')).toBe(false)
  })

  it('rejects when /api/version is refused: the box is not there', async () => {
    await sim.setFault({ kind: 'stopped' })
    await expect(probe(sim.url, 'gemma3:12b')).rejects.toThrow()
  })

  it('rejects when a frozen box holds /api/version until its signal aborts', async () => {
    await sim.setFault({ kind: 'frozen' })
    const controller = new AbortController()
    const started = Date.now()
    const pending = probe(sim.url, 'gemma3:12b', 60_000, controller.signal)
    setTimeout(() => controller.abort(new Error('watch stopped')), 100)
    await expect(pending).rejects.toThrow()
    expect(Date.now() - started).toBeLessThan(5_000)
  })
})

// ---- an upstream whose /api/ps says what the simulator never does ----------------------------

type PsAnswer = { status: number; body: string } | 'hang' | 'drop'
let psAnswer: PsAnswer = { status: 200, body: '{"models":[]}' }
let upstream: http.Server
let upstreamUrl = ''

beforeAll(async () => {
  upstream = http.createServer((req, res) => {
    if (req.url === '/api/version') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"version":"0.12.3"}')
      return
    }
    if (req.url === '/api/ps') {
      if (psAnswer === 'hang') return
      if (psAnswer === 'drop') {
        req.socket.destroy()
        return
      }
      res.writeHead(psAnswer.status, { 'content-type': 'application/json' }).end(psAnswer.body)
      return
    }
    res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`
})

afterAll(async () => {
  upstream.closeAllConnections()
  await new Promise((resolve) => upstream.close(resolve))
})

const psModels = (models: { name?: string; model?: string }[]): PsAnswer => ({
  status: 200,
  body: JSON.stringify({ models }),
})

describe('sideProbe when /api/ps names a model by one field only', () => {
  it('matches on `name` when `model` differs, and on `model` when `name` differs', async () => {
    psAnswer = psModels([{ name: 'gemma3:12b', model: 'sha-of-something-else' }])
    expect(await probe(upstreamUrl, 'gemma3:12b')).toBe(true)
    psAnswer = psModels([{ name: 'my-alias', model: 'gemma3:12b' }])
    expect(await probe(upstreamUrl, 'gemma3:12b')).toBe(true)
    psAnswer = psModels([{ name: 'my-alias', model: 'other:7b' }])
    expect(await probe(upstreamUrl, 'gemma3:12b')).toBe(false)
  })

  it('does not take a missing field for a match, even for a model named "latest"-less', async () => {
    psAnswer = psModels([{ model: 'qwen2.5:1.5b' }])
    expect(await probe(upstreamUrl, 'gemma3:12b')).toBe(false)
    expect(await probe(upstreamUrl, 'qwen2.5:1.5b')).toBe(true)
  })
})

describe('sideProbe when /api/ps fails but the box is alive', () => {
  it('says nothing (undefined) for an HTTP 500, a dropped socket or a hang cut short', async () => {
    psAnswer = { status: 500, body: '{"error":"busy unloading"}' }
    expect(await probe(upstreamUrl, 'gemma3:12b')).toBeUndefined()
    psAnswer = 'drop'
    expect(await probe(upstreamUrl, 'gemma3:12b')).toBeUndefined()
    psAnswer = 'hang'
    const controller = new AbortController()
    setTimeout(() => controller.abort(new Error('watch stopped')), 200)
    expect(await probe(upstreamUrl, 'gemma3:12b', 1_000, controller.signal)).toBeUndefined()
  })
})

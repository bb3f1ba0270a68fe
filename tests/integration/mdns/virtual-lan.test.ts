/**
 * mDNS on a real virtual LAN (issue 5): a "laptop" and a "gpu" network namespace joined by a veth
 * pair. The gpu namespace runs the Ollama simulator and an mDNS responder; the laptop runs `serve`.
 * All multicast stays on that veth pair. Skips (with the reason printed) where namespaces cannot be
 * created; everything created is removed afterwards, also when a test fails.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ServerView } from '../../../shared/types'
import { JsonLinesProcess } from '../../../tools/netns/json-lines-process'
import {
  createVirtualLan,
  netnsSupport,
  removeStaleNamespaces,
  type VirtualLan,
} from '../../../tools/netns/netns'

const ROOT = resolve(__dirname, '..', '..', '..')
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx')

const support = netnsSupport()
if (!support.ok) console.log(`Skipping the mDNS virtual-LAN tests: ${support.reason}`)

const FLEET = `servers:
  - name: gpu
    host: 0.0.0.0
    port: 11434
    loadMs: 10
    tokensPerSecond: 2000
    replyWords: 6
    models:
      - gemma3:12b
  - name: box
    host: 0.0.0.0
    port: 11435
    loadMs: 10
    tokensPerSecond: 2000
    replyWords: 6
    models:
      - phi3:3b
`

// base_url points at an address nobody has: the primary must be reached by its mDNS name.
const LAPTOP_CONFIG = `llm:
  providers:
    ollama:
      base_url: http://10.231.0.99:11434
      fallback_urls:
        - ollama-server.local:11434
      additional_servers: []
      auto_discover: true
      mdns:
        enabled: true
        interface: 10.231.0.1
      timeouts:
        probe_ms: 1500
        connect_ms: 1500
      health_check_interval_s: 1
`

describe.skipIf(!support.ok)('mDNS on a virtual LAN of network namespaces', () => {
  let lan: VirtualLan | null = null
  let dir = ''
  let sim: JsonLinesProcess | null = null
  let responder: JsonLinesProcess | null = null
  let laptop: JsonLinesProcess | null = null

  const servers = async (): Promise<ServerView[]> =>
    (await laptop!.request('servers')) as ServerView[]

  /** Polls the laptop's server list until `pick` returns something. */
  async function until<T>(
    what: string,
    pick: (list: ServerView[]) => T | null | undefined | false,
    timeoutMs = 15_000,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs
    let last: ServerView[] = []
    while (Date.now() < deadline) {
      last = await servers()
      const hit = pick(last)
      if (hit) return hit
      await new Promise((r) => setTimeout(r, 200))
    }
    throw new Error(
      `timed out waiting for ${what}; servers: ${JSON.stringify(last.map((s) => ({ id: s.id, url: s.url, addr: s.resolvedAddress, health: s.health, trusted: s.trusted })))}\n${laptop!.tail(15)}`,
    )
  }

  const chat = async (model: string, content: string) =>
    (await laptop!.request('http', {
      method: 'POST',
      path: '/api/chat',
      body: { model, messages: [{ role: 'user', content }], stream: false },
    })) as { status: number; json: { message?: { content?: string }; error?: string } | null }

  beforeAll(async () => {
    removeStaleNamespaces()
    lan = createVirtualLan()
    dir = mkdtempSync(join(tmpdir(), 'aillm-mdns-'))
    writeFileSync(join(dir, 'fleet.yaml'), FLEET)
    writeFileSync(join(dir, 'laptop.yaml'), LAPTOP_CONFIG)
    const inGpu = (cmd: string[]) => lan!.execArgs(lan!.gpu, cmd)
    sim = new JsonLinesProcess(
      'sim',
      inGpu([TSX, join(ROOT, 'tools/ollama-sim/cli.ts'), join(dir, 'fleet.yaml')]),
    )
    responder = new JsonLinesProcess(
      'responder',
      inGpu([TSX, join(ROOT, 'tools/netns/responder.ts'), '--interface', lan.gpu.address]),
    )
    await Promise.all([
      sim.waitForText(/^box http/, 20_000),
      responder.waitFor((l) => l['event'] === 'ready', 20_000, 'responder ready'),
    ])
    await responder.request('host', { name: 'ollama-server.local', address: lan.gpu.address })
    laptop = new JsonLinesProcess(
      'laptop',
      lan.execArgs(lan.laptop, [
        TSX,
        join(ROOT, 'tools/netns/serve-driver.ts'),
        '--config',
        join(dir, 'laptop.yaml'),
        '--data-dir',
        join(dir, 'laptop-data'),
      ]),
    )
    await laptop.waitFor((l) => l['event'] === 'ready', 30_000, 'serve ready')
  }, 60_000)

  afterAll(async () => {
    try {
      await Promise.all([laptop?.stop(), responder?.stop(), sim?.stop()])
    } finally {
      lan?.remove()
      if (dir) rmSync(dir, { recursive: true, force: true })
    }
  }, 30_000)

  it('reaches the primary by ollama-server.local when base_url is unreachable, and routes there', async () => {
    const primary = await until('primary online via mDNS', (list) =>
      list.find((s) => s.id === 'primary' && s.health.kind === 'online'),
    )
    expect(primary).toMatchObject({
      url: 'http://ollama-server.local:11434',
      source: 'fallback_url',
      resolvedAddress: '10.231.0.2',
      dialUrl: 'http://10.231.0.2:11434',
    })
    const answer = await chat('gemma3:12b', 'Explain the Singleton pattern')
    expect(answer.status).toBe(200)
    expect(answer.json?.message?.content).toMatch(/^\[gemma3:12b@gpu\]/)
  })

  it('lists an advertised _ollama._tcp box, uses it only once trusted', async () => {
    await responder!.request('publish', {
      name: 'gpu-box',
      port: 11435,
      host: 'gpu-box.local',
      txt: { version: '0.12.3', models: '1', id: 'test-box' },
    })
    const box = await until('gpu-box discovered and probed', (list) =>
      list.find((s) => s.id === 'gpu-box' && s.health.kind === 'online'),
    )
    expect(box).toMatchObject({
      source: 'mdns',
      priority: 'SECONDARY',
      trusted: false,
      url: 'http://gpu-box.local:11435',
      resolvedAddress: '10.231.0.2',
    })
    const before = await chat('phi3:3b', 'Hi!')
    expect(before.status).not.toBe(200)

    await laptop!.request('trust', { serverId: 'gpu-box' })
    expect(readFileSync(join(dir, 'laptop.yaml'), 'utf8')).toMatch(/trusted_servers:[\s\S]*gpu-box/)
    await until('gpu-box trusted', (list) => list.find((s) => s.id === 'gpu-box' && s.trusted))
    const after = await chat('phi3:3b', 'Hi!')
    expect(after.status).toBe(200)
    expect(after.json?.message?.content).toMatch(/^\[phi3:3b@box\]/)
  })

  it('notices the box going away (goodbye)', async () => {
    await until('gpu-box present', (list) => list.some((s) => s.id === 'gpu-box'))
    await responder!.request('unpublish')
    await until('gpu-box gone', (list) => !list.some((s) => s.id === 'gpu-box') && list.length > 0)
  })

  it('follows an address change of ollama-server.local', async () => {
    lan!.setGpuAddress('10.231.0.3')
    await responder!.request('interface', { address: '10.231.0.3' })
    await responder!.request('host', { name: 'ollama-server.local', address: '10.231.0.3' })
    const moved = await until(
      'primary at the new address',
      (list) =>
        list.find(
          (s) =>
            s.id === 'primary' && s.health.kind === 'online' && s.resolvedAddress === '10.231.0.3',
        ),
      20_000,
    )
    expect(moved.dialUrl).toBe('http://10.231.0.3:11434')
    const answer = await chat('gemma3:12b', 'Explain the Singleton pattern')
    expect(answer.status).toBe(200)
    expect(answer.json?.message?.content).toMatch(/^\[gemma3:12b@gpu\]/)
  }, 30_000)
})

/**
 * The routing log records how each routed request ended (issue 15): a failover before the first token and
 * an answer continued mid-stream show as failed over, with where it started and where it finished.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createAppCore, type AppCore } from '../../../electron/core/app-core'
import { createMemoryLogger } from '../../../electron/core/logger'
import { startSimServer, type SimServer } from '../../../tools/ollama-sim'
import type { ChatChunk, RoutingDecision } from '../../../shared/types'

let sims: SimServer[] = []
let core: AppCore | null = null
let dir = ''

afterEach(async () => {
  await core?.stop()
  core = null
  await Promise.all(sims.map((s) => s.stop()))
  sims = []
  if (dir) rmSync(dir, { recursive: true, force: true })
})

async function setUp() {
  const remote = await startSimServer({
    name: 'remote',
    port: 0,
    models: ['qwen2.5-coder:14b', 'gemma3:12b'],
    timeScale: 0,
  })
  const laptop = await startSimServer({
    name: 'laptop',
    port: 0,
    models: ['gemma3:1b', 'qwen2.5:1.5b'],
    timeScale: 0,
  })
  sims = [remote, laptop]
  dir = mkdtempSync(join(tmpdir(), 'aillm-outcome-'))
  const configPath = join(dir, 'config.yaml')
  writeFileSync(
    configPath,
    [
      'llm:',
      '  providers:',
      '    ollama:',
      '      additional_servers:',
      `        - { name: remote, url: ${remote.url}, priority: PRIMARY }`,
      `        - { name: laptop, url: ${laptop.url}, priority: SECONDARY }`,
      '      auto_discover: false',
      '      mdns:',
      '        enabled: false',
      '',
    ].join('\n'),
  )
  core = await createAppCore({
    configPath,
    dataDir: join(dir, 'data'),
    logger: createMemoryLogger('ERROR'),
  })
  await core.start()
  const chunks: ChatChunk[] = []
  const published: RoutingDecision[] = []
  core.on('chat:chunk', (c) => chunks.push(c))
  core.on('routing:decision', (d) => published.push(structuredClone(d)))
  return { core, remote, chunks, published }
}

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 20))
  }
}

const CODE_TASK = 'Write an auth system with JWT, refresh tokens and rate limiting'

describe('decision outcomes in the routing log', () => {
  it('an answer on the chosen pair is answered', async () => {
    const { core, chunks } = await setUp()
    await core.handlers['chat:send']({ conversationId: null, content: CODE_TASK })
    await until(() => chunks.some((c) => c.kind === 'done'))
    const [entry] = await core.handlers['routing:log']()
    expect(entry?.chosen?.serverName).toBe('remote')
    expect(entry?.outcome).toMatchObject({ kind: 'answered', serverName: 'remote' })
  })

  it('a server that is gone before the first token: failed over, from remote to laptop', async () => {
    const { core, remote, chunks, published } = await setUp()
    await remote.setFault({ kind: 'stopped' })
    await core.handlers['chat:send']({ conversationId: null, content: CODE_TASK })
    await until(() => chunks.some((c) => c.kind === 'done' || c.kind === 'error'))
    const [entry] = await core.handlers['routing:log']()
    expect(entry?.chosen?.serverName).toBe('remote')
    expect(entry?.action).toBe('routed')
    expect(entry?.outcome).toMatchObject({
      kind: 'failed-over',
      fromServerName: 'remote',
      serverName: 'laptop',
      continued: false,
    })
    // The outcome is published too, as the same decision (same id) the renderer already holds.
    const last = published.at(-1)
    expect(last?.id).toBe(entry?.id)
    expect(last?.outcome?.kind).toBe('failed-over')
  })

  it('an answer cut mid-stream and continued elsewhere: failed over, continued', async () => {
    const { core, remote, chunks } = await setUp()
    await remote.setFault({ kind: 'drop-after', chunks: 3 })
    await core.handlers['chat:send']({ conversationId: null, content: CODE_TASK })
    await until(() => chunks.some((c) => c.kind === 'done' || c.kind === 'error'))
    expect(chunks.some((c) => c.kind === 'seam')).toBe(true)
    const [entry] = await core.handlers['routing:log']()
    expect(entry?.outcome).toMatchObject({
      kind: 'failed-over',
      fromServerName: 'remote',
      reason: 'stream-dropped',
      continued: true,
    })
  })

  it('every server down: failed, with the reason in words', async () => {
    const { core, chunks } = await setUp()
    await Promise.all(sims.map((s) => s.setFault({ kind: 'stopped' })))
    await core.handlers['chat:send']({ conversationId: null, content: CODE_TASK })
    await until(() => chunks.some((c) => c.kind === 'error'))
    const [entry] = await core.handlers['routing:log']()
    expect(entry?.outcome?.kind).toBe('failed')
  })
})

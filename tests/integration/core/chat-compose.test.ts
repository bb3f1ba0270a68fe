/**
 * Issue 15 through the app core and the simulator over HTTP: a conversation's system prompt and a
 * message's images reach Ollama (the simulator counts them as prompt tokens: an image costs a vision
 * model 256), and a message with images is routed only to a vision model.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createAppCore, type AppCore } from '../../../electron/core/app-core'
import { createMemoryLogger } from '../../../electron/core/logger'
import { startSimServer, type SimServer } from '../../../tools/ollama-sim'
import type { ChatChunk, ResponseMetadata } from '../../../shared/types'

let sim: SimServer | null = null
let core: AppCore | null = null
let dir = ''

afterEach(async () => {
  await core?.stop()
  core = null
  await sim?.stop()
  sim = null
  if (dir) rmSync(dir, { recursive: true, force: true })
})

async function setUp(models: string[]) {
  sim = await startSimServer({ name: 'solo', port: 0, models })
  dir = mkdtempSync(join(tmpdir(), 'aillm-compose-'))
  const configPath = join(dir, 'config.yaml')
  writeFileSync(
    configPath,
    `llm:\n  providers:\n    ollama:\n      base_url: ${sim.url}\n      mdns:\n        enabled: false\n`,
  )
  core = await createAppCore({
    configPath,
    dataDir: join(dir, 'data'),
    logger: createMemoryLogger('WARNING'),
  })
  await core.start()
  const chunks: ChatChunk[] = []
  core.on('chat:chunk', (c) => chunks.push(c))
  const done = async (requestId: string): Promise<ChatChunk> => {
    const end = Date.now() + 10_000
    for (;;) {
      const c = chunks.find(
        (x) => x.requestId === requestId && (x.kind === 'done' || x.kind === 'error'),
      )
      if (c) return c
      if (Date.now() > end) throw new Error('no answer in time')
      await new Promise((r) => setTimeout(r, 20))
    }
  }
  return { core, done }
}

const promptTokens = (md: ResponseMetadata): number =>
  md.attempts.reduce((n, a) => n + (a.usage?.prompt_eval_count ?? 0), 0)

describe('system prompt and images go upstream', () => {
  it('the system prompt is sent with every turn of its conversation', async () => {
    const { core: c, done } = await setUp(['gemma3:1b'])
    const plain = await c.handlers['chat:send']({ conversationId: null, content: 'Hi there' })
    const a = await done(plain.requestId)
    const conv = await c.handlers['conversations:setSystemPrompt'](
      null,
      'You are a terse assistant. Answer in one short sentence, in German, and never use lists.',
    )
    const withPrompt = await c.handlers['chat:send']({
      conversationId: conv.id,
      content: 'Hi there',
    })
    const b = await done(withPrompt.requestId)
    if (a.kind !== 'done' || b.kind !== 'done') throw new Error('a turn failed')
    expect(promptTokens(b.metadata)).toBeGreaterThan(promptTokens(a.metadata) + 10)
    expect((await c.handlers['conversations:get'](conv.id))?.systemPrompt).toMatch(
      /^You are a terse/,
    )
  })

  it('images go to the vision model with the message and are stored with it', async () => {
    const { core: c, done } = await setUp(['gemma3:1b', 'gemma3:4b'])
    const sent = await c.handlers['chat:send']({
      conversationId: null,
      content: 'Hi! What is this?',
      images: ['iVBORw0KGgo='],
    })
    const end = await done(sent.requestId)
    if (end.kind !== 'done') throw new Error(`failed: ${JSON.stringify(end)}`)
    expect(end.metadata.model).toBe('gemma3:4b')
    expect(promptTokens(end.metadata)).toBeGreaterThanOrEqual(256)
    const stored = await c.handlers['conversations:get'](sent.conversationId)
    expect(stored?.messages[0]?.images).toEqual(['iVBORw0KGgo='])
  })

  it('with no vision model the turn fails saying so, and the message is kept', async () => {
    const { core: c, done } = await setUp(['gemma3:1b'])
    const sent = await c.handlers['chat:send']({
      conversationId: null,
      content: 'What is this?',
      images: ['iVBORw0KGgo='],
    })
    const end = await done(sent.requestId)
    expect(end.kind).toBe('error')
    const stored = await c.handlers['conversations:get'](sent.conversationId)
    expect(stored?.messages[0]).toMatchObject({ role: 'user', images: ['iVBORw0KGgo='] })
  })
})

/**
 * Chat turns through the app core (the contract's `chat:send`): streamed chunks, and a shutdown in the
 * middle of an answer keeps what was streamed, marked interrupted, on disk.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createAppCore } from '../../../electron/core/app-core'
import { ConversationStore } from '../../../electron/core/chat'
import { createMemoryLogger } from '../../../electron/core/logger'
import { startSimServer, type SimServer } from '../../../tools/ollama-sim'
import type { ChatChunk } from '../../../shared/types'

let sim: SimServer | null = null
let dir = ''

afterEach(async () => {
  await sim?.stop()
  sim = null
  if (dir) rmSync(dir, { recursive: true, force: true })
})

async function setUp(msPerChunk: number, models = ['gemma3:1b']) {
  sim = await startSimServer({
    name: 'solo',
    port: 0,
    models,
    fault: { kind: 'trickle', msPerChunk },
  })
  dir = mkdtempSync(join(tmpdir(), 'aillm-core-'))
  const configPath = join(dir, 'config.yaml')
  writeFileSync(
    configPath,
    `llm:\n  providers:\n    ollama:\n      base_url: ${sim.url}\n      mdns:\n        enabled: false\n`,
  )
  const core = await createAppCore({
    configPath,
    dataDir: join(dir, 'data'),
    logger: createMemoryLogger('WARNING'),
  })
  await core.start()
  const chunks: ChatChunk[] = []
  core.on('chat:chunk', (c) => chunks.push(c))
  return { core, chunks }
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('chat turns in the app core', () => {
  it('streams tokens then done, and stores the answer', async () => {
    const { core, chunks } = await setUp(1)
    const { conversationId } = await core.handlers['chat:send']({
      conversationId: null,
      content: 'Hi!',
    })
    await until(() => chunks.some((c) => c.kind === 'done'))
    expect(chunks.filter((c) => c.kind === 'token').length).toBeGreaterThan(3)
    const stored = await core.handlers['conversations:get'](conversationId)
    expect(stored?.messages.map((m) => [m.role, m.interrupted])).toEqual([
      ['user', false],
      ['assistant', false],
    ])
    expect(stored?.messages[1]?.content.startsWith('[gemma3:1b@solo]')).toBe(true)
    expect(stored?.title).toBe('Hi!')
    await core.stop()
  })

  it('a thinking model’s reasoning is streamed as thinking chunks and saved with the answer', async () => {
    const { core, chunks } = await setUp(1, ['qwen3:1.7b'])
    const { conversationId } = await core.handlers['chat:send']({
      conversationId: null,
      content: 'Why is the sky blue?',
    })
    await until(() => chunks.some((c) => c.kind === 'done'))
    const streamed = chunks.flatMap((c) => (c.kind === 'thinking' ? [c.text] : [])).join('')
    expect(streamed).not.toBe('')
    const stored = await core.handlers['conversations:get'](conversationId)
    const answer = stored?.messages[1]
    expect(answer?.thinking?.text).toBe(streamed)
    expect(answer?.thinking?.durationMs).toBeGreaterThanOrEqual(0)
    // The reasoning is kept beside the answer, not mixed into it.
    expect(answer?.content.startsWith('[qwen3:1.7b@solo]')).toBe(true)
    expect(answer?.content).not.toContain(streamed)
    await core.stop()
  })

  it('a shutdown mid-answer keeps the streamed text, marked interrupted', async () => {
    const { core, chunks } = await setUp(200)
    const { conversationId } = await core.handlers['chat:send']({
      conversationId: null,
      content: 'Hi!',
    })
    await until(() => chunks.filter((c) => c.kind === 'token').length >= 2)
    const streamed = chunks.flatMap((c) => (c.kind === 'token' ? [c.text] : [])).join('')
    await core.stop()
    const store = new ConversationStore(join(dir, 'data', 'conversations'))
    const answer = (await store.get(conversationId))?.messages[1]
    expect(answer?.interrupted).toBe(true)
    expect(answer?.content.startsWith(streamed)).toBe(true)
    expect(streamed.length).toBeGreaterThan(0)
  })

  it('regenerate adds a version to the answer instead of replacing it, and versions survive a reload', async () => {
    const { core, chunks } = await setUp(1, ['gemma3:1b', 'llama3.1:8b'])
    const { conversationId } = await core.handlers['chat:send']({
      conversationId: null,
      content: 'Hi!',
    })
    await until(() => chunks.filter((c) => c.kind === 'done').length === 1)
    const first = (await core.handlers['conversations:get'](conversationId))?.messages[1]
    await core.handlers['chat:send']({ conversationId, content: '', regenerate: true })
    await until(() => chunks.filter((c) => c.kind === 'done').length === 2)
    await core.handlers['chat:send']({
      conversationId,
      content: '',
      regenerate: true,
      minTier: 'balanced',
    })
    await until(() => chunks.filter((c) => c.kind === 'done').length === 3)
    await core.stop()

    const reopened = await new ConversationStore(join(dir, 'data', 'conversations')).get(
      conversationId,
    )
    // Still one user message and one answer; the answer holds all three versions.
    expect(reopened?.messages.map((m) => m.role)).toEqual(['user', 'assistant'])
    const answer = reopened?.messages[1]
    expect(answer?.id).toBe(first?.id)
    expect(answer?.versions?.map((v) => v.content)).toEqual([first?.content, expect.any(String)])
    expect(answer?.versions?.map((v) => v.metadata?.model)).toEqual(['gemma3:1b', 'gemma3:1b'])
    // Each version keeps its own decision; the newest (the bigger model) is the message itself.
    const ids = [
      ...(answer?.versions ?? []).map((v) => v.metadata?.decision_id),
      answer?.metadata?.decision_id,
    ]
    expect(new Set(ids).size).toBe(3)
    expect(answer?.metadata?.model).toBe('llama3.1:8b')
    expect(answer?.content.startsWith('[llama3.1:8b@solo]')).toBe(true)
    expect(answer?.interrupted).toBe(false)
  })

  it('an answer the person stops is saved as stopped, with the route of the pair that was answering', async () => {
    const { core, chunks } = await setUp(100)
    const { requestId, conversationId } = await core.handlers['chat:send']({
      conversationId: null,
      content: 'Hi!',
    })
    await until(() => chunks.filter((c) => c.kind === 'token').length >= 2)
    await core.handlers['chat:cancel'](requestId)
    await until(() => chunks.some((c) => c.kind === 'error'))
    await core.stop()
    const answer = (
      await new ConversationStore(join(dir, 'data', 'conversations')).get(conversationId)
    )?.messages[1]
    expect(answer).toMatchObject({ interrupted: true, stopped: true })
    expect(answer?.content.startsWith('[gemma3:1b@solo]')).toBe(true)
    expect(answer?.metadata).toMatchObject({ model: 'gemma3:1b', server_name: 'primary' })
    expect(answer?.metadata?.attempts.at(-1)?.outcome).toBe('cancelled')
  })

  it('an answer that breaks is not marked stopped', async () => {
    const { core, chunks } = await setUp(200)
    const { conversationId } = await core.handlers['chat:send']({
      conversationId: null,
      content: 'Hi!',
    })
    await until(() => chunks.filter((c) => c.kind === 'token').length >= 1)
    sim?.setFault({ kind: 'stopped' })
    await until(() => chunks.some((c) => c.kind === 'error'), 15_000)
    const answer = (await core.handlers['conversations:get'](conversationId))?.messages[1]
    expect(answer?.interrupted).toBe(true)
    expect(answer?.stopped).toBeUndefined()
    await core.stop()
  })

  it('edit-and-resend replaces the message and the later turns; Undo brings them back', async () => {
    const { core, chunks } = await setUp(1)
    const { conversationId } = await core.handlers['chat:send']({
      conversationId: null,
      content: 'Hi!',
    })
    await until(() => chunks.filter((c) => c.kind === 'done').length === 1)
    await core.handlers['chat:send']({ conversationId, content: 'And then?' })
    await until(() => chunks.filter((c) => c.kind === 'done').length === 2)
    const before = await core.handlers['conversations:get'](conversationId)
    const first = before?.messages[0]

    await core.handlers['chat:send']({ conversationId, content: 'Hello!', editOf: first?.id ?? '' })
    await until(() => chunks.filter((c) => c.kind === 'done').length === 3)
    const edited = await core.handlers['conversations:get'](conversationId)
    expect(edited?.messages.map((m) => [m.role, m.content.slice(0, 6)])).toEqual([
      ['user', 'Hello!'],
      ['assistant', '[gemma'],
    ])

    const restored = await core.handlers['conversations:undo-edit'](conversationId)
    expect(restored.messages).toEqual(before?.messages)
    expect((await core.handlers['conversations:get'](conversationId))?.messages).toEqual(
      before?.messages,
    )
    // One undo per edit.
    await expect(core.handlers['conversations:undo-edit'](conversationId)).rejects.toThrow(
      /Nothing to undo/,
    )
    // Only the person's own messages can be edited.
    await expect(
      core.handlers['chat:send']({
        conversationId,
        content: 'x',
        editOf: before?.messages[1]?.id ?? '',
      }),
    ).rejects.toThrow(/not found/)
    await core.stop()
  })

  it('Undo while the answer to the edit streams stops it and restores the conversation', async () => {
    const { core, chunks } = await setUp(1)
    const { conversationId } = await core.handlers['chat:send']({
      conversationId: null,
      content: 'Hi!',
    })
    await until(() => chunks.some((c) => c.kind === 'done'))
    const before = await core.handlers['conversations:get'](conversationId)
    await sim?.setFault({ kind: 'trickle', msPerChunk: 200 })
    await core.handlers['chat:send']({
      conversationId,
      content: 'Hello!',
      editOf: before?.messages[0]?.id ?? '',
    })
    await until(
      () => chunks.filter((c) => c.kind === 'token').length > 0 && chunks.at(-1)?.kind === 'token',
    )
    await core.handlers['conversations:undo-edit'](conversationId)
    expect(chunks.at(-1)?.kind).toBe('error')
    await new Promise((r) => setTimeout(r, 300))
    expect((await core.handlers['conversations:get'](conversationId))?.messages).toEqual(
      before?.messages,
    )
    await core.stop()
  })
})

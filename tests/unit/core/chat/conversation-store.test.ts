import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  ConversationNotFoundError,
  ConversationStore,
  DEFAULT_TITLE,
  InvalidConversationIdError,
  titleFromMessage,
} from '../../../../electron/core/chat/conversation-store'
import { createMemoryLogger } from '../../../../electron/core/logger'
import type { Conversation, ConversationSummary, ResponseMetadata } from '../../../../shared/types'

const metadata: ResponseMetadata = {
  model: 'gemma3:1b',
  provider: 'ollama',
  distributed_routing: true,
  server_used: 'http://127.0.0.1:11434',
  complexity_level: 'trivial',
  used_fast_model: true,
  server_name: 'localhost',
  task_type: 'greeting',
  fallback: false,
  warning: null,
  attempts: [],
  decision_id: 'd-1',
  continued: false,
  tokens_per_second: 42,
}

let dir: string
let clock: number
const now = (): number => ++clock

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aillm-store-'))
  clock = 1_000
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const onDisk = async (id: string): Promise<Conversation> =>
  JSON.parse(await readFile(join(dir, `${id}.json`), 'utf8')) as Conversation

describe('ConversationStore', () => {
  it('creates, appends, reads back from a fresh store, and leaves no temp files', async () => {
    const store = new ConversationStore(dir, { now })
    const conv = await store.create()
    expect(conv.title).toBe(DEFAULT_TITLE)
    await store.appendMessage(conv.id, { role: 'user', content: 'Explain the Singleton pattern' })
    await store.appendMessage(conv.id, { role: 'assistant', content: 'It is…', metadata })

    const reopened = new ConversationStore(dir, { now })
    const read = await reopened.get(conv.id)
    expect(read?.title).toBe('Explain the Singleton pattern')
    expect(read?.messages.map((m) => [m.role, m.content, m.interrupted])).toEqual([
      ['user', 'Explain the Singleton pattern', false],
      ['assistant', 'It is…', false],
    ])
    expect(read?.messages[1]?.metadata).toEqual(metadata)
    expect(await readdir(dir)).toEqual([`${conv.id}.json`])
  })

  it('lists summaries newest first and reorders when an older conversation changes', async () => {
    const store = new ConversationStore(dir, { now })
    const a = await store.create('first')
    const b = await store.create('second')
    const c = await store.create('third')
    expect((await store.list()).map((s) => s.title)).toEqual(['third', 'second', 'first'])
    await store.appendMessage(a.id, { role: 'user', content: 'hello again' })
    const list = await store.list()
    expect(list.map((s) => s.id)).toEqual([a.id, c.id, b.id])
    expect(list[0]?.messageCount).toBe(1)
    // An explicit title is not replaced by the first user message.
    expect(list[0]?.title).toBe('first')
  })

  it('keeps a streaming answer on disk as interrupted, then completes it', async () => {
    const store = new ConversationStore(dir, { now, streamSaveMs: 20 })
    const conv = await store.create()
    await store.appendMessage(conv.id, { role: 'user', content: 'Hi!' })
    const writer = await store.beginAssistantMessage(conv.id)

    // Saved at once, before any text: a crash now still leaves an interrupted answer.
    let saved = (await onDisk(conv.id)).messages[1]
    expect(saved).toMatchObject({ role: 'assistant', content: '', interrupted: true })

    writer.append('Hel')
    writer.append('lo')
    await new Promise((r) => setTimeout(r, 80))
    await store.flush()
    // What a process killed at this point leaves behind, as a fresh start reads it.
    const afterCrash = await new ConversationStore(dir, { now }).get(conv.id)
    saved = afterCrash?.messages[1]
    expect(saved).toMatchObject({ content: 'Hello', interrupted: true, metadata: null })

    writer.append(' there')
    await writer.finish(metadata)
    saved = (await onDisk(conv.id)).messages[1]
    expect(saved).toMatchObject({ content: 'Hello there', interrupted: false })
    expect(saved?.metadata?.decision_id).toBe('d-1')
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })

  it('saves a thinking model’s reasoning with the answer, timed from its first chunk to the first token', async () => {
    const store = new ConversationStore(dir, { now, streamSaveMs: 20 })
    const conv = await store.create()
    const writer = await store.beginAssistantMessage(conv.id)
    clock = 5_000
    writer.think('Let me ')
    writer.think('') // an empty chunk neither starts nor adds anything
    clock = 7_000
    writer.think('see.')
    await new Promise((r) => setTimeout(r, 80))
    await store.flush()
    // Mid-thought, a crash leaves the reasoning so far, not yet timed.
    const afterCrash = await new ConversationStore(dir, { now }).get(conv.id)
    expect(afterCrash?.messages[0]?.thinking).toEqual({ text: 'Let me see.', durationMs: null })

    clock = 9_000
    writer.append('Hello') // the first token ends the thinking
    clock = 20_000
    writer.append(' there')
    await writer.finish(metadata)
    const reread = await new ConversationStore(dir, { now }).get(conv.id)
    expect(reread?.messages[0]).toMatchObject({
      content: 'Hello there',
      interrupted: false,
      thinking: { text: 'Let me see.', durationMs: 9_001 - 5_001 },
    })
  })

  it('an answer stopped while thinking keeps the reasoning, timed to the stop; one without none', async () => {
    const store = new ConversationStore(dir, { now, streamSaveMs: 10_000 })
    const conv = await store.create()
    const thinking = await store.beginAssistantMessage(conv.id)
    clock = 1_000
    thinking.think('hmm')
    clock = 4_000
    await thinking.interrupt()
    thinking.think('ignored after close')
    const plain = await store.beginAssistantMessage(conv.id)
    plain.append('hi')
    await plain.finish(metadata)
    const [stopped, answered] = (await onDisk(conv.id)).messages
    expect(stopped).toMatchObject({
      interrupted: true,
      thinking: { text: 'hmm', durationMs: 3_000 },
    })
    expect(answered).not.toHaveProperty('thinking')
  })

  it('an interrupted answer keeps its text and flag', async () => {
    const store = new ConversationStore(dir, { now, streamSaveMs: 10_000 })
    const conv = await store.create()
    const writer = await store.beginAssistantMessage(conv.id)
    writer.append('partial ans')
    await writer.interrupt()
    writer.append('ignored after close')
    const saved = (await onDisk(conv.id)).messages[0]
    expect(saved).toMatchObject({ content: 'partial ans', interrupted: true })
  })

  it('skips corrupt files with a warning, moves them aside, and still lists the good ones', async () => {
    const good = new ConversationStore(dir, { now })
    const conv = await good.create('good one')
    await writeFile(join(dir, 'broken.json'), '{"id":"broken","title":')
    await writeFile(join(dir, 'wrong-shape.json'), JSON.stringify({ id: 'wrong-shape', title: 7 }))
    await writeFile(join(dir, '.left-by-crash.123.4.tmp'), '{"half":')

    const logger = createMemoryLogger()
    const store = new ConversationStore(dir, { now, logger })
    const list = await store.list()
    expect(list.map((s) => s.id)).toEqual([conv.id])
    const warnings = logger.records.filter((r) => r.level === 'WARNING').map((r) => r.message)
    expect(warnings).toHaveLength(2)
    expect(warnings.join('\n')).toMatch(/broken\.json/)
    const files = (await readdir(dir)).sort()
    expect(files.filter((f) => f.endsWith('.corrupt'))).toHaveLength(2)
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([])
    expect(files).toContain(`${conv.id}.json`)
  })

  it.each(['../etc/passwd', '..', 'a/b', 'a\\b', '', '.hidden', 'x'.repeat(129), 'id.json'])(
    'rejects the unsafe id %j',
    async (id) => {
      const store = new ConversationStore(dir, { now })
      await expect(store.get(id)).rejects.toBeInstanceOf(InvalidConversationIdError)
      await expect(store.delete(id)).rejects.toBeInstanceOf(InvalidConversationIdError)
      await expect(store.appendMessage(id, { role: 'user', content: 'x' })).rejects.toThrow(
        /invalid conversation id/,
      )
    },
  )

  it('deletes a conversation and its file, and reports unknown ids', async () => {
    const store = new ConversationStore(dir, { now })
    const conv = await store.create()
    expect(await store.delete(conv.id)).toBe(true)
    expect(await store.delete(conv.id)).toBe(false)
    expect(await store.get(conv.id)).toBeNull()
    expect(await readdir(dir)).toEqual([])
    await expect(store.appendMessage(conv.id, { role: 'user', content: 'x' })).rejects.toThrow(
      ConversationNotFoundError,
    )
  })

  it('updates one message and fails clearly for an unknown message', async () => {
    const store = new ConversationStore(dir, { now })
    const conv = await store.create()
    const msg = await store.appendMessage(conv.id, {
      role: 'assistant',
      content: 'a',
      interrupted: true,
    })
    await store.updateMessage(conv.id, msg.id, { content: 'ab', interrupted: false })
    expect((await onDisk(conv.id)).messages[0]).toMatchObject({ content: 'ab', interrupted: false })
    await expect(store.updateMessage(conv.id, 'nope', { content: 'x' })).rejects.toThrow(
      /message nope not found/,
    )
  })

  it('fires onDidChange with the summaries', async () => {
    const store = new ConversationStore(dir, { now })
    const seen: ConversationSummary[][] = []
    store.onDidChange((list) => seen.push(list))
    const conv = await store.create()
    await store.appendMessage(conv.id, { role: 'user', content: 'Hi!' })
    expect(seen.at(-1)).toEqual([{ id: conv.id, title: 'Hi!', updatedAt: clock, messageCount: 1 }])
    await store.delete(conv.id)
    expect(seen.at(-1)).toEqual([])
  })

  it('serialises concurrent writes so the file always holds the latest state', async () => {
    const store = new ConversationStore(dir, { now })
    const conv = await store.create()
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.appendMessage(conv.id, { role: 'user', content: `m${i}` }),
      ),
    )
    expect((await onDisk(conv.id)).messages).toHaveLength(20)
    expect(await readdir(dir)).toEqual([`${conv.id}.json`])
  })
})

describe('ConversationStore: rename and search', () => {
  it('renames on disk and in the list, without moving it to the top', async () => {
    const store = new ConversationStore(dir, { now })
    const older = await store.create('Older one')
    await store.create('Newer one')
    const seen: ConversationSummary[][] = []
    store.onDidChange((list) => seen.push(list))
    const summary = await store.rename(older.id, '  Trip   planning ')
    expect(summary).toMatchObject({ id: older.id, title: 'Trip planning' })
    expect((await onDisk(older.id)).title).toBe('Trip planning')
    expect((await new ConversationStore(dir).get(older.id))?.title).toBe('Trip planning')
    expect((await store.list()).map((c) => c.title)).toEqual(['Newer one', 'Trip planning'])
    expect(seen.at(-1)?.map((c) => c.title)).toEqual(['Newer one', 'Trip planning'])
  })

  it('refuses an empty title and an unknown conversation', async () => {
    const store = new ConversationStore(dir, { now })
    const conv = await store.create('Keep me')
    await expect(store.rename(conv.id, ' \n ')).rejects.toThrow(/cannot be empty/)
    expect((await store.get(conv.id))?.title).toBe('Keep me')
    await expect(store.rename('no-such-id', 'x')).rejects.toThrow()
  })

  it('finds conversations by title or text, case-insensitively, with a snippet of the text', async () => {
    const store = new ConversationStore(dir, { now })
    const byTitle = await store.create('Singleton pattern')
    const byText = await store.create()
    await store.appendMessage(byText.id, { role: 'user', content: 'Hi!' })
    await store.appendMessage(byText.id, {
      role: 'assistant',
      content: `${'Intro. '.repeat(10)}A SINGLETON keeps one instance.\n\nThe end of a long answer here.`,
    })
    await store.create('Unrelated')
    const hits = await store.search('  singleton ')
    expect(hits.map((h) => h.id)).toEqual([byText.id, byTitle.id])
    expect(hits[0]?.snippet).toBe(
      '…o. Intro. Intro. Intro. Intro. Intro. A SINGLETON keeps one instance. The end of a long a…',
    )
    expect(hits[1]?.snippet).toBeNull()
    expect(await store.search('   ')).toEqual([])
    expect(await store.search('nowhere')).toEqual([])
  })
})

describe('titleFromMessage', () => {
  it.each([
    ['Hi!', 'Hi!'],
    ['  lots   of\n\nspace  ', 'lots of space'],
    ['', DEFAULT_TITLE],
    [
      'Write an auth system with JWT, refresh tokens and rate limiting for a Node service',
      'Write an auth system with JWT, refresh tokens and rate…',
    ],
    ['x'.repeat(80), `${'x'.repeat(60)}…`],
  ])('%j → %j', (input, title) => {
    expect(titleFromMessage(input)).toBe(title)
  })
})

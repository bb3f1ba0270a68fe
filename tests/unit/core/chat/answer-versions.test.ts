import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  ConversationNotFoundError,
  ConversationStore,
} from '../../../../electron/core/chat/conversation-store'
import type { Conversation } from '../../../../shared/types'

let dir: string
let clock: number
const now = (): number => ++clock

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aillm-versions-'))
  clock = 1_000
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('answer versions in the conversation store', () => {
  it('a new version keeps the old answer (text, thinking, interrupted) and empties the message', async () => {
    const store = new ConversationStore(dir, { now, streamSaveMs: 1 })
    const conv = await store.create()
    await store.appendMessage(conv.id, { role: 'user', content: 'Why?' })
    const first = await store.beginAssistantMessage(conv.id)
    first.think('hmm')
    first.append('Because.')
    await first.interrupt()

    const second = await store.beginAssistantMessage(conv.id, { newVersionOf: first.messageId })
    expect(second.messageId).toBe(first.messageId)
    second.append('Since it is so.')
    await second.finish({ decision_id: 'd-2' } as never)

    const reread = await new ConversationStore(dir, { now }).get(conv.id)
    expect(reread?.messages).toHaveLength(2)
    const answer = reread?.messages[1]
    expect(answer).toMatchObject({ content: 'Since it is so.', interrupted: false })
    expect(answer?.thinking).toBeUndefined()
    expect(answer?.versions).toEqual([
      {
        content: 'Because.',
        createdAt: expect.any(Number),
        metadata: null,
        interrupted: true,
        thinking: { text: 'hmm', durationMs: expect.any(Number) },
      },
    ])
  })

  it('refuses a new version of a message that is not an answer', async () => {
    const store = new ConversationStore(dir, { now })
    const conv = await store.create()
    const user = await store.appendMessage(conv.id, { role: 'user', content: 'Why?' })
    await expect(store.beginAssistantMessage(conv.id, { newVersionOf: user.id })).rejects.toThrow(
      ConversationNotFoundError,
    )
  })

  it('reads a file written before answers had versions', async () => {
    const id = 'old-one'
    const old = {
      id,
      title: 'Old',
      createdAt: 1,
      updatedAt: 2,
      messages: [
        { id: 'a', role: 'user', content: 'Hi', createdAt: 1, metadata: null, interrupted: false },
        {
          id: 'b',
          role: 'assistant',
          content: 'Hello',
          createdAt: 2,
          metadata: null,
          interrupted: false,
        },
      ],
    }
    await writeFile(join(dir, `${id}.json`), JSON.stringify(old))
    const store = new ConversationStore(dir, { now })
    const read = await store.get(id)
    expect(read?.messages.map((m) => m.content)).toEqual(['Hi', 'Hello'])
    expect(read?.messages[1]?.versions).toBeUndefined()
    // And it gains versions once regenerated.
    const w = await store.beginAssistantMessage(id, { newVersionOf: 'b' })
    await w.interrupt()
    const onDisk = JSON.parse(await readFile(join(dir, `${id}.json`), 'utf8')) as Conversation
    expect(onDisk.messages[1]?.versions?.map((v) => v.content)).toEqual(['Hello'])
  })
})

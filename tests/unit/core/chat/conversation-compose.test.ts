// Issue 15: a conversation's system prompt and a message's images, stored and sent upstream.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { historyOf } from '../../../../electron/core/chat/conversation-history'
import { ConversationStore } from '../../../../electron/core/chat/conversation-store'
import { createMemoryLogger } from '../../../../electron/core/logger'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aillm-compose-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const store = () => new ConversationStore(dir, { logger: createMemoryLogger('ERROR') })

describe('system prompt and images in the store', () => {
  it('keeps both across a restart, and sends the system prompt first with each turn', async () => {
    const a = store()
    const c = await a.create()
    await a.setSystemPrompt(c.id, '  Answer in German.  ')
    await a.appendMessage(c.id, { role: 'user', content: 'What is here?', images: ['aGVsbG8='] })
    await a.appendMessage(c.id, { role: 'assistant', content: 'Ein Bild.' })
    await a.appendMessage(c.id, { role: 'assistant', content: '' })
    await a.flush()
    const again = await store().get(c.id)
    expect(again?.systemPrompt).toBe('Answer in German.')
    expect(historyOf(again)).toEqual([
      { role: 'system', content: 'Answer in German.' },
      { role: 'user', content: 'What is here?', images: ['aGVsbG8='] },
      { role: 'assistant', content: 'Ein Bild.' },
    ])
  })

  it('a blank or null prompt clears it, and nothing system goes upstream then', async () => {
    const s = store()
    const c = await s.create()
    await s.setSystemPrompt(c.id, 'Be brief.')
    expect((await s.setSystemPrompt(c.id, '   ')).systemPrompt).toBeUndefined()
    await s.setSystemPrompt(c.id, 'Be brief.')
    await s.setSystemPrompt(c.id, null)
    await s.appendMessage(c.id, { role: 'user', content: 'Hi' })
    await s.flush()
    const stored = JSON.parse(await readFile(join(dir, `${c.id}.json`), 'utf8')) as object
    expect(stored).not.toHaveProperty('systemPrompt')
    expect(historyOf(await s.get(c.id))).toEqual([{ role: 'user', content: 'Hi' }])
  })

  it('a file written before either existed still loads', async () => {
    const old = {
      id: 'old1',
      title: 'Old',
      createdAt: 1,
      updatedAt: 2,
      messages: [
        { id: 'm1', role: 'user', content: 'Hi', createdAt: 1, metadata: null, interrupted: false },
      ],
    }
    await writeFile(join(dir, 'old1.json'), JSON.stringify(old))
    const c = await store().get('old1')
    expect(c?.title).toBe('Old')
    expect(historyOf(c)).toEqual([{ role: 'user', content: 'Hi' }])
  })
})

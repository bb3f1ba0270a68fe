// Rename, search and delete-with-undo of conversations in the store (issue 15).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ConversationSummary } from '../../../shared/types'
import { createAppStore } from '../../../renderer/store/app-store'
import { UNDO_DELETE_MS } from '../../../renderer/store/conversations-slice'
import { FakeCore, storedConversation } from './fake-core'

const list: ConversationSummary[] = [
  { id: 'c1', title: 'Singleton', updatedAt: 2, messageCount: 2 },
  { id: 'c2', title: 'Trip', updatedAt: 1, messageCount: 4 },
]

function setup(overrides: ConstructorParameters<typeof FakeCore>[0] = {}) {
  const core = new FakeCore({
    'conversations:get': async (id) => ({ ...storedConversation([]), id }),
    ...overrides,
  })
  const store = createAppStore(core)
  store.setState({ conversations: list, activeConversationId: 'c1' })
  return { core, store }
}

describe('delete with undo', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('hides it at once, leaves the open one, and deletes in the core only after the undo window', async () => {
    const { core, store } = setup()
    store.getState().deleteConversation('c1')
    expect(store.getState().pendingDeletes).toEqual([
      { id: 'c1', title: 'Singleton', wasActive: true },
    ])
    expect(store.getState().activeConversationId).toBeNull()
    await vi.advanceTimersByTimeAsync(UNDO_DELETE_MS - 1)
    expect(core.callsOf('conversations:delete')).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    expect(core.callsOf('conversations:delete')).toEqual([['c1']])
    expect(store.getState().conversations.map((c) => c.id)).toEqual(['c2'])
    expect(store.getState().pendingDeletes).toEqual([])
  })

  it('Undo brings it back, opens it again, and the core never deletes it', async () => {
    const { core, store } = setup()
    store.getState().deleteConversation('c1')
    store.getState().undoDelete('c1')
    await vi.advanceTimersByTimeAsync(UNDO_DELETE_MS * 2)
    expect(core.callsOf('conversations:delete')).toEqual([])
    expect(store.getState().pendingDeletes).toEqual([])
    expect(store.getState().activeConversationId).toBe('c1')
    expect(store.getState().conversations.map((c) => c.id)).toEqual(['c1', 'c2'])
  })

  it('a delete the core refuses shows the conversation again, saying why', async () => {
    const { store } = setup({
      'conversations:delete': async () => {
        throw new Error('disk is read-only')
      },
    })
    store.getState().deleteConversation('c2')
    await vi.advanceTimersByTimeAsync(UNDO_DELETE_MS)
    expect(store.getState().pendingDeletes).toEqual([])
    expect(store.getState().conversations.map((c) => c.id)).toEqual(['c1', 'c2'])
    expect(store.getState().chatError).toBe('Could not delete the conversation: disk is read-only')
  })
})

describe('rename', () => {
  it('renames in the core and in the list; an empty title is not sent', async () => {
    const { core, store } = setup()
    expect(await store.getState().renameConversation('c2', '  Trip   to Rome ')).toBe(true)
    expect(core.callsOf('conversations:rename')).toEqual([['c2', 'Trip to Rome']])
    expect(store.getState().conversations.find((c) => c.id === 'c2')?.title).toBe('Trip to Rome')
    expect(await store.getState().renameConversation('c2', '   ')).toBe(false)
    expect(core.callsOf('conversations:rename')).toHaveLength(1)
  })

  it('a refused rename keeps the old title and says why', async () => {
    const { store } = setup({
      'conversations:rename': async () => {
        throw new Error('No conversation with id "c2"')
      },
    })
    expect(await store.getState().renameConversation('c2', 'New')).toBe(false)
    expect(store.getState().conversations.find((c) => c.id === 'c2')?.title).toBe('Trip')
    expect(store.getState().chatError).toMatch(/Could not rename the conversation: No conversation/)
  })
})

describe('search', () => {
  it('asks the core, keeps the newest query’s answer, and clears on an empty query', async () => {
    const answers: Record<string, () => void> = {}
    const { core, store } = setup({
      'conversations:search': (query) =>
        new Promise((resolve) => {
          answers[query] = () => resolve([{ ...list[0]!, snippet: `…${query}…` }])
        }),
    })
    const older = store.getState().searchConversations('sing')
    const newer = store.getState().searchConversations('singleton')
    answers['singleton']!()
    await newer
    answers['sing']!()
    await older
    expect(store.getState().searchHits?.map((h) => h.snippet)).toEqual(['…singleton…'])
    await store.getState().searchConversations('')
    expect(store.getState().searchHits).toBeNull()
    expect(core.callsOf('conversations:search')).toEqual([['sing'], ['singleton']])
  })
})

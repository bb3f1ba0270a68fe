// One answer at a time per conversation: what is sent while an answer streams waits, then goes (issue 15).
import { describe, expect, it } from 'vitest'
import type { ChatChunk, ChatSendRequest } from '../../../shared/types'
import { createAppStore } from '../../../renderer/store/app-store'
import { connectStore } from '../../../renderer/store/bridge'
import { FakeCore, flush, metadata, storedConversation } from './fake-core'

function setup(overrides: ConstructorParameters<typeof FakeCore>[0] = {}) {
  const core = new FakeCore({
    'conversations:get': async (id) => ({ ...storedConversation([]), id }),
    ...overrides,
  })
  const store = createAppStore(core)
  connectStore(store, core, { now: () => 10_000, setTimer: () => undefined })
  return { core, store }
}

const sends = (core: FakeCore) => core.callsOf('chat:send').map((a) => a[0] as ChatSendRequest)

function finish(core: FakeCore, requestId: string, kind: 'done' | 'error' = 'done'): void {
  const chunk: ChatChunk =
    kind === 'done'
      ? { kind, requestId, conversationId: 'c1', metadata: metadata() }
      : { kind, requestId, conversationId: 'c1', error: { name: 'AbortError', message: 'stopped' } }
  core.emit('chat:chunk', chunk)
}

describe('chat queue', () => {
  it('a message sent while the answer streams waits, and goes once the answer is done', async () => {
    const { core, store } = setup()
    await flush()
    await store.getState().selectConversation('c1')
    expect(await store.getState().send('First question')).toBe(true)
    expect(await store.getState().send('Second question')).toBe(true)
    expect(sends(core).map((r) => r.content)).toEqual(['First question'])
    expect(store.getState().queued).toEqual([
      { id: expect.any(String), conversationId: 'c1', content: 'Second question' },
    ])
    finish(core, 'r1')
    await flush()
    await flush()
    expect(sends(core).map((r) => [r.conversationId, r.content])).toEqual([
      ['c1', 'First question'],
      ['c1', 'Second question'],
    ])
    expect(store.getState().queued).toEqual([])
  })

  it('a stopped answer lets the queued message go too', async () => {
    const { core, store } = setup()
    await flush()
    await store.getState().selectConversation('c1')
    await store.getState().send('Long one')
    await store.getState().send('Next')
    await store.getState().cancel('r1')
    finish(core, 'r1', 'error')
    await flush()
    await flush()
    expect(sends(core).map((r) => r.content)).toEqual(['Long one', 'Next'])
  })

  it('messages queued behind a new conversation’s first send go to that conversation, in order', async () => {
    let release: () => void = () => undefined
    const { core, store } = setup({
      'chat:send': async (req) => {
        if (req.conversationId === null) await new Promise<void>((r) => (release = r))
        return { requestId: `r${core.callsOf('chat:send').length}`, conversationId: 'c9' }
      },
    })
    await flush()
    const first = store.getState().send('Start')
    await store.getState().send('Then this')
    await store.getState().send('And this')
    expect(store.getState().queued.map((q) => q.conversationId)).toEqual([null, null])
    release()
    await first
    expect(store.getState().activeConversationId).toBe('c9')
    expect(store.getState().queued.map((q) => [q.conversationId, q.content])).toEqual([
      ['c9', 'Then this'],
      ['c9', 'And this'],
    ])
    core.emit('chat:chunk', {
      kind: 'done',
      requestId: 'r1',
      conversationId: 'c9',
      metadata: metadata(),
    })
    await flush()
    await flush()
    // One answer at a time: the third waits for the second's answer.
    expect(sends(core).map((r) => [r.conversationId, r.content])).toEqual([
      [null, 'Start'],
      ['c9', 'Then this'],
    ])
    expect(store.getState().queued.map((q) => q.content)).toEqual(['And this'])
  })

  it('a queued message taken back is never sent; a regenerate while busy is refused', async () => {
    const { core, store } = setup()
    await flush()
    await store.getState().selectConversation('c1')
    await store.getState().send('First')
    await store.getState().send('Never mind')
    expect(await store.getState().send('First', { regenerate: true })).toBe(false)
    store.getState().removeQueued(store.getState().queued[0]!.id)
    finish(core, 'r1')
    await flush()
    await flush()
    expect(sends(core).map((r) => r.content)).toEqual(['First'])
  })

  it('another conversation is not held up by this one’s answer', async () => {
    const { core, store } = setup()
    await flush()
    await store.getState().selectConversation('c1')
    await store.getState().send('In c1')
    await store.getState().selectConversation('c2')
    await store.getState().send('In c2')
    expect(sends(core).map((r) => [r.conversationId, r.content])).toEqual([
      ['c1', 'In c1'],
      ['c2', 'In c2'],
    ])
    expect(store.getState().queued).toEqual([])
  })
})

// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import type { ChatChunk, Conversation } from '../../../shared/types'
import { createAppStore } from '../../../renderer/store/app-store'
import { CONNECTION_LOST, FELL_BEHIND, connectStore } from '../../../renderer/store/bridge'
import {
  applyChunkToStream,
  conversationDisplay,
  excerptMatches,
  newStream,
  streamText,
} from '../../../renderer/store/chat-stream'
import { mergeDecisions } from '../../../renderer/store/routing-slice'
import {
  FakeCore,
  configView,
  decision,
  flush,
  metadata,
  seedServers,
  storedConversation,
} from './fake-core'

function setup(core = new FakeCore()) {
  const store = createAppStore(core)
  const timers: { fn: () => void; ms: number }[] = []
  let now = 10_000
  const disconnect = connectStore(store, core, {
    now: () => now,
    setTimer: (fn, ms) => timers.push({ fn, ms }),
  })
  return { core, store, timers, disconnect, advance: (ms: number) => (now += ms) }
}

const chunk = (c: Partial<ChatChunk> & { kind: ChatChunk['kind'] }): ChatChunk =>
  ({ requestId: 'r1', conversationId: 'c1', ...c }) as ChatChunk

describe('store: snapshots then events', () => {
  it('fetches every snapshot once on connect', async () => {
    const core = new FakeCore({
      'routing:log': async () => [
        decision('old', { model: 'gemma3:1b', server: 'localhost' }, { at: 1 }),
        decision('new', { model: 'gemma3:12b', server: 'remote' }, { at: 2 }),
      ],
      'conversations:list': async () => [{ id: 'c1', title: 'Hi', updatedAt: 5, messageCount: 2 }],
      'mode:get': async () => ({ kind: 'server', serverId: 'remote' }),
    })
    const { store } = setup(core)
    await flush()
    const s = store.getState()
    expect(s.loaded).toBe(true)
    expect(s.loadError).toBeNull()
    expect(s.servers.map((v) => v.id)).toEqual(['remote', 'localhost'])
    expect(s.decisions.map((d) => d.id)).toEqual(['new', 'old'])
    expect(s.conversations).toHaveLength(1)
    expect(s.mode).toEqual({ kind: 'server', serverId: 'remote' })
    expect(s.configView?.path).toContain('config.yaml')
    expect(core.calls.map((c) => c.channel).sort()).toEqual(
      [
        'config:get',
        'conversations:list',
        'mode:get',
        'routing:log',
        'servers:snapshot',
        'storage:snapshot',
      ].sort(),
    )
  })

  it('reports which snapshot failed instead of throwing', async () => {
    const core = new FakeCore({
      'servers:snapshot': async () => {
        throw new Error('registry not ready')
      },
    })
    const { store } = setup(core)
    await flush()
    expect(store.getState().loadError).toBe('servers: registry not ready')
    expect(store.getState().mode).toEqual({ kind: 'auto' })
  })

  it.each([
    ['servers:changed', (c: FakeCore) => c.emit('servers:changed', []), (s: S) => s.servers, []],
    [
      'mode:changed',
      (c: FakeCore) => c.emit('mode:changed', { kind: 'server', serverId: 'localhost' }),
      (s: S) => s.mode,
      { kind: 'server', serverId: 'localhost' },
    ],
    [
      'config:changed',
      (c: FakeCore) => c.emit('config:changed', configView({ path: '/x.yaml' })),
      (s: S) => s.configView?.path,
      '/x.yaml',
    ],
    [
      'conversations:changed',
      (c: FakeCore) =>
        c.emit('conversations:changed', [{ id: 'c9', title: 't', updatedAt: 1, messageCount: 1 }]),
      (s: S) => s.conversations.map((c) => c.id),
      ['c9'],
    ],
    [
      'storage:changed',
      (c: FakeCore) =>
        c.emit('storage:changed', { kind: 'unsaved', since: 1, error: 'ENOSPC', conversations: 2 }),
      (s: S) => s.storage,
      { kind: 'unsaved', since: 1, error: 'ENOSPC', conversations: 2 },
    ],
  ] as const)('applies %s', async (_name, fire, pick, expected) => {
    const { core, store } = setup()
    await flush()
    fire(core)
    expect(pick(store.getState())).toEqual(expected)
  })

  it('puts a routing:decision on top of the log and lights its edge for a while', async () => {
    const { core, store, timers } = setup()
    await flush()
    core.emit('routing:decision', decision('d1', { model: 'gemma3:1b', server: 'localhost' }))
    core.emit('routing:decision', decision('d2', { model: 'gemma3:12b', server: 'remote' }))
    expect(store.getState().decisions.map((d) => d.id)).toEqual(['d2', 'd1'])
    expect(Object.keys(store.getState().litUntil).sort()).toEqual(['localhost', 'remote'])
    for (const t of timers) t.fn()
    expect(store.getState().litUntil).toEqual({})
  })

  it('refetches the snapshots after a reconnect', async () => {
    const { core, store } = setup()
    await flush()
    const before = core.callsOf('servers:snapshot').length
    core.setConnection({ kind: 'reconnecting', attempt: 1, retryAt: 0, error: null, lost: true })
    expect(store.getState().connection.kind).toBe('reconnecting')
    core.handlers['servers:snapshot'] = async () => seedServers().slice(0, 1)
    core.setConnection({ kind: 'open' })
    await flush()
    expect(core.callsOf('servers:snapshot').length).toBe(before + 1)
    expect(core.callsOf('routing:log').length).toBe(2)
    expect(store.getState().servers.map((s) => s.id)).toEqual(['remote'])
  })
})

type S = ReturnType<ReturnType<typeof createAppStore>['getState']>

describe('chunk assembly', () => {
  it('appends tokens, keeps a seam between the parts and finishes with the metadata', () => {
    let st = newStream('r1', 'c1')
    st = applyChunkToStream(st, chunk({ kind: 'token', text: 'Hel' }))
    st = applyChunkToStream(st, chunk({ kind: 'token', text: 'lo' }))
    expect(st.status).toBe('streaming')
    st = applyChunkToStream(st, chunk({ kind: 'seam', note: 'continued on localhost' }))
    st = applyChunkToStream(st, chunk({ kind: 'token', text: ' world' }))
    const md = metadata({ continued: true, decision_id: 'd7' })
    st = applyChunkToStream(st, chunk({ kind: 'done', metadata: md }))
    expect(st.parts).toEqual([
      { kind: 'text', text: 'Hello' },
      { kind: 'seam', note: 'continued on localhost' },
      { kind: 'text', text: ' world' },
    ])
    expect(streamText(st)).toBe('Hello world')
    expect(st.status).toBe('done')
    expect(st.metadata).toEqual(md)
    expect(st.decisionId).toBe('d7')
  })

  it('an error chunk ends the stream as error and later tokens are ignored', () => {
    let st = applyChunkToStream(newStream('r1', 'c1'), chunk({ kind: 'token', text: 'a' }))
    st = applyChunkToStream(
      st,
      chunk({ kind: 'error', error: { name: 'UpstreamError', message: 'all servers failed' } }),
    )
    st = applyChunkToStream(st, chunk({ kind: 'token', text: 'b' }))
    expect(st.status).toBe('error')
    expect(streamText(st)).toBe('a')
    expect(st.error?.message).toBe('all servers failed')
  })

  it.each([
    ['Hi!', 'Hi!', true],
    ['Write an auth system with JWT', 'Write an auth system with JWT, refresh tokens', true],
    ['Write an auth   system…', 'Write an auth system with JWT', true],
    ['Hi!', 'Hello there', false],
  ])('excerpt %j matches %j: %s', (excerpt, content, expected) => {
    expect(excerptMatches(excerpt, content)).toBe(expected)
  })
})

describe('chat through the store', () => {
  it('send → chunks → done: the answer streams in, then the stored conversation replaces it', async () => {
    const stored: Conversation = {
      id: 'c1',
      title: 'Hi!',
      createdAt: 1,
      updatedAt: 2,
      messages: [
        {
          id: 'm1',
          role: 'user',
          content: 'Hi!',
          createdAt: 1,
          metadata: null,
          interrupted: false,
        },
        {
          id: 'm2',
          role: 'assistant',
          content: 'Hello',
          createdAt: 2,
          metadata: metadata({ decision_id: 'd1' }),
          interrupted: false,
        },
      ],
    }
    const core = new FakeCore({ 'conversations:get': async () => stored })
    const { store } = setup(core)
    await flush()
    await store.getState().send('Hi!')
    expect(core.callsOf('chat:send')[0]).toEqual([{ conversationId: null, content: 'Hi!' }])
    const s1 = store.getState()
    expect(s1.activeConversationId).toBe('c1')
    expect(s1.conversationsById['c1']?.messages.map((m) => m.content)).toEqual(['Hi!'])
    expect(s1.streams['r1']?.status).toBe('waiting')

    core.emit('routing:decision', decision('d1', { model: 'gemma3:1b', server: 'localhost' }))
    expect(store.getState().streams['r1']?.decisionId).toBe('d1')
    core.emit('chat:chunk', chunk({ kind: 'token', text: 'Hel' }))
    core.emit('chat:chunk', chunk({ kind: 'token', text: 'lo' }))
    expect(streamText(store.getState().streams['r1']!)).toBe('Hello')
    core.emit('chat:chunk', chunk({ kind: 'done', metadata: metadata({ decision_id: 'd1' }) }))
    await flush()
    expect(store.getState().streams).toEqual({})
    expect(store.getState().conversationsById['c1']).toEqual(stored)
  })

  it('keeps the finished stream when the stored conversation does not have it yet', async () => {
    const stored = storedConversation([{ role: 'user', content: 'Hi!' }])
    const { core, store } = setup(new FakeCore({ 'conversations:get': async () => stored }))
    await flush()
    await store.getState().send('Hi!')
    core.emit('chat:chunk', chunk({ kind: 'done', metadata: metadata() }))
    await flush()
    expect(store.getState().streams['r1']?.status).toBe('done')
  })

  it('passes the chat model picker, regenerate and minTier in the send request', async () => {
    const { core, store } = setup()
    await flush()
    store.getState().setChatMode({ kind: 'model', model: 'llama3.3:70b', serverId: 'remote' })
    await store.getState().send('  Explain X  ', { regenerate: true, minTier: 'powerful' })
    expect(core.callsOf('chat:send')[0]).toEqual([
      {
        conversationId: null,
        content: 'Explain X',
        mode: { kind: 'model', model: 'llama3.3:70b', serverId: 'remote' },
        regenerate: true,
        minTier: 'powerful',
      },
    ])
  })

  it('cancel marks the stream stopped at once and calls chat:cancel', async () => {
    const { core, store } = setup()
    await flush()
    await store.getState().send('Hi!')
    await store.getState().cancel('r1')
    expect(store.getState().streams['r1']?.status).toBe('cancelled')
    expect(core.callsOf('chat:cancel')).toEqual([['r1']])
  })

  it('a failed send becomes an error message, not an exception', async () => {
    const { store } = setup(
      new FakeCore({
        'chat:send': async () => {
          throw new Error('no server')
        },
      }),
    )
    await flush()
    await store.getState().send('Hi!')
    expect(store.getState().chatError).toBe('Could not send: no server')
    expect(store.getState().sending).toBe(false)
  })
})

/** A core whose chat:send stores the user message and the answer placeholder, as app-core does. */
function storingCore(overrides: ConstructorParameters<typeof FakeCore>[0] = {}) {
  const conv = storedConversation([])
  const core = new FakeCore({
    'conversations:get': async (id) => (id === conv.id ? structuredClone(conv) : null),
    'chat:send': async (req) => {
      const at = Date.now()
      conv.messages.push(
        {
          id: `u${conv.messages.length}`,
          role: 'user',
          content: req.content,
          createdAt: at,
          metadata: null,
          interrupted: false,
        },
        {
          id: `a${conv.messages.length}`,
          role: 'assistant',
          content: '',
          createdAt: at,
          metadata: null,
          interrupted: true,
        },
      )
      return { requestId: `r${conv.messages.length / 2}`, conversationId: conv.id }
    },
    ...overrides,
  })
  const answer = () => conv.messages[conv.messages.length - 1]!
  return { core, conv, answer }
}

const shown = (s: S) => {
  const id = s.activeConversationId
  const d = conversationDisplay(
    id ? (s.conversationsById[id]?.messages ?? []) : [],
    Object.values(s.streams).filter((st) => st.conversationId === id),
  )
  return {
    messages: d.messages.map(
      (m) => `${m.role}:${m.content}${m.interrupted ? ' [interrupted]' : ''}`,
    ),
    streams: d.streams.map((st) => `${st.status}:${streamText(st)}`),
    error: d.lastAnswerError?.message ?? null,
  }
}

describe('streams across reconnects, re-selects and failures', () => {
  it('a reconnect ends a stream whose done was missed and shows the stored answer once', async () => {
    const { core, answer } = storingCore()
    const { store } = setup(core)
    await flush()
    await store.getState().send('Hello there')
    core.emit('chat:chunk', chunk({ kind: 'token', text: 'Hi, how' }))
    core.setConnection({ kind: 'reconnecting', attempt: 1, retryAt: 0, error: null, lost: true })
    Object.assign(answer(), {
      content: 'Hi, how are you?',
      interrupted: false,
      metadata: metadata({ decision_id: 'dX' }),
    })
    core.setConnection({ kind: 'open' })
    await flush()
    await flush()
    expect(Object.values(store.getState().streams)).toEqual([])
    expect(shown(store.getState())).toEqual({
      messages: ['user:Hello there', 'assistant:Hi, how are you?'],
      streams: [],
      error: null,
    })
  })

  it('a reconnect while the stored answer is still cut short shows why it stopped', async () => {
    const { core, answer } = storingCore()
    const { store } = setup(core)
    await flush()
    await store.getState().send('Hello there')
    core.emit('chat:chunk', chunk({ kind: 'token', text: 'Hi, how' }))
    core.setConnection({ kind: 'reconnecting', attempt: 1, retryAt: 0, error: null, lost: true })
    answer().content = 'Hi, how'
    core.setConnection({ kind: 'open' })
    await flush()
    await flush()
    expect(store.getState().streams['r1']?.status).toBe('error')
    expect(shown(store.getState())).toEqual({
      messages: ['user:Hello there', 'assistant:Hi, how [interrupted]'],
      streams: [],
      error: CONNECTION_LOST,
    })
  })

  it('a resync (events were dropped for this page) refetches every snapshot and the open conversation, and ends the stream whose chunks were skipped', async () => {
    const { core, answer } = storingCore()
    const { store } = setup(core)
    await flush()
    await store.getState().send('Hello there')
    core.emit('chat:chunk', chunk({ kind: 'token', text: 'Hi' }))
    const fetched = () => core.calls.map((c) => c.channel).filter((c) => c !== 'chat:send')
    const before = fetched().length
    // The core went on streaming while this page lagged; those chunks were dropped, not queued.
    answer().content = 'Hi, how are'
    core.handlers['servers:snapshot'] = async () => seedServers().slice(0, 1)
    core.resync()
    await flush()
    await flush()
    expect(fetched().slice(before).sort()).toEqual(
      [
        'config:get',
        'conversations:get',
        'conversations:list',
        'mode:get',
        'routing:log',
        'servers:snapshot',
        'storage:snapshot',
      ].sort(),
    )
    expect(store.getState().servers.map((s) => s.id)).toEqual(['remote'])
    expect(store.getState().connection.kind).toBe('open')
    expect(shown(store.getState())).toEqual({
      messages: ['user:Hello there', 'assistant:Hi, how are [interrupted]'],
      streams: [],
      error: FELL_BEHIND,
    })
  })

  it('a conversation deleted while the link was down is closed after the reconnect', async () => {
    const { core } = storingCore()
    const { store } = setup(core)
    await flush()
    await store.getState().send('Hello there')
    core.setConnection({ kind: 'reconnecting', attempt: 1, retryAt: 0, error: null, lost: true })
    core.handlers['conversations:get'] = async () => null
    core.setConnection({ kind: 'open' })
    await flush()
    await flush()
    expect(store.getState().activeConversationId).toBeNull()
    expect(store.getState().streams).toEqual({})
    expect(store.getState().conversationsById).toEqual({})
  })

  it('re-selecting a conversation while it streams shows the live answer, not its stored placeholder', async () => {
    const { core, answer } = storingCore()
    const { store } = setup(core)
    await flush()
    await store.getState().send('Hello there')
    core.emit('chat:chunk', chunk({ kind: 'token', text: 'Hi, how' }))
    answer().content = 'Hi, how' // the core's throttled save
    await store.getState().selectConversation(null)
    await store.getState().selectConversation('c1')
    expect(shown(store.getState())).toEqual({
      messages: ['user:Hello there'],
      streams: ['streaming:Hi, how'],
      error: null,
    })
  })

  it('an error chunk: the stored answer shows the error until a newer turn', async () => {
    const { core } = storingCore()
    const { store } = setup(core)
    await flush()
    await store.getState().send('Hello')
    const message = 'No server can answer: all 2 servers are offline'
    core.emit('chat:chunk', chunk({ kind: 'error', error: { name: 'Error', message } }))
    expect(shown(store.getState()).streams).toEqual(['error:'])
    await flush()
    expect(shown(store.getState())).toEqual({
      messages: ['user:Hello', 'assistant: [interrupted]'],
      streams: [],
      error: message,
    })
    await store.getState().selectConversation('c1')
    expect(shown(store.getState()).error).toBe(message)
    await store.getState().send('Try again')
    expect(Object.keys(store.getState().streams)).toEqual(['r2'])
    expect(shown(store.getState()).error).toBeNull()
  })

  it('applies each snapshot when it arrives and merges the log with decisions seen meanwhile', async () => {
    // servers:snapshot answers at once; the log and the config only when the test says so.
    const gates: (() => void)[] = []
    const gated = <T>(value: T) =>
      new Promise<T>((resolve) => {
        gates.push(() => resolve(value))
      })
    const core = new FakeCore({
      'config:get': () => gated(configView()),
      'routing:log': () =>
        gated([decision('logged', { model: 'gemma3:1b', server: 'localhost' }, { at: 5 })]),
    })
    const { store } = setup(core)
    await flush()
    expect(store.getState().servers).toHaveLength(2)
    core.emit(
      'routing:decision',
      decision('live', { model: 'gemma3:1b', server: 'localhost' }, { at: 9 }),
    )
    core.emit('servers:changed', [])
    for (const open of gates) open()
    await flush()
    expect(store.getState().loaded).toBe(true)
    expect(store.getState().servers).toEqual([])
    expect(store.getState().decisions.map((d) => d.id)).toEqual(['live', 'logged'])
  })

  it.each([
    [[], [], []],
    [['a@3'], ['b@5', 'a@3'], ['b', 'a']],
    [['c@9', 'a@3'], ['b@5'], ['c', 'b', 'a']],
  ])('mergeDecisions(held %j, log %j) = %j', (held, log, expected) => {
    const mk = (s: string) => {
      const [id = '', at = '0'] = s.split('@')
      return decision(id, { model: 'm', server: 's' }, { at: Number(at) })
    }
    expect(mergeDecisions(held.map(mk), log.map(mk)).map((d) => d.id)).toEqual(expected)
  })
})

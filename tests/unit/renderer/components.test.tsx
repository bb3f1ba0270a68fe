// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import type { ReactElement } from 'react'
import { afterEach, describe, expect, it } from 'vitest'
import type { AillmConfig, ChatChunk, Conversation } from '../../../shared/types'
import { App } from '../../../renderer/app'
import { ModeSwitch } from '../../../renderer/components/mode-switch'
import { createAppStore } from '../../../renderer/store/app-store'
import { connectStore } from '../../../renderer/store/bridge'
import { StoreProvider } from '../../../renderer/store/store-context'
import { AnswerWarnings } from '../../../renderer/views/chat/answer-warnings'
import { ChatView } from '../../../renderer/views/chat/chat-view'
import { MarkdownText, isWebLink } from '../../../renderer/views/chat/markdown-text'
import { ModelPicker } from '../../../renderer/views/chat/model-picker'
import { RouteBadge } from '../../../renderer/views/chat/route-badge'
import { SettingsView } from '../../../renderer/views/settings/settings-view'
import { ModelMatrix } from '../../../renderer/views/dashboard/model-matrix'
import { ServerMap } from '../../../renderer/views/dashboard/server-map'
import {
  FakeCore,
  configView,
  decision,
  flush,
  metadata,
  seedServers,
  storedConversation,
} from './fake-core'

afterEach(cleanup)

// jsdom lacks ResizeObserver, which the map (@xyflow/react) measures its nodes with.
globalThis.ResizeObserver ??= class {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
}

async function mount(ui: ReactElement, core = new FakeCore()) {
  const store = createAppStore(core)
  connectStore(store, core, { setTimer: () => undefined })
  const utils = render(<StoreProvider store={store}>{ui}</StoreProvider>)
  await act(flush)
  return { ...utils, core, store }
}

describe('RouteBadge', () => {
  it('says model @ server · complexity · task and opens the full decision on click', async () => {
    render(
      <RouteBadge
        metadata={metadata()}
        decision={decision('d1', { model: 'gemma3:1b', server: 'localhost' })}
      />,
    )
    const badge = screen.getByRole('button', { name: 'gemma3:1b @ localhost · trivial · greeting' })
    expect(badge).toHaveProperty('ariaExpanded', 'false')
    await userEvent.click(badge)
    expect(badge.getAttribute('aria-expanded')).toBe('true')
    // Plain words first; the scores are one click further.
    expect(screen.getByText(/^Sent to gemma3:1b on localhost: a greeting/)).toBeTruthy()
    await userEvent.click(screen.getByText(/^Scores of all \d+ candidates$/))
    const table = screen.getByRole('table', { name: /Candidates/ })
    expect(within(table).getByRole('rowheader', { name: /gemma3:1b @ localhost/ })).toBeTruthy()
    expect(within(table).getByText('14.5')).toBeTruthy()
  })
})

describe('AnswerWarnings', () => {
  it.each([
    [metadata(), [], null],
    [
      metadata({
        fallback: true,
        warning: 'A simplified model is being used: qwen2.5:1.5b @ localhost',
      }),
      [],
      'A simplified model is being used: qwen2.5:1.5b @ localhost',
    ],
    [metadata({ fallback: true, warning: null }), [], 'A simplified model is being used'],
    [
      metadata(),
      ['Continued on localhost after remote dropped.'],
      'Continued on localhost after remote dropped.',
    ],
    [
      metadata({
        continued: true,
        attempts: [
          {
            model: 'gemma3:12b',
            serverName: 'remote',
            serverUrl: 'x',
            outcome: 'interrupted',
            reason: 'interrupted-continued',
            error: null,
            chars: 10,
            ms: 5,
          },
        ],
      }),
      [],
      'cut off on gemma3:12b @ remote and continued on gemma3:1b @ localhost',
    ],
  ])('banner for %#', (md, seams, text) => {
    render(<AnswerWarnings metadata={md} seamNotes={seams} />)
    if (text === null) expect(screen.queryByRole('alert')).toBeNull()
    else expect(screen.getByRole('alert').textContent).toContain(text)
  })
})

describe('Composer', () => {
  it('Enter sends, Shift+Enter adds a newline', async () => {
    const { core } = await mount(<ChatView />)
    const box = screen.getByRole('textbox', { name: 'Message' })
    await userEvent.type(box, 'line one{Shift>}{Enter}{/Shift}line two')
    expect((box as HTMLTextAreaElement).value).toBe('line one\nline two')
    expect(core.callsOf('chat:send')).toHaveLength(0)
    await userEvent.type(box, '{Enter}')
    await act(flush)
    expect(core.callsOf('chat:send')).toEqual([
      [{ conversationId: null, content: 'line one\nline two' }],
    ])
    expect((box as HTMLTextAreaElement).value).toBe('')
  })

  it('shows a quiet preview of where the message would go', async () => {
    await mount(<ChatView />)
    await userEvent.type(screen.getByRole('textbox', { name: 'Message' }), 'Hi!')
    const out = screen.getByRole('status', { name: 'Route preview' })
    await vi_waitFor(() =>
      expect(out.textContent).toBe('→ gemma3:1b @ localhost · trivial greeting'),
    )
  })
})

describe('Chat streaming', () => {
  it('shows the cold-load state, the streamed text, then the route badge and the fallback banner', async () => {
    const stored = storedConversation([{ role: 'user', content: 'Write an auth system with JWT' }])
    const core = new FakeCore({ 'conversations:get': async () => stored })
    const { store } = await mount(<ChatView />, core)
    await act(() => store.getState().send('Write an auth system with JWT'))
    act(() =>
      core.emit(
        'routing:decision',
        decision(
          'd9',
          { model: 'llama3.3:70b', server: 'remote', loaded: false, tier: 'powerful' },
          { promptExcerpt: 'Write an auth system with JWT' },
        ),
      ),
    )
    expect(screen.getByRole('status', { name: '' }).textContent).toContain(
      'Loading llama3.3:70b on remote — a cold model can take up to 30 s',
    )
    const base = { requestId: 'r1', conversationId: 'c1' }
    act(() =>
      core.emit('chat:chunk', { ...base, kind: 'token', text: 'Use **bcrypt**' } as ChatChunk),
    )
    expect(screen.getByText('bcrypt').tagName).toBe('STRONG')
    act(() =>
      core.emit('chat:chunk', {
        ...base,
        kind: 'done',
        metadata: metadata({
          model: 'qwen2.5:1.5b',
          complexity_level: 'complex',
          task_type: 'code',
          fallback: true,
          warning: 'A simplified model is being used: qwen2.5:1.5b @ localhost',
          decision_id: 'd9',
        }),
      } as ChatChunk),
    )
    await act(flush)
    expect(
      screen.getByRole('button', {
        name: 'qwen2.5:1.5b @ localhost · complex · code · started on llama3.3:70b @ remote',
      }),
    ).toBeTruthy()
    expect(screen.getByRole('alert').textContent).toContain('A simplified model is being used')
  })

  it('offers regenerate and a more powerful regenerate under the last stored answer', async () => {
    const conv: Conversation = {
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
          metadata: metadata(),
          interrupted: true,
        },
      ],
    }
    const core = new FakeCore({ 'conversations:get': async () => conv })
    const { store } = await mount(<ChatView />, core)
    await act(() => store.getState().selectConversation('c1'))
    expect(screen.getByText(/Interrupted/)).toBeTruthy()
    await userEvent.click(
      screen.getByRole('button', { name: 'Regenerate with a more powerful model' }),
    )
    await act(flush)
    expect(core.callsOf('chat:send')).toEqual([
      [{ conversationId: 'c1', content: 'Hi!', regenerate: true, minTier: 'balanced' }],
    ])
  })
})

describe('Settings', () => {
  it('shows a refused save issue inline next to the field whose key matches', async () => {
    const core = new FakeCore({
      'config:set': async () => ({
        ok: false,
        issues: [
          {
            key: 'llm.providers.ollama.additional_servers.0.url',
            line: 7,
            column: 16,
            message: 'expected a URL like http://host:11434',
          },
        ],
      }),
    })
    await mount(<SettingsView />, core)
    expect(screen.getByText('/home/me/.config/aillm/config.yaml')).toBeTruthy()
    const url = screen.getByRole('textbox', { name: 'URL of server 1' })
    await userEvent.clear(url)
    await userEvent.type(url, 'nonsense')
    await userEvent.click(screen.getByRole('button', { name: 'Save' }))
    await act(flush)
    expect(core.callsOf('config:set')).toHaveLength(1)
    expect(url.getAttribute('aria-invalid')).toBe('true')
    const errId = url.getAttribute('aria-describedby') ?? ''
    expect(document.getElementById(errId)?.textContent).toBe(
      'expected a URL like http://host:11434 (line 7, column 16)',
    )
    const name = screen.getByRole('textbox', { name: 'Name of server 1' })
    expect(name.getAttribute('aria-invalid')).toBe('false')
  })

  it('adds a server and saves the edited copy with config:set', async () => {
    const { core } = await mount(<SettingsView />)
    await userEvent.click(screen.getByRole('button', { name: 'Add server' }))
    await userEvent.selectOptions(
      screen.getByRole('combobox', { name: 'Priority of server 2' }),
      'FALLBACK',
    )
    await userEvent.click(
      screen.getByRole('checkbox', { name: 'Auto-discover servers on the LAN' }),
    )
    await userEvent.click(screen.getByRole('button', { name: 'Save' }))
    await act(flush)
    const [saved] = core.callsOf('config:set')[0] as [ReturnType<typeof configView>['config']]
    expect(saved.llm.providers.ollama.additional_servers[1]).toEqual({
      name: 'server2',
      url: 'http://',
      priority: 'FALLBACK',
    })
    expect(saved.llm.providers.ollama.auto_discover).toBe(true)
  })
})

describe('ModeSwitch', () => {
  it('offers Automatic and Only <server>, and calls mode:set', async () => {
    const { core, store } = await mount(<ModeSwitch />)
    const select = screen.getByRole('combobox', { name: 'Routing mode' })
    expect(
      within(select)
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual(['Automatic (route by task)', 'Only remote', 'Only localhost'])
    await userEvent.selectOptions(select, 'Only remote')
    await act(flush)
    expect(core.callsOf('mode:set')).toEqual([[{ kind: 'server', serverId: 'remote' }]])
    expect(store.getState().mode).toEqual({ kind: 'server', serverId: 'remote' })
  })
})

describe('Dashboard pieces', () => {
  it('the matrix lists models by row and servers by column, absent cells marked', () => {
    render(<ModelMatrix servers={seedServers()} />)
    // Row 0 the server names, row 1 their status in words, then one row per model.
    const status = screen.getAllByRole('row')[1]!
    expect(within(status).getByRole('rowheader').textContent).toBe('Status')
    expect(
      within(status)
        .getAllByRole('cell')
        .map((c) => c.textContent),
    ).toEqual(['Online', 'Online'])
    const rows = screen.getAllByRole('row').slice(2)
    expect(rows.map((r) => within(r).getByRole('rowheader').textContent)).toEqual([
      'gemma3:1b',
      'qwen2.5:1.5b',
      'gemma3:12b',
      'llama3.3:70b',
      'qwen2.5-coder:14b',
    ])
    const first = rows[0]!
    expect(
      within(first)
        .getAllByRole('cell')
        .map((c) => c.textContent),
    ).toEqual(['—', 'fastloaded'])
  })

  it('the app shell navigates by hash and shows no-server help when nothing is reachable', async () => {
    const offline = seedServers().map((s) => ({
      ...s,
      health: { kind: 'offline' as const, since: 0, error: 'connection refused', nextProbeAt: 0 },
    }))
    window.location.hash = '#/dashboard'
    await mount(<App />, new FakeCore({ 'servers:snapshot': async () => offline }))
    expect(screen.getByRole('heading', { name: 'No Ollama server is reachable' })).toBeTruthy()
    expect(screen.getByText('OLLAMA_HOST=0.0.0.0')).toBeTruthy()
    await userEvent.click(screen.getByRole('link', { name: 'Routing log' }))
    expect(await screen.findByRole('heading', { name: 'Routing log' })).toBeTruthy()
    expect(screen.getByRole('link', { name: 'Routing log' }).getAttribute('aria-current')).toBe(
      'page',
    )
  })
})

async function vi_waitFor(fn: () => void, ms = 2000): Promise<void> {
  const end = Date.now() + ms
  for (;;) {
    try {
      fn()
      return
    } catch (err) {
      if (Date.now() > end) throw err
      await act(() => new Promise((r) => setTimeout(r, 25)))
    }
  }
}

/** A core whose chat:send stores the user message and the answer placeholder, as app-core does. */
function storingCore(overrides: ConstructorParameters<typeof FakeCore>[0] = {}) {
  const conv = storedConversation([])
  const core = new FakeCore({
    'conversations:get': async () => structuredClone(conv),
    'chat:send': async (req) => {
      const at = Date.now()
      const base = { createdAt: at, metadata: null }
      conv.messages.push(
        { ...base, id: 'u1', role: 'user', content: req.content, interrupted: false },
        { ...base, id: 'a1', role: 'assistant', content: '', interrupted: true },
      )
      return { requestId: 'r1', conversationId: conv.id }
    },
    ...overrides,
  })
  return { core, conv, answer: () => conv.messages[conv.messages.length - 1]! }
}

const emitChunk = (core: FakeCore, c: Partial<ChatChunk> & { kind: ChatChunk['kind'] }) =>
  act(() => core.emit('chat:chunk', { requestId: 'r1', conversationId: 'c1', ...c } as ChatChunk))

describe('Message list with streams', () => {
  it('re-selecting a streaming conversation shows the answer once (no stored placeholder)', async () => {
    const { core, answer } = storingCore()
    const { store } = await mount(<ChatView />, core)
    await act(() => store.getState().send('Hello there'))
    emitChunk(core, { kind: 'token', text: 'Hi, how' })
    answer().content = 'Hi, how'
    await act(() => store.getState().selectConversation(null))
    await act(() => store.getState().selectConversation('c1'))
    expect(screen.getAllByRole('article', { name: 'Answer' })).toHaveLength(1)
    expect(screen.queryByText(/cut short/)).toBeNull()
    expect(screen.getByRole('button', { name: 'Stop' })).toBeTruthy()
  })

  it('a failed answer keeps saying why, with Regenerate under it', async () => {
    const { core } = storingCore()
    const { store } = await mount(<ChatView />, core)
    await act(() => store.getState().send('Hello'))
    const message = 'No server can answer: all 2 servers are offline'
    emitChunk(core, { kind: 'error', error: { name: 'Error', message } })
    await act(flush)
    expect(screen.getAllByRole('article', { name: 'Answer' })).toHaveLength(1)
    expect(screen.getByRole('alert').textContent).toBe(`Interrupted — ${message}`)
    expect(screen.getByRole('button', { name: 'Regenerate' })).toBeTruthy()
  })

  it('a saved answer keeps its reasoning, folded, with how long it thought', async () => {
    const conv = storedConversation([
      { role: 'user', content: 'Why is the sky blue?' },
      {
        role: 'assistant',
        content: 'Rayleigh scattering.',
        metadata: metadata(),
        thinking: { text: 'Short wavelengths scatter more.', durationMs: 4_400 },
      },
      { role: 'user', content: 'Thanks' },
      { role: 'assistant', content: 'You are welcome.', metadata: metadata() },
    ])
    const core = new FakeCore({ 'conversations:get': async () => conv })
    const { store } = await mount(<ChatView />, core)
    await act(() => store.getState().selectConversation('c1'))
    const [thought, plain] = screen.getAllByRole('article', { name: 'Answer' })
    const details = thought!.querySelector('details.thinking')
    expect(details?.querySelector('summary')?.textContent).toBe('Thought for 4 s')
    expect(details?.textContent).toContain('Short wavelengths scatter more.')
    expect(details?.hasAttribute('open')).toBe(false)
    expect(plain!.querySelector('details.thinking')).toBeNull()
  })

  it('follows the answer while at the bottom, lets go when scrolled up, and Jump to latest pins it again', async () => {
    const { core } = storingCore()
    const { store } = await mount(<ChatView />, core)
    await act(() => store.getState().send('Hello'))
    const log = screen.getByRole('log', { name: 'Messages' })
    // jsdom lays nothing out: give the log a size and a scroll position that remembers.
    let top = 0
    let height = 1000
    Object.defineProperty(log, 'scrollHeight', { get: () => height })
    Object.defineProperty(log, 'clientHeight', { get: () => 200 })
    Object.defineProperty(log, 'scrollTop', {
      get: () => top,
      set: (v: number) => (top = Math.min(v, height - 200)),
    })
    emitChunk(core, { kind: 'token', text: 'One' })
    expect(top).toBe(800)
    height = 1200
    emitChunk(core, { kind: 'token', text: ' two' })
    expect(top).toBe(1000)
    expect(screen.queryByRole('button', { name: /Jump to latest/ })).toBeNull()
    // The person scrolls up to read: the log stays there as the answer grows.
    top = 400
    fireEvent.scroll(log)
    height = 1400
    emitChunk(core, { kind: 'token', text: ' three' })
    expect(top).toBe(400)
    fireEvent.click(screen.getByRole('button', { name: /Jump to latest/ }))
    expect(top).toBe(1200)
    expect(screen.queryByRole('button', { name: /Jump to latest/ })).toBeNull()
    height = 1600
    emitChunk(core, { kind: 'token', text: ' four' })
    expect(top).toBe(1400)
  })
})

describe('Markdown links in answers', () => {
  it('opens web links in a new window and leaves relative links inert', () => {
    render(
      <MarkdownText text="See [the readme](README.md), [a section](#usage) and [Ollama](https://ollama.com/library)." />,
    )
    const web = screen.getByRole('link', { name: 'Ollama' })
    expect(web.getAttribute('href')).toBe('https://ollama.com/library')
    expect(web.getAttribute('target')).toBe('_blank')
    expect(web.getAttribute('rel')).toBe('noopener noreferrer')
    expect(screen.getAllByRole('link')).toHaveLength(1)
    expect(screen.getByText('the readme').getAttribute('title')).toBe('Link not opened: README.md')
    expect(screen.getByText('a section').tagName).toBe('SPAN')
  })

  it.each([
    ['https://ollama.com/', true],
    ['http://127.0.0.1:8000/ui/', true],
    ['README.md', false],
    ['#usage', false],
    ['mailto:me@example.com', false],
    ['file:///etc/passwd', false],
    [undefined, false],
  ])('isWebLink(%j) = %s', (href, expected) => {
    expect(isWebLink(href)).toBe(expected)
  })
})

describe('Model picker', () => {
  it('keeps showing a pinned model whose server vanished, marked not available', async () => {
    const { core, store } = await mount(<ModelPicker />)
    const select = screen.getByRole('combobox', { name: 'Model' }) as HTMLSelectElement
    await userEvent.selectOptions(select, 'gemma3:1b @ localhost')
    expect(store.getState().chatMode).toEqual({
      kind: 'model',
      model: 'gemma3:1b',
      serverId: 'localhost',
    })
    act(() => core.emit('servers:changed', seedServers().slice(0, 1)))
    expect(select.selectedOptions[0]?.textContent).toBe('gemma3:1b @ localhost (not available)')
    await userEvent.selectOptions(select, 'Auto (route by task)')
    expect(store.getState().chatMode).toBeNull()
    expect(screen.queryByText(/not available/)).toBeNull()
  })
})

describe('Composer on a failed send', () => {
  it('gives the text back so it is not lost', async () => {
    const core = new FakeCore({
      'chat:send': async () => {
        throw new Error('no server')
      },
    })
    await mount(<ChatView />, core)
    const box = screen.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement
    await userEvent.type(box, 'Keep me{Enter}')
    await act(flush)
    expect(core.callsOf('chat:send')).toHaveLength(1)
    expect(box.value).toBe('Keep me')
  })
})

describe('Settings save and discard', () => {
  it('Save writes only the fields edited here onto the latest config', async () => {
    const { core } = await mount(<SettingsView />)
    const port = screen.getByRole('spinbutton', { name: 'API port' })
    await userEvent.clear(port)
    await userEvent.type(port, '8001')
    // Meanwhile a Trust click and an edit of the file changed the config.
    const latest = configView()
    latest.config.llm.providers.ollama.trusted_servers = ['boxA']
    latest.config.llm.providers.ollama.health_check_interval_s = 7
    latest.config.llm.providers.ollama.base_url = 'http://10.0.0.9:11434'
    act(() => core.emit('config:changed', latest))
    await userEvent.click(screen.getByRole('button', { name: 'Save' }))
    await act(flush)
    const [saved] = core.callsOf('config:set')[0] as [AillmConfig]
    expect(saved.api.port).toBe(8001)
    expect(saved.llm.providers.ollama.trusted_servers).toEqual(['boxA'])
    expect(saved.llm.providers.ollama.health_check_interval_s).toBe(7)
    expect(saved.llm.providers.ollama.base_url).toBe('http://10.0.0.9:11434')
  })

  it('Discard clears the issues of a refused save', async () => {
    const core = new FakeCore({
      'config:set': async () => ({
        ok: false,
        issues: [
          {
            key: 'llm.providers.ollama.additional_servers.0.url',
            line: 7,
            column: 16,
            message: 'expected a URL like http://host:11434',
          },
        ],
      }),
    })
    const { store } = await mount(<SettingsView />, core)
    const url = screen.getByRole('textbox', { name: 'URL of server 1' })
    await userEvent.clear(url)
    await userEvent.type(url, 'nonsense')
    await userEvent.click(screen.getByRole('button', { name: 'Save' }))
    await act(flush)
    expect(screen.getByText('Not saved — fix these first:')).toBeTruthy()
    await userEvent.click(screen.getByRole('button', { name: 'Discard changes' }))
    expect(screen.queryByText('Not saved — fix these first:')).toBeNull()
    expect(url.getAttribute('aria-invalid')).toBe('false')
    expect((url as HTMLInputElement).value).toBe('http://127.0.0.1:11434')
    expect(store.getState().saveState).toBe('idle')
  })

  it('a newer config while the form is clean clears a refused save', async () => {
    const core = new FakeCore({
      'config:set': async () => ({
        ok: false,
        issues: [{ key: 'api.port', line: 3, column: 9, message: 'expected 1-65535' }],
      }),
    })
    const { store } = await mount(<SettingsView />, core)
    // Saving the unchanged form (not dirty) is refused, e.g. the core rejects the file's own value.
    await userEvent.click(screen.getByRole('button', { name: 'Save' }))
    await act(flush)
    expect(store.getState().saveIssues).toHaveLength(1)
    act(() => core.emit('config:changed', configView()))
    expect(store.getState().saveIssues).toEqual([])
    expect(screen.queryByText('Not saved — fix these first:')).toBeNull()
  })
})

describe('Settings: restart needed', () => {
  it('lists the API address changes waiting for a restart, and drops the notice once none are', async () => {
    const core = new FakeCore({
      'config:get': async () =>
        configView({ restartNeeded: [{ key: 'api.port', running: 8000, configured: 8123 }] }),
    })
    await mount(<SettingsView />, core)
    const notice = screen.getByRole('status', { name: 'Restart needed' })
    expect(notice.textContent).toBe(
      'Restart AILLM to apply:api.port: 8123 in the config; the local API runs with 8000 until AILLM is restarted',
    )
    act(() => core.emit('config:changed', configView()))
    expect(screen.queryByRole('status', { name: 'Restart needed' })).toBeNull()
  })
})

describe('Server map', () => {
  it('cards are not draggable (the layout is computed, a drag would snap back)', async () => {
    const { container } = render(
      <div style={{ width: 800, height: 600 }}>
        <ServerMap servers={seedServers()} lit={{}} onTrust={() => undefined} />
      </div>,
    )
    await act(flush)
    const nodes = container.querySelectorAll('.react-flow__node')
    expect(nodes.length).toBe(3)
    for (const n of nodes) expect(n.classList.contains('draggable')).toBe(false)
  })
})

// The IPC transport's logic without Electron: channel and sender validation, dispatch, errors as values,
// and the preload's client wired to the dispatcher through an in-memory ipc bus (both halves real).
import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import type { ContractHandlers, EventChannel, EventPayload } from '../../../shared/contract'
import { EVENT_CHANNELS, REQUEST_CHANNELS } from '../../../shared/contract'
import type { ConfigView, RoutingMode } from '../../../shared/types'
import { Emitter } from '../../../electron/core/emitter'
import { createMemoryLogger } from '../../../electron/core/logger'
import type { IpcSenderInfo } from '../../../electron/main/ipc-dispatch'
import {
  createIpcDispatcher,
  forwardCoreEvents,
  isEventChannel,
  isRequestChannel,
  isOwnDocumentUrl,
  isTrustedUrl,
  senderProblem,
} from '../../../electron/main/ipc-dispatch'
import type { IpcRendererLike } from '../../../electron/preload/contract-client'
import { createContractClient } from '../../../electron/preload/contract-client'

const OURS: IpcSenderInfo = {
  url: 'app://aillm/index.html#/chat',
  isMainFrame: true,
  fromOurWindow: true,
}

class ConfigRejected extends Error {
  override readonly name = 'ConfigRejected'
}

/** A stand-in for the core's handlers: the dispatcher is under test here, not the core. */
function fakeHandlers(): { handlers: ContractHandlers; calls: [string, unknown[]][] } {
  const calls: [string, unknown[]][] = []
  let mode: RoutingMode = { kind: 'auto' }
  const handlers = {} as Record<string, (...args: unknown[]) => Promise<unknown>>
  for (const channel of REQUEST_CHANNELS) {
    handlers[channel] = async (...args) => {
      calls.push([channel, args])
      return null
    }
  }
  handlers['mode:get'] = async () => mode
  handlers['mode:set'] = async (...args) => {
    calls.push(['mode:set', args])
    mode = args[0] as RoutingMode
    return mode
  }
  handlers['servers:trust'] = async (id) => {
    throw new RangeError(`No server "${String(id)}"`)
  }
  handlers['config:get'] = async () => {
    throw new ConfigRejected('config.yaml line 3: bad priority')
  }
  handlers['servers:rediscover'] = async () => {
    throw 'plain string thrown'
  }
  return { handlers: handlers as unknown as ContractHandlers, calls }
}

describe('channel names', () => {
  it.each(REQUEST_CHANNELS)('%s is a request channel', (c) =>
    expect(isRequestChannel(c)).toBe(true),
  )
  it.each(EVENT_CHANNELS)('%s is an event channel', (c) => expect(isEventChannel(c)).toBe(true))
  it.each([
    'servers:changed',
    'ELECTRON_BROWSER_REQUIRE',
    '__proto__',
    'constructor',
    'toString',
    '',
    42,
    null,
  ])('%s is not a request channel', (c) => expect(isRequestChannel(c)).toBe(false))
})

describe('senderProblem', () => {
  it.each<[string, IpcSenderInfo, object, string | null]>([
    ['our app:// window', OURS, {}, null],
    ['our window, other app:// path', { ...OURS, url: 'app://aillm/assets/x.html' }, {}, null],
    [
      'dev server when running dev',
      { ...OURS, url: 'http://localhost:5173/#/chat' },
      { devServerUrl: 'http://localhost:5173/' },
      null,
    ],
    [
      'dev server origin when not in dev',
      { ...OURS, url: 'http://localhost:5173/#/chat' },
      {},
      'origin is not ours',
    ],
    [
      'other port than the dev server',
      { ...OURS, url: 'http://localhost:5174/' },
      { devServerUrl: 'http://localhost:5173' },
      'origin is not ours',
    ],
    ['remote page', { ...OURS, url: 'https://evil.example/' }, {}, 'origin is not ours'],
    ['app scheme, other host', { ...OURS, url: 'app://evil/index.html' }, {}, 'origin is not ours'],
    [
      'file:// without a file root',
      { ...OURS, url: 'file:///opt/aillm/out/renderer/index.html' },
      {},
      'origin is not ours',
    ],
    [
      'file:// inside the file root',
      { ...OURS, url: 'file:///opt/aillm/out/renderer/index.html' },
      { fileRoot: '/opt/aillm/out/renderer' },
      null,
    ],
    [
      'file:// outside the file root',
      { ...OURS, url: 'file:///tmp/evil.html' },
      { fileRoot: '/opt/aillm/out/renderer' },
      'origin is not ours',
    ],
    [
      'file:// sibling folder with same prefix',
      { ...OURS, url: 'file:///opt/aillm/out/renderer-evil/x.html' },
      { fileRoot: '/opt/aillm/out/renderer' },
      'origin is not ours',
    ],
    ['an iframe in our window', { ...OURS, isMainFrame: false }, {}, 'not a top-level frame'],
    ['a window we did not create', { ...OURS, fromOurWindow: false }, {}, 'not one of our windows'],
    ['a frame that is gone', { ...OURS, url: null }, {}, 'the sending frame is gone'],
    ['garbage URL', { ...OURS, url: 'not a url' }, {}, 'origin is not ours'],
  ])('%s', (_name, sender, trusted, problem) => {
    expect(senderProblem(sender, trusted)).toBe(problem)
  })

  it('treats a malformed dev server URL as trusting nothing', () => {
    expect(isTrustedUrl('http://localhost:5173/', { devServerUrl: 'not a url' })).toBe(false)
  })
})

describe('isOwnDocumentUrl (where a window may navigate)', () => {
  const dev = { devServerUrl: 'http://localhost:5173' }
  const file = { fileRoot: '/opt/aillm/out/renderer' }
  it.each([
    ['app://aillm/index.html#/chat', {}, true],
    ['app://aillm/', {}, true],
    ['app://aillm/index.html?x=1', {}, true],
    ['app://aillm/README.md', {}, false],
    ['app://aillm/docs/index.html', {}, false],
    ['app://aillm/assets/index-abc.js', {}, false],
    ['app://evil/index.html', {}, false],
    ['https://ollama.com/', {}, false],
    ['http://localhost:5173/index.html#/dashboard', dev, true],
    ['http://localhost:5173/', dev, true],
    ['http://localhost:5173/src/README.md', dev, false],
    ['http://localhost:5173/index.html', {}, false],
    ['http://localhost:5173/app/index.html', { devServerUrl: 'http://localhost:5173/app/' }, true],
    ['http://localhost:5173/index.html', { devServerUrl: 'not a url' }, false],
    ['file:///opt/aillm/out/renderer/index.html', file, true],
    ['file:///opt/aillm/out/renderer/README.md', file, false],
    ['not a url', {}, false],
  ])('%s with %j: %s', (url, trusted, expected) => {
    expect(isOwnDocumentUrl(url, trusted)).toBe(expected)
  })
})

describe('createIpcDispatcher', () => {
  it('calls the handler with the arguments and returns its value', async () => {
    const { handlers, calls } = fakeHandlers()
    const dispatch = createIpcDispatcher({ handlers })
    const mode = { kind: 'server', serverId: 'localhost' }
    expect(await dispatch('mode:set', OURS, [mode])).toEqual({ ok: true, value: mode })
    expect(await dispatch('mode:get', OURS, [])).toEqual({ ok: true, value: mode })
    expect(calls).toEqual([['mode:set', [mode]]])
  })

  it.each(['servers:changed', 'nope', '__proto__', 7])(
    'rejects unknown channel %s',
    async (channel) => {
      const { handlers, calls } = fakeHandlers()
      const logger = createMemoryLogger()
      const result = await createIpcDispatcher({ handlers, logger })(channel, OURS, [])
      expect(result).toMatchObject({ ok: false, error: { name: 'UnknownChannelError' } })
      expect(calls).toEqual([])
      expect(logger.records.map((r) => r.level)).toEqual(['WARNING'])
    },
  )

  it.each<[string, IpcSenderInfo]>([
    ['remote origin', { ...OURS, url: 'https://evil.example/' }],
    ['subframe', { ...OURS, isMainFrame: false }],
    ['foreign window', { ...OURS, fromOurWindow: false }],
  ])('refuses a foreign sender (%s) before calling the handler', async (_name, sender) => {
    const { handlers, calls } = fakeHandlers()
    const result = await createIpcDispatcher({ handlers })('mode:set', sender, [{ kind: 'auto' }])
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.error.name).toBe('ForeignSenderError')
      expect(result.error.message).toContain('"mode:set"')
    }
    expect(calls).toEqual([])
  })

  it('refuses a bad argument before calling the handler, naming it, and logs it', async () => {
    const { handlers, calls } = fakeHandlers()
    const logger = createMemoryLogger()
    const result = await createIpcDispatcher({ handlers, logger })('mode:set', OURS, [
      { kind: 'model', model: 42, serverId: null },
    ])
    expect(result).toStrictEqual({
      ok: false,
      error: {
        name: 'ContractArgumentError',
        message: 'mode:set: "model" must be a string, got 42',
      },
    })
    expect(calls).toEqual([])
    expect(logger.records.map((r) => [r.level, r.message])).toEqual([
      ['WARNING', 'mode:set: "model" must be a string, got 42'],
    ])
  })

  it('refuses arguments that are not an array', async () => {
    const { handlers } = fakeHandlers()
    const result = await createIpcDispatcher({ handlers })('mode:get', OURS, { 0: 'x' })
    expect(result).toMatchObject({ ok: false, error: { name: 'BadIpcArgumentsError' } })
  })

  it.each<[string, unknown[], { name: string; message: string }]>([
    ['servers:trust', ['gpu'], { name: 'RangeError', message: 'No server "gpu"' }],
    ['config:get', [], { name: 'ConfigRejected', message: 'config.yaml line 3: bad priority' }],
    ['servers:rediscover', [], { name: 'Error', message: 'plain string thrown' }],
  ])('serialises a thrown error of %s as {name, message}', async (channel, args, error) => {
    const { handlers } = fakeHandlers()
    const result = await createIpcDispatcher({ handlers })(channel, OURS, args)
    // Exactly name and message: no stack or other properties cross the boundary.
    expect(result).toStrictEqual({ ok: false, error })
  })
})

describe('forwardCoreEvents', () => {
  it('forwards every event channel and stops on dispose', () => {
    const emitters = new Map(EVENT_CHANNELS.map((c) => [c, new Emitter<unknown>()]))
    const on = <C extends EventChannel>(c: C, l: (p: EventPayload<C>) => void) =>
      emitters.get(c)!.event(l as (p: unknown) => void)
    const sent: [string, unknown][] = []
    const dispose = forwardCoreEvents(on, (c, p) => sent.push([c, p]))
    for (const c of EVENT_CHANNELS) emitters.get(c)!.fire({ from: c })
    expect(sent).toEqual(EVENT_CHANNELS.map((c) => [c, { from: c }]))
    dispose()
    expect([...emitters.values()].every((e) => e.size === 0)).toBe(true)
  })
})

/** ipcMain + webContents + ipcRenderer in memory: the real client and dispatcher on either side. */
function ipcBus(dispatch: ReturnType<typeof createIpcDispatcher>, sender: IpcSenderInfo) {
  const toRenderer = new EventEmitter()
  const invoked: string[] = []
  const ipc: IpcRendererLike = {
    invoke: async (channel, ...args) => {
      invoked.push(channel)
      // Structured clone, as Electron does: nothing but data crosses.
      return structuredClone(await dispatch(channel, sender, structuredClone(args)))
    },
    on: (channel, listener) => toRenderer.on(channel, listener),
    removeListener: (channel, listener) => toRenderer.removeListener(channel, listener),
  }
  const send = (channel: string, payload: unknown) =>
    toRenderer.emit(channel, { sender: 'ipcRenderer (must not leak)' }, structuredClone(payload))
  return { ipc, send, invoked, toRenderer }
}

describe('preload client over the dispatcher', () => {
  it('invokes a channel and returns the value', async () => {
    const { handlers } = fakeHandlers()
    const { ipc } = ipcBus(createIpcDispatcher({ handlers }), OURS)
    const client = createContractClient(ipc)
    const mode: RoutingMode = { kind: 'model', model: 'gemma3:1b', serverId: null }
    expect(await client.invoke('mode:set', mode)).toEqual(mode)
    expect(await client.invoke('mode:get')).toEqual(mode)
  })

  it('rethrows a handler error with its name and message', async () => {
    const { handlers } = fakeHandlers()
    const client = createContractClient(ipcBus(createIpcDispatcher({ handlers }), OURS).ipc)
    const err = await client.invoke('config:get').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(Error)
    expect((err as Error).name).toBe('ConfigRejected')
    expect((err as Error).message).toBe('config.yaml line 3: bad priority')
  })

  it('refuses an unknown channel without touching ipc', async () => {
    const { handlers } = fakeHandlers()
    const bus = ipcBus(createIpcDispatcher({ handlers }), OURS)
    const client = createContractClient(bus.ipc)
    const call = (client.invoke as (c: string) => Promise<unknown>)('ELECTRON_BROWSER_REQUIRE')
    await expect(call).rejects.toMatchObject({ name: 'UnknownChannelError' })
    expect(() => (client.on as (c: string, l: () => void) => void)('mode:get', () => {})).toThrow(
      /Unknown event channel "mode:get"/,
    )
    expect(bus.invoked).toEqual([])
  })

  it('surfaces a foreign-sender refusal as an error', async () => {
    const { handlers } = fakeHandlers()
    const foreign = { ...OURS, url: 'https://evil.example/' }
    const client = createContractClient(ipcBus(createIpcDispatcher({ handlers }), foreign).ipc)
    await expect(client.invoke('mode:get')).rejects.toMatchObject({ name: 'ForeignSenderError' })
  })

  it('rejects a malformed answer', async () => {
    const client = createContractClient({
      invoke: async () => 'raw value',
      on: () => undefined,
      removeListener: () => undefined,
    })
    await expect(client.invoke('mode:get')).rejects.toMatchObject({ name: 'IpcProtocolError' })
  })

  it('delivers only the payload of events and unsubscribes', () => {
    const { handlers } = fakeHandlers()
    const bus = ipcBus(createIpcDispatcher({ handlers }), OURS)
    const client = createContractClient(bus.ipc)
    const seen: unknown[][] = []
    const off = client.on('config:changed', (...args: unknown[]) => seen.push(args))
    const view = { path: '/x/config.yaml', text: '', issues: [] } as unknown as ConfigView
    bus.send('config:changed', view)
    bus.send('mode:changed', { kind: 'auto' })
    off()
    off()
    bus.send('config:changed', view)
    expect(seen).toEqual([[view]])
    expect(bus.toRenderer.listenerCount('config:changed')).toBe(0)
  })
})

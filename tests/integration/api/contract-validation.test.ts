/**
 * The contract is checked at its boundary (issue 13, item 3): every request channel refuses a bad argument
 * with an error that names it, on both transports — Electron IPC's dispatcher and the WebSocket of `serve`,
 * each in front of the real core. `config:set` never turns a bad value into defaults that replace the
 * user's servers in config.yaml, and `mode:set` refuses models and servers that do not exist.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { REQUEST_CHANNELS, type RequestChannel } from '../../../shared/contract'
import type { AillmConfig, SerializedError } from '../../../shared/types'
import { WS_PATH, type WsResultFrame } from '../../../shared/ws-protocol'
import { createMemoryLogger } from '../../../electron/core/logger'
import { createIpcDispatcher, type IpcSenderInfo } from '../../../electron/main/ipc-dispatch'
import { startServe, type Serve } from '../../../electron/serve/serve'
import { startSimServer, type SimServer } from '../../../tools/ollama-sim'

const OURS: IpcSenderInfo = {
  url: 'app://aillm/index.html',
  isMainFrame: true,
  fromOurWindow: true,
}

let sim: SimServer
let serve: Serve
let ws: WebSocket
let dir = ''
let configPath = ''

const CONFIG = (url: string) => `# my fleet
llm:
  providers:
    ollama:
      base_url: ${url}
      additional_servers:
        - name: attic   # the old box upstairs
          url: http://127.0.0.1:9
          priority: FALLBACK
      mdns:
        enabled: false
`

beforeAll(async () => {
  sim = await startSimServer({ name: 'box', port: 0, models: ['gemma3:1b', 'qwen3:14b'] })
  dir = mkdtempSync(join(tmpdir(), 'aillm-contract-'))
  configPath = join(dir, 'config.yaml')
  writeFileSync(configPath, CONFIG(sim.url))
  serve = await startServe({
    configPath,
    dataDir: join(dir, 'data'),
    port: 0,
    logger: createMemoryLogger('ERROR'),
    buildUi: false,
  })
  ws = new WebSocket(`${serve.url.replace('http', 'ws')}${WS_PATH}`)
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
  // The primary's models are known once it has been probed.
  const end = Date.now() + 10_000
  while (!serve.core.servers().some((s) => s.id === 'primary' && s.models.length === 2)) {
    if (Date.now() > end) throw new Error('the primary was never probed')
    await new Promise((r) => setTimeout(r, 20))
  }
}, 30_000)

afterAll(async () => {
  ws?.close()
  await serve?.close()
  await sim?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

let lastId = 0

/** A call on one transport: the value, or the error as it reaches the renderer. */
type Outcome = { ok: true; value: unknown } | { ok: false; error: SerializedError }

const TRANSPORTS: [string, (channel: RequestChannel, args: unknown[]) => Promise<Outcome>][] = [
  [
    'IPC',
    async (channel, args) => {
      const dispatch = createIpcDispatcher({ handlers: serve.core.handlers })
      // Structured clone, as Electron does.
      return structuredClone(await dispatch(channel, OURS, structuredClone(args)))
    },
  ],
  [
    'WebSocket',
    async (channel, args) => {
      // The frames the web UI's client sends (shared/ws-protocol.ts), on a real socket.
      const id = ++lastId
      const answer = new Promise<WsResultFrame>((resolve) => {
        const onMessage = (raw: Buffer) => {
          const frame = JSON.parse(String(raw)) as WsResultFrame
          if (frame.type !== 'result' || frame.id !== id) return
          ws.off('message', onMessage)
          resolve(frame)
        }
        ws.on('message', onMessage)
      })
      ws.send(JSON.stringify({ type: 'invoke', id, channel, args }))
      const frame = await answer
      return frame.ok ? { ok: true, value: frame.value } : { ok: false, error: frame.error }
    },
  ],
]

/** One bad call per channel (at least), and the exact message it must get. */
const BAD_CALLS: [RequestChannel, unknown[], string][] = [
  ['servers:snapshot', ['x'], 'servers:snapshot: the call takes no arguments, got 1'],
  ['servers:trust', [null], 'servers:trust: "serverId" must be a string, got null'],
  ['servers:rediscover', [true], 'servers:rediscover: the call takes no arguments, got 1'],
  ['servers:test', [42], 'servers:test: "url" must be a string, got 42'],
  [
    'conversations:setSystemPrompt',
    [null, 7],
    'conversations:setSystemPrompt: "systemPrompt" must be a string, got 7',
  ],
  [
    'routing:preview',
    [{ messages: 'hi' }],
    'routing:preview: "messages" must be an array, got "hi"',
  ],
  [
    'routing:preview',
    [{ messages: [{ role: 'robot', content: 'x' }] }],
    'routing:preview: "messages[0].role" must be "system", "user", "assistant" or "tool", got "robot"',
  ],
  ['routing:log', [{}], 'routing:log: the call takes no arguments, got 1'],
  ['chat:send', [null], 'chat:send: "request" must be an object, got null'],
  [
    'chat:send',
    [{ conversationId: 'c1', content: 'hi', editOf: 42 }],
    'chat:send: "editOf" must be a string, got 42',
  ],
  [
    'chat:send',
    [{ conversationId: null, content: null }],
    'chat:send: "content" must be a string, got null',
  ],
  [
    'chat:send',
    [{ conversationId: null, content: 'hi', mode: { kind: 'fastest' } }],
    'chat:send: "mode.kind" must be "auto", "server" or "model", got "fastest"',
  ],
  [
    'chat:send',
    [{ conversationId: null, content: 'hi', sneaky: 1 }],
    'chat:send: "request" has unknown key "sneaky"',
  ],
  ['chat:cancel', [], 'chat:cancel: the call takes 1 argument ("requestId"), got 0'],
  ['chat:cancel', [42], 'chat:cancel: "requestId" must be a string, got 42'],
  ['conversations:list', [null], 'conversations:list: the call takes no arguments, got 1'],
  ['conversations:get', [{}], 'conversations:get: "id" must be a string, got an object'],
  ['conversations:delete', [''], 'conversations:delete: "id" must not be empty'],
  [
    'conversations:rename',
    ['c1'],
    'conversations:rename: the call takes 2 arguments ("id", "title"), got 1',
  ],
  ['conversations:rename', ['c1', '   '], 'conversations:rename: "title" must not be empty'],
  ['conversations:search', [7], 'conversations:search: "query" must be a string, got 7'],
  [
    'conversations:undo-edit',
    [null],
    'conversations:undo-edit: "conversationId" must be a string, got null',
  ],
  ['mode:get', ['auto'], 'mode:get: the call takes no arguments, got 1'],
  ['mode:set', [null], 'mode:set: "mode" must be an object, got null'],
  ['mode:set', [{ kind: 'server' }], 'mode:set: "serverId" is missing (must be a string)'],
  ['config:get', [0], 'config:get: the call takes no arguments, got 1'],
  ['config:set', [null], 'config:set: "config" must be an object, got null'],
  ['storage:snapshot', [true], 'storage:snapshot: the call takes no arguments, got 1'],
]

describe('every request channel refuses a bad argument, naming it', () => {
  it('the table covers every channel of the contract', () => {
    expect([...new Set(BAD_CALLS.map(([c]) => c))].sort()).toEqual([...REQUEST_CHANNELS].sort())
  })

  describe.each(TRANSPORTS)('over %s', (_name, call) => {
    it.each(BAD_CALLS)('%s %j', async (channel, args, message) => {
      expect(await call(channel, args)).toEqual({
        ok: false,
        error: { name: 'ContractArgumentError', message },
      })
    })

    it('a good call still goes through', async () => {
      expect(await call('mode:get', [])).toEqual({ ok: true, value: { kind: 'auto' } })
    })
  })
})

/** The servers config.yaml names, as text, and that its comments are still there. */
function fileServers(): { text: string; parsed: AillmConfig['llm']['providers']['ollama'] } {
  const text = readFileSync(configPath, 'utf8')
  return { text, parsed: serve.core.config().llm.providers.ollama }
}

describe('config:set never replaces the user’s servers with defaults', () => {
  const complete = (): AillmConfig => structuredClone(serve.core.config())

  describe.each(TRANSPORTS)('over %s', (_name, call) => {
    it.each<[string, () => unknown, string]>([
      ['null', () => null, 'config:set: "config" must be an object, got null'],
      [
        'an empty object',
        () => ({}),
        'config:set: "llm" is missing (must be an object); "api" is missing (must be an object)',
      ],
      [
        'a partial object (only api)',
        () => ({ api: complete().api }),
        'config:set: "llm" is missing (must be an object)',
      ],
      [
        'a config without its servers',
        () => {
          const c = complete() as unknown as { llm: { providers: { ollama: object } } }
          const { additional_servers: _gone, ...ollama } = c.llm.providers.ollama as Record<
            string,
            unknown
          >
          c.llm.providers.ollama = ollama
          return c
        },
        'config:set: "llm.providers.ollama.additional_servers" is missing (must be an array)',
      ],
      [
        'servers set to null',
        () => {
          const c = complete() as unknown as { llm: { providers: { ollama: object } } }
          Object.assign(c.llm.providers.ollama, { additional_servers: null })
          return c
        },
        'config:set: "llm.providers.ollama.additional_servers" must be an array, got null',
      ],
    ])('refuses %s and leaves config.yaml as it was', async (_what, value, message) => {
      const before = readFileSync(configPath, 'utf8')
      const result = await call('config:set', [value()])
      // The file first: that is what the person would lose.
      const after = fileServers()
      expect(after.parsed.additional_servers.map((s) => s.name)).toEqual(['attic'])
      expect(after.parsed.base_url).toBe(sim.url)
      expect(after.text).toMatch(/name: attic +# the old box upstairs/)
      expect(after.text).toBe(before)
      expect(result).toEqual({ ok: false, error: { name: 'ContractArgumentError', message } })
    })

    it('a complete config is saved, keeping the servers and the comments', async () => {
      const next = complete()
      next.llm.providers.ollama.distributed_mode = !next.llm.providers.ollama.distributed_mode
      const result = await call('config:set', [next])
      expect(result).toMatchObject({ ok: true, value: { ok: true } })
      const after = fileServers()
      expect(after.text).toContain('# my fleet')
      expect(after.text).toContain(
        `distributed_mode: ${next.llm.providers.ollama.distributed_mode}`,
      )
      expect(after.parsed.additional_servers.map((s) => s.name)).toEqual(['attic'])
      expect(after.parsed.base_url).toBe(sim.url)
    })
  })
})

/** An API client's `auto` request (what a misleading 404 would hit after a bad mode). */
async function apiAuto(): Promise<{ status: number; model: string | undefined }> {
  const res = await fetch(`${serve.url}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'auto',
      stream: false,
      messages: [{ role: 'user', content: 'Hi' }],
    }),
  })
  return { status: res.status, model: ((await res.json()) as { model?: string }).model }
}

describe('mode:set refuses what does not exist', () => {
  // A test that failed must not leave its mode for the next.
  afterEach(() => serve.core.handlers['mode:set']({ kind: 'auto' }))

  it('after a refused model, API auto requests are still answered (no 404 for a model that never existed)', async () => {
    const [, call] = TRANSPORTS[1]!
    const refused = await call('mode:set', [
      { kind: 'model', model: 'llama9:404b', serverId: null },
    ])
    expect(await apiAuto()).toMatchObject({ status: 200 })
    expect(refused.ok).toBe(false)
  })

  describe.each(TRANSPORTS)('over %s', (_name, call) => {
    it.each<[string, unknown, string]>([
      [
        'an unknown model on any server',
        { kind: 'model', model: 'llama9:404b', serverId: null },
        'Unknown model "llama9:404b" for mode "model": no server has it (known models: gemma3:1b, qwen3:14b)',
      ],
      [
        'a model the named server does not have',
        { kind: 'model', model: 'gemma3:1b', serverId: 'attic' },
        'Unknown model "gemma3:1b" on server "attic" for mode "model": it has no models',
      ],
      [
        'a model on an unknown server',
        { kind: 'model', model: 'gemma3:1b', serverId: 'garage' },
        'Unknown server "garage" for mode "model" (servers: primary, attic)',
      ],
      [
        'an unknown server',
        { kind: 'server', serverId: 'garage' },
        'Unknown server "garage" for mode "server" (servers: primary, attic)',
      ],
    ])('%s', async (_what, mode, message) => {
      expect(await call('mode:set', [mode])).toEqual({
        ok: false,
        error: { name: 'UnknownRoutingTargetError', message },
      })
      expect(await call('mode:get', [])).toEqual({ ok: true, value: { kind: 'auto' } })
    })

    it('a model that exists is taken, and API auto requests are routed to it', async () => {
      const mode = { kind: 'model', model: 'qwen3:14b', serverId: 'primary' }
      expect(await call('mode:set', [mode])).toEqual({ ok: true, value: mode })
      expect(await apiAuto()).toEqual({ status: 200, model: 'qwen3:14b' })
    })
  })
})

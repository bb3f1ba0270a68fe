/**
 * Issue 13 point 5: nothing the person saw is lost on a full disk. The data dir sits on a real, small
 * tmpfs that the test fills; a long answer streams through the app core (chat:send, the simulator),
 * space comes back, and the whole answer is on disk for a fresh store. The person is told while it
 * lasts: `storage:snapshot` / `storage:changed` say "kept in memory" and then "saved" again, on both
 * transports (IPC's dispatcher, serve's WebSocket). Needs `mount` (root on Linux, as in CI); elsewhere
 * the tests are skipped with the reason printed.
 */
import { execFileSync } from 'node:child_process'
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { createAppCore } from '../../../electron/core/app-core'
import { ConversationStore } from '../../../electron/core/chat'
import { createMemoryLogger } from '../../../electron/core/logger'
import { createIpcDispatcher, forwardCoreEvents } from '../../../electron/main/ipc-dispatch'
import { startServe } from '../../../electron/serve/serve'
import { startSimServer, type SimServer } from '../../../tools/ollama-sim'
import type { ChatChunk, StorageState } from '../../../shared/types'
import { WS_PATH, type WsServerFrame } from '../../../shared/ws-protocol'

const mountPoint = mkdtempSync(join(tmpdir(), 'aillm-full-disk-'))

/** Mounts a 1 MB tmpfs on `mountPoint`; the reason when that is not possible here. */
function mountTmpfs(): string | null {
  if (process.platform !== 'linux') return `needs Linux tmpfs (this is ${process.platform})`
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountPoint], {
      stdio: 'pipe',
    })
    return null
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim()
    return `cannot mount a tmpfs (${stderr || (err as Error).message})`
  }
}

const skipReason = mountTmpfs()
if (skipReason !== null) console.log(`SKIP full-disk tests: ${skipReason}`)

afterAll(() => {
  if (skipReason === null) execFileSync('umount', [mountPoint], { stdio: 'pipe' })
  rmSync(mountPoint, { recursive: true, force: true })
})

const filler = join(mountPoint, 'filler')

/** Writes into the filler until the filesystem refuses (ENOSPC). */
function fillDisk(): void {
  const block = Buffer.alloc(4096, 1)
  for (;;) {
    try {
      appendFileSync(filler, block)
    } catch (err) {
      expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC')
      return
    }
  }
}

const freeDisk = () => rmSync(filler, { force: true })

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

let sim: SimServer | null = null
let dataDir = ''

afterEach(async () => {
  await sim?.stop()
  sim = null
  freeDisk()
  if (dataDir) rmSync(dataDir, { recursive: true, force: true })
})

/** The conversation as a fresh store reads it from disk (a restart), or null. */
async function fromDisk(id: string) {
  return new ConversationStore(join(dataDir, 'conversations')).get(id)
}

const saveErrors = (logger: ReturnType<typeof createMemoryLogger>) =>
  logger.records.filter((r) => r.message.startsWith('Cannot save conversations'))

describe.skipIf(skipReason !== null)('a full disk under the data dir', () => {
  it('a long answer streamed while the disk is full is all on disk once space returns', async () => {
    // ~2,500 words: far more text than one streaming save, over a few seconds of failed saves.
    sim = await startSimServer({
      name: 'solo',
      port: 0,
      models: ['gemma3:1b'],
      replyWords: 2500,
      fault: { kind: 'trickle', msPerChunk: 1 },
    })
    const dir = mkdtempSync(join(tmpdir(), 'aillm-full-disk-config-'))
    const configPath = join(dir, 'config.yaml')
    appendFileSync(
      configPath,
      `llm:\n  providers:\n    ollama:\n      base_url: ${sim.url}\n      mdns:\n        enabled: false\n`,
    )
    dataDir = join(mountPoint, 'data')
    mkdirSync(join(dataDir, 'conversations'), { recursive: true })
    const logger = createMemoryLogger('INFO')
    const core = await createAppCore({ configPath, dataDir, logger })
    await core.start()
    const chunks: ChatChunk[] = []
    core.on('chat:chunk', (c) => chunks.push(c))
    try {
      fillDisk()
      const { conversationId } = await core.handlers['chat:send']({
        conversationId: null,
        content: 'Tell me a long story',
      })
      await until(() => chunks.some((c) => c.kind === 'done' || c.kind === 'error'), 30_000, 'done')
      // The person saw the whole answer finish, not an error about the disk.
      expect(chunks.filter((c) => c.kind === 'error')).toEqual([])
      const streamed = chunks.flatMap((c) => (c.kind === 'token' ? [c.text] : [])).join('')
      expect(streamed.length).toBeGreaterThan(10_000)
      // Nothing of it could be written: not even the question is on disk.
      expect(await fromDisk(conversationId)).toBeNull()
      // One clear message for the outage, not one per chunk or per save.
      expect(saveErrors(logger)).toHaveLength(1)
      expect(saveErrors(logger)[0]?.message).toMatch(/ENOSPC|no space left/i)

      freeDisk()
      const file = join(dataDir, 'conversations', `${conversationId}.json`)
      await until(
        () => {
          try {
            return JSON.parse(readFileSync(file, 'utf8')).messages[1]?.interrupted === false
          } catch {
            return false
          }
        },
        15_000,
        'the retried write',
      )
      expect(logger.records.some((r) => r.message.startsWith('Conversations are saved in'))).toBe(
        true,
      )
      await core.stop()
      const stored = await fromDisk(conversationId)
      expect(stored?.messages.map((m) => [m.role, m.interrupted])).toEqual([
        ['user', false],
        ['assistant', false],
      ])
      expect(stored?.messages[0]?.content).toBe('Tell me a long story')
      expect(stored?.messages[1]?.content).toBe(streamed)
    } finally {
      await core.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)

  it('flush() before exit writes what the full disk kept in memory, once space is back', async () => {
    dataDir = join(mountPoint, 'data')
    const logger = createMemoryLogger('INFO')
    // Retries an hour apart: only flush() can be what writes it here.
    const store = new ConversationStore(join(dataDir, 'conversations'), {
      logger,
      retryMs: 3_600_000,
      streamSaveMs: 5,
    })
    const conversation = await store.create()
    fillDisk()
    await store.appendMessage(conversation.id, { role: 'user', content: 'Hi!' })
    const answer = await store.beginAssistantMessage(conversation.id)
    let text = ''
    for (let i = 0; i < 400; i++) {
      const piece = `word${i} `
      text += piece
      answer.append(piece)
      if (i % 50 === 0) await new Promise((r) => setTimeout(r, 10))
    }
    await answer.finish({ model: 'm' } as never)
    expect(store.diskState()).toMatchObject({ kind: 'unsaved', conversations: 1 })
    // Still full at exit: flush says what would be lost, and keeps it in memory.
    expect(await store.flush()).toBe(false)
    expect(logger.records.some((r) => /are only in memory and are lost/.test(r.message))).toBe(true)
    expect((await fromDisk(conversation.id))?.messages).toEqual([])

    freeDisk()
    expect(await store.flush()).toBe(true)
    store.dispose()
    expect(store.diskState()).toEqual({ kind: 'saved' })
    const stored = await fromDisk(conversation.id)
    expect(stored?.messages.map((m) => m.content)).toEqual(['Hi!', text])
    expect(stored?.messages[1]?.interrupted).toBe(false)
    expect(saveErrors(logger)).toHaveLength(1)
  })

  it('the person is told: storage:changed and the snapshot say "kept in memory", then "saved", on both transports', async () => {
    sim = await startSimServer({ name: 'solo', port: 0, models: ['gemma3:1b'], replyWords: 50 })
    const dir = mkdtempSync(join(tmpdir(), 'aillm-full-disk-config-'))
    const configPath = join(dir, 'config.yaml')
    appendFileSync(
      configPath,
      `llm:\n  providers:\n    ollama:\n      base_url: ${sim.url}\n      mdns:\n        enabled: false\n`,
    )
    dataDir = join(mountPoint, 'data')
    const logger = createMemoryLogger('INFO')
    const serve = await startServe({ configPath, dataDir, port: 0, logger, buildUi: false })
    // The two ways the chat UI hears the core: the WebSocket of serve, and Electron's IPC forwarding.
    const ws = new WebSocket(`${serve.url.replace('http', 'ws')}${WS_PATH}`)
    const overWs: StorageState[] = []
    ws.on('message', (raw: Buffer) => {
      const frame = JSON.parse(String(raw)) as WsServerFrame
      if (frame.type === 'event' && frame.channel === 'storage:changed') {
        overWs.push(frame.payload as StorageState)
      }
    })
    const overIpc: StorageState[] = []
    const stopIpc = forwardCoreEvents(serve.core.on, (channel, payload) => {
      if (channel === 'storage:changed') overIpc.push(structuredClone(payload) as StorageState)
    })
    const dispatch = createIpcDispatcher({ handlers: serve.core.handlers })
    const ipcSnapshot = async () =>
      dispatch(
        'storage:snapshot',
        { url: 'app://aillm/index.html', isMainFrame: true, fromOurWindow: true },
        [],
      )
    let lastId = 0
    const wsSnapshot = () =>
      new Promise<unknown>((resolve) => {
        const id = ++lastId
        const onMessage = (raw: Buffer) => {
          const frame = JSON.parse(String(raw)) as WsServerFrame
          if (frame.type !== 'result' || frame.id !== id) return
          ws.off('message', onMessage)
          resolve(frame.ok ? frame.value : frame.error)
        }
        ws.on('message', onMessage)
        ws.send(JSON.stringify({ type: 'invoke', id, channel: 'storage:snapshot', args: [] }))
      })
    try {
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
      expect(await wsSnapshot()).toEqual({ kind: 'saved' })
      expect(await ipcSnapshot()).toEqual({ ok: true, value: { kind: 'saved' } })

      const before = Date.now()
      fillDisk()
      await serve.core.handlers['chat:send']({ conversationId: null, content: 'Hello there' })
      await until(() => overWs.length > 0 && overIpc.length > 0, 10_000, 'the unsaved event')
      const unsaved = {
        kind: 'unsaved',
        conversations: 1,
        error: expect.stringMatching(/ENOSPC|no space left/i) as unknown as string,
        since: expect.any(Number) as unknown as number,
      }
      expect(overWs[0]).toEqual(unsaved)
      expect(overIpc[0]).toEqual(unsaved)
      expect((overWs[0] as { since: number }).since).toBeGreaterThanOrEqual(before)
      expect(await wsSnapshot()).toEqual(unsaved)
      expect(await ipcSnapshot()).toEqual({ ok: true, value: unsaved })
      // A second conversation while still full: the count follows, still one outage in the log.
      await serve.core.handlers['chat:send']({ conversationId: null, content: 'And again' })
      await until(
        () => overWs.some((s) => s.kind === 'unsaved' && s.conversations === 2),
        10_000,
        'the count of two',
      )
      expect(saveErrors(logger)).toHaveLength(1)

      freeDisk()
      // The retries (up to 5 s apart) find the space: both transports hear "saved" again.
      await until(
        () => overWs.at(-1)?.kind === 'saved' && overIpc.at(-1)?.kind === 'saved',
        15_000,
        'the saved event',
      )
      expect(await wsSnapshot()).toEqual({ kind: 'saved' })
      expect(await ipcSnapshot()).toEqual({ ok: true, value: { kind: 'saved' } })
      // Retries that failed again announced nothing: each change once (the count may step down as
      // the conversations are written one by one), never the same state twice in a row.
      const told = overWs.map((s) => (s.kind === 'saved' ? 'saved' : s.conversations))
      expect(told.slice(0, 2)).toEqual([1, 2])
      expect(told.at(-1)).toBe('saved')
      expect(told.filter((t, i) => t === told[i - 1])).toEqual([])
      expect(overIpc).toEqual(overWs)
    } finally {
      stopIpc()
      ws.close()
      await serve.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)
})

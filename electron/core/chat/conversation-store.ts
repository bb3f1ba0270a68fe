import { randomUUID } from 'node:crypto'
import { mkdir, open, readFile, readdir, rename, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import type {
  Conversation,
  ConversationMessage,
  ConversationSummary,
  ResponseMetadata,
} from '../../../shared/types'
import { Emitter } from '../emitter'
import type { Disposable } from '../emitter'
import type { Logger } from '../logger'

/** Title of a conversation before its first user message names it. */
export const DEFAULT_TITLE = 'New chat'

const TITLE_MAX = 60
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/
const FILE_SUFFIX = '.json'
const TEMP_SUFFIX = '.tmp'

/** A conversation id that could escape the store's folder or is not one of ours. */
export class InvalidConversationIdError extends Error {
  override readonly name = 'InvalidConversationIdError'
  constructor(readonly id: string) {
    super(
      `invalid conversation id ${JSON.stringify(id)}: use 1-128 letters, digits, '-' or '_' (no path separators)`,
    )
  }
}

/** The conversation (or the message in it) does not exist. */
export class ConversationNotFoundError extends Error {
  override readonly name = 'ConversationNotFoundError'
  constructor(
    readonly conversationId: string,
    readonly messageId: string | null = null,
  ) {
    super(
      messageId === null
        ? `conversation ${conversationId} not found`
        : `message ${messageId} not found in conversation ${conversationId}`,
    )
  }
}

/** A message to add; id and createdAt are filled in when absent. */
export interface NewConversationMessage {
  role: 'user' | 'assistant'
  content: string
  id?: string
  createdAt?: number
  metadata?: ResponseMetadata | null
  interrupted?: boolean
}

/** The fields of a stored message that may change after it was added. */
export type ConversationMessagePatch = Partial<
  Pick<ConversationMessage, 'content' | 'metadata' | 'interrupted' | 'thinking'>
>

/** Persists an answer while it streams: saved as interrupted until `finish`. */
export interface AssistantMessageWriter {
  readonly conversationId: string
  readonly messageId: string
  /** Adds text; saved at most once per throttle period. */
  append(text: string): void
  /** Adds reasoning (a thinking model's, before its answer); saved like text. */
  think(text: string): void
  /** The answer completed: saved with its metadata and `interrupted: false`. */
  finish(metadata: ResponseMetadata, content?: string): Promise<void>
  /** The answer stopped short (error, cancel): saved as it is, still marked interrupted. */
  interrupt(): Promise<void>
}

/** Options of the store. */
export interface ConversationStoreOptions {
  logger?: Logger
  now?: () => number
  /** Minimum time between two saves of a streaming answer; default 500 ms. */
  streamSaveMs?: number
}

/** First ~60 characters of a message, cut at a word, whitespace collapsed. */
export function titleFromMessage(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  if (flat === '') return DEFAULT_TITLE
  if (flat.length <= TITLE_MAX) return flat
  const cut = flat.slice(0, TITLE_MAX)
  const space = cut.lastIndexOf(' ')
  return `${(space > TITLE_MAX / 2 ? cut.slice(0, space) : cut).trimEnd()}…`
}

/** Throws InvalidConversationIdError unless `id` is safe to use as a file name in the store. */
export function assertConversationId(id: string): void {
  if (typeof id !== 'string' || !ID_PATTERN.test(id))
    throw new InvalidConversationIdError(String(id))
}

const messageSchema = z.object({
  id: z.string().min(1),
  role: z.enum(['user', 'assistant']),
  content: z.string(),
  createdAt: z.number(),
  // Metadata is our own output; only its presence is checked so older files stay readable.
  metadata: z.object({}).passthrough().nullable(),
  interrupted: z.boolean(),
  thinking: z
    .object({ text: z.string(), durationMs: z.number().nonnegative().nullable() })
    .optional(),
})

const conversationSchema = z.object({
  id: z.string().regex(ID_PATTERN),
  title: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
  messages: z.array(messageSchema),
})

/**
 * Conversations as one JSON file each in `dir`. Writes are crash-safe (temp file in the same folder,
 * fsync, rename), so a file is always either the old or the new version. The folder listing is the
 * index; this process owns the folder, so after the first load the in-memory copy is authoritative.
 */
export class ConversationStore {
  private readonly changes = new Emitter<ConversationSummary[]>()
  private readonly cache = new Map<string, Conversation>()
  private readonly writes = new Map<string, Promise<void>>()
  private loading: Promise<void> | null = null
  private tempCounter = 0
  private readonly now: () => number
  private readonly streamSaveMs: number

  /** Fires with the summaries after every change. */
  readonly onDidChange: (listener: (list: ConversationSummary[]) => void) => Disposable =
    this.changes.event

  constructor(
    readonly dir: string,
    private readonly opts: ConversationStoreOptions = {},
  ) {
    this.now = opts.now ?? Date.now
    this.streamSaveMs = opts.streamSaveMs ?? 500
  }

  /** Summaries, most recently updated first. */
  async list(): Promise<ConversationSummary[]> {
    await this.load()
    return this.summaries()
  }

  /** A copy of the conversation, or null when there is none with this id. */
  async get(id: string): Promise<Conversation | null> {
    assertConversationId(id)
    await this.load()
    const found = this.cache.get(id)
    return found ? structuredClone(found) : null
  }

  /** Creates an empty conversation; the title defaults until the first user message names it. */
  async create(title?: string): Promise<Conversation> {
    await this.load()
    const at = this.now()
    const conversation: Conversation = {
      id: randomUUID(),
      title: title?.trim() ? titleFromMessage(title) : DEFAULT_TITLE,
      createdAt: at,
      updatedAt: at,
      messages: [],
    }
    this.cache.set(conversation.id, conversation)
    await this.persist(conversation.id)
    return structuredClone(conversation)
  }

  /** Stores the whole conversation as given (insert or replace). */
  async upsert(conversation: Conversation): Promise<void> {
    assertConversationId(conversation.id)
    const parsed = conversationSchema.safeParse(conversation)
    if (!parsed.success) {
      throw new Error(`conversation ${conversation.id} is not valid: ${parsed.error.message}`)
    }
    await this.load()
    this.cache.set(conversation.id, structuredClone(conversation))
    await this.persist(conversation.id)
  }

  /** Adds a message; the first user message of an untitled conversation becomes its title. */
  async appendMessage(
    conversationId: string,
    message: NewConversationMessage,
  ): Promise<ConversationMessage> {
    const conversation = await this.mustGet(conversationId)
    const stored: ConversationMessage = {
      id: message.id ?? randomUUID(),
      role: message.role,
      content: message.content,
      createdAt: message.createdAt ?? this.now(),
      metadata: message.metadata ?? null,
      interrupted: message.interrupted ?? false,
    }
    const firstUser = !conversation.messages.some((m) => m.role === 'user')
    if (stored.role === 'user' && firstUser && conversation.title === DEFAULT_TITLE) {
      conversation.title = titleFromMessage(stored.content)
    }
    conversation.messages.push(stored)
    conversation.updatedAt = this.now()
    await this.persist(conversationId)
    return structuredClone(stored)
  }

  /** Changes content, metadata or the interrupted flag of one message. */
  async updateMessage(
    conversationId: string,
    messageId: string,
    patch: ConversationMessagePatch,
  ): Promise<ConversationMessage> {
    const conversation = await this.mustGet(conversationId)
    const message = conversation.messages.find((m) => m.id === messageId)
    if (!message) throw new ConversationNotFoundError(conversationId, messageId)
    if (patch.content !== undefined) message.content = patch.content
    if (patch.metadata !== undefined) message.metadata = patch.metadata
    if (patch.interrupted !== undefined) message.interrupted = patch.interrupted
    if (patch.thinking !== undefined) message.thinking = patch.thinking
    conversation.updatedAt = this.now()
    await this.persist(conversationId)
    return structuredClone(message)
  }

  /** Removes the conversation and its file; false when there was none. */
  async delete(id: string): Promise<boolean> {
    assertConversationId(id)
    await this.load()
    const existed = this.cache.delete(id)
    if (existed) await this.persist(id)
    return existed
  }

  /**
   * Starts an assistant answer: saved at once as interrupted, re-saved as text arrives (throttled),
   * so a crash mid-answer leaves the text so far, marked interrupted.
   */
  async beginAssistantMessage(conversationId: string): Promise<AssistantMessageWriter> {
    const message = await this.appendMessage(conversationId, {
      role: 'assistant',
      content: '',
      interrupted: true,
    })
    let content = ''
    let thinking = ''
    let thinkingStarted: number | null = null
    let thinkingMs: number | null = null
    let timer: NodeJS.Timeout | null = null
    let closed = false
    /** Thinking ends at the first answer token, or with the answer. */
    const endThinking = (): void => {
      if (thinkingStarted !== null && thinkingMs === null) thinkingMs = this.now() - thinkingStarted
    }
    const thought = (): Pick<ConversationMessagePatch, 'thinking'> =>
      thinkingStarted === null ? {} : { thinking: { text: thinking, durationMs: thinkingMs } }
    const save = (patch: ConversationMessagePatch): Promise<void> =>
      this.updateMessage(conversationId, message.id, patch).then(
        () => undefined,
        (err: unknown) => {
          // The conversation may have been deleted while the answer streamed: nothing to save then.
          if (!(err instanceof ConversationNotFoundError)) throw err
        },
      )
    const stopTimer = (): void => {
      if (timer) clearTimeout(timer)
      timer = null
    }
    const saveSoon = (): void => {
      if (timer) return
      timer = setTimeout(() => {
        timer = null
        save({ content, ...thought() }).catch((err: unknown) =>
          this.opts.logger?.warn(`Could not save the streaming answer: ${String(err)}`),
        )
      }, this.streamSaveMs)
    }
    return {
      conversationId,
      messageId: message.id,
      append: (text) => {
        if (closed) return
        content += text
        endThinking()
        saveSoon()
      },
      think: (text) => {
        if (closed || text === '') return
        thinkingStarted ??= this.now()
        thinking += text
        saveSoon()
      },
      finish: (metadata, finalContent) => {
        closed = true
        stopTimer()
        endThinking()
        return save({
          content: finalContent ?? content,
          metadata,
          interrupted: false,
          ...thought(),
        })
      },
      interrupt: () => {
        closed = true
        stopTimer()
        endThinking()
        return save({ content, interrupted: true, ...thought() })
      },
    }
  }

  /** Resolves once every write started so far is on disk. */
  async flush(): Promise<void> {
    await Promise.all([...this.writes.values()])
  }

  private summaries(): ConversationSummary[] {
    return [...this.cache.values()]
      .sort(
        (a, b) => b.updatedAt - a.updatedAt || b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1),
      )
      .map((c) => ({
        id: c.id,
        title: c.title,
        updatedAt: c.updatedAt,
        messageCount: c.messages.length,
      }))
  }

  private async mustGet(id: string): Promise<Conversation> {
    assertConversationId(id)
    await this.load()
    const conversation = this.cache.get(id)
    if (!conversation) throw new ConversationNotFoundError(id)
    return conversation
  }

  private load(): Promise<void> {
    this.loading ??= this.readAll()
    return this.loading
  }

  private async readAll(): Promise<void> {
    await mkdir(this.dir, { recursive: true })
    for (const name of await readdir(this.dir)) {
      if (name.endsWith(TEMP_SUFFIX)) {
        // Left by a crash mid-write (before its rename): the real file still has the last good version.
        await unlink(join(this.dir, name)).catch(() => undefined)
        continue
      }
      if (!name.endsWith(FILE_SUFFIX)) continue
      const id = name.slice(0, -FILE_SUFFIX.length)
      if (!ID_PATTERN.test(id)) continue
      const conversation = await this.readOne(name)
      if (conversation && conversation.id === id) this.cache.set(id, conversation)
      else if (conversation) await this.setAside(name, `its id is ${conversation.id}`)
    }
  }

  private async readOne(name: string): Promise<Conversation | null> {
    const path = join(this.dir, name)
    let value: unknown
    try {
      value = JSON.parse(await readFile(path, 'utf8'))
    } catch (err) {
      await this.setAside(name, err instanceof Error ? err.message : String(err))
      return null
    }
    const parsed = conversationSchema.safeParse(value)
    if (!parsed.success) {
      await this.setAside(name, parsed.error.issues[0]?.message ?? 'invalid shape')
      return null
    }
    return parsed.data as Conversation
  }

  /** Renames a broken file to `*.corrupt` so it is kept for the user but never read again. */
  private async setAside(name: string, why: string): Promise<void> {
    const from = join(this.dir, name)
    const to = join(this.dir, `${name}.${this.now()}.corrupt`)
    this.opts.logger?.warn(`Skipping corrupt conversation file ${from} (${why}); moved to ${to}`)
    await rename(from, to).catch((err: unknown) =>
      this.opts.logger?.warn(`Could not move ${from} aside: ${String(err)}`),
    )
  }

  /** Queues a write of the conversation's current state (or its removal) behind earlier ones. */
  private persist(id: string): Promise<void> {
    const previous = this.writes.get(id) ?? Promise.resolve()
    const next = previous.catch(() => undefined).then(() => this.writeNow(id))
    this.writes.set(id, next)
    void next
      .finally(() => {
        if (this.writes.get(id) === next) this.writes.delete(id)
      })
      .catch(() => undefined)
    return next.then(() => this.changes.fire(this.summaries()))
  }

  private async writeNow(id: string): Promise<void> {
    const path = join(this.dir, `${id}${FILE_SUFFIX}`)
    const conversation = this.cache.get(id)
    if (!conversation) {
      await unlink(path).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err
      })
      return
    }
    const temp = join(this.dir, `.${id}.${process.pid}.${++this.tempCounter}${TEMP_SUFFIX}`)
    const handle = await open(temp, 'w')
    try {
      await handle.writeFile(`${JSON.stringify(conversation, null, 2)}\n`, 'utf8')
      await handle.sync()
    } catch (err) {
      await handle.close()
      await unlink(temp).catch(() => undefined)
      throw err
    }
    await handle.close()
    await rename(temp, path)
    await this.syncDir()
  }

  /** Makes the rename itself durable; not possible on every platform (Windows), hence best effort. */
  private async syncDir(): Promise<void> {
    try {
      const dirHandle = await open(this.dir, 'r')
      try {
        await dirHandle.sync()
      } finally {
        await dirHandle.close()
      }
    } catch {
      // Best effort only.
    }
  }
}

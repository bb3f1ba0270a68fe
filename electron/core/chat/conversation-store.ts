import { randomUUID } from 'node:crypto'
import { readFile, readdir, rename, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import type {
  Conversation,
  ConversationMessage,
  ConversationSearchHit,
  ConversationSummary,
  ResponseMetadata,
  StorageState,
} from '../../../shared/types'
import { Emitter } from '../emitter'
import type { Disposable } from '../emitter'
import type { Logger } from '../logger'
import { ensurePrivateDir, tightenFile } from '../private-files'
import { withNewVersion } from './answer-versions'
import { FILE_SUFFIX, TEMP_SUFFIX, writeConversationFile } from './conversation-files'
import { createAssistantWriter, type AssistantMessageWriter } from './assistant-writer'
import {
  ConversationNotFoundError,
  ID_PATTERN,
  assertConversationId,
  conversationSchema,
} from './conversation-schema'
import {
  DEFAULT_TITLE,
  collapseWhitespace,
  foldForSearch,
  snippetAround,
  titleFromMessage,
} from './conversation-text'

export {
  ConversationNotFoundError,
  InvalidConversationIdError,
  assertConversationId,
} from './conversation-schema'
export { DEFAULT_TITLE, snippetAround, titleFromMessage } from './conversation-text'

/** A message to add; id and createdAt are filled in when absent. */
export interface NewConversationMessage {
  role: 'user' | 'assistant'
  content: string
  id?: string
  createdAt?: number
  metadata?: ResponseMetadata | null
  interrupted?: boolean
  /** Images of a user message (base64). */
  images?: string[]
}

/** The fields of a stored message that may change after it was added. */
export type ConversationMessagePatch = Partial<
  Pick<ConversationMessage, 'content' | 'metadata' | 'interrupted' | 'stopped' | 'thinking'>
>

export type { AssistantMessageWriter } from './assistant-writer'

/** Options of the store. */
export interface ConversationStoreOptions {
  logger?: Logger
  now?: () => number
  /** Minimum time between two saves of a streaming answer; default 500 ms. */
  streamSaveMs?: number
  /** First wait before a failed write is tried again (doubling up to {@link MAX_RETRY_MS}); default 250 ms. */
  retryMs?: number
}

/** The longest wait between two tries of a write that failed (a full disk): space is noticed within it. */
export const MAX_RETRY_MS = 5000

/** Whether every change is on disk, or some are kept in memory until a write succeeds (a full disk). */
export type StoreDiskState = StorageState

function summaryOf(c: Conversation): ConversationSummary {
  return { id: c.id, title: c.title, updatedAt: c.updatedAt, messageCount: c.messages.length }
}

/**
 * Conversations as one JSON file each in `dir` (owner-only: the folder 0700, the files 0600). Writes
 * are crash-safe (temp file in the same folder, fsync, rename), so a file is always either the old or
 * the new version. The folder listing is the index; this process owns the folder, so after the first
 * load the in-memory copy is authoritative — which is also why a failed write (a full disk) loses
 * nothing: the change stays in memory, is written again with backoff until the disk takes it, and
 * once more by {@link flush} before exit; one message says so while it lasts, one when it is over.
 */
export class ConversationStore {
  private readonly changes = new Emitter<ConversationSummary[]>()
  private readonly diskChanges = new Emitter<StoreDiskState>()
  /** The disk state last announced, so a retry that fails again announces nothing. */
  private announcedDisk = 'saved'
  private readonly cache = new Map<string, Conversation>()
  private readonly writes = new Map<string, Promise<void>>()
  private loading: Promise<void> | null = null
  private tempCounter = 0
  private readonly now: () => number
  private readonly streamSaveMs: number
  private readonly retryMs: number
  /** Conversations whose latest state is only in memory: their last write failed. */
  private readonly unsaved = new Set<string>()
  /** Since when writes fail, and the first failure, while any conversation is unsaved. */
  private outage: { since: number; error: string } | null = null
  private retryTimer: NodeJS.Timeout | null = null
  private retryDelay: number
  private disposed = false

  /** Fires with the summaries after every change. */
  readonly onDidChange: (listener: (list: ConversationSummary[]) => void) => Disposable =
    this.changes.event

  /**
   * Fires with {@link diskState} when it changes: writes start or stop failing, or the number of
   * conversations kept in memory changes (not on every failed retry).
   */
  readonly onDidChangeDisk: (listener: (state: StoreDiskState) => void) => Disposable =
    this.diskChanges.event

  constructor(
    readonly dir: string,
    private readonly opts: ConversationStoreOptions = {},
  ) {
    this.now = opts.now ?? Date.now
    this.streamSaveMs = opts.streamSaveMs ?? 500
    this.retryMs = opts.retryMs ?? 250
    this.retryDelay = this.retryMs
  }

  /** Whether everything is on disk, or what is kept in memory because writes fail. */
  diskState(): StoreDiskState {
    return this.outage === null
      ? { kind: 'saved' }
      : { kind: 'unsaved', ...this.outage, conversations: this.unsaved.size }
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
      ...(message.images && message.images.length > 0 ? { images: [...message.images] } : {}),
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
    if (patch.stopped !== undefined) message.stopped = patch.stopped
    if (patch.thinking !== undefined) message.thinking = patch.thinking
    conversation.updatedAt = this.now()
    await this.persist(conversationId)
    return structuredClone(message)
  }

  /** Keeps the answer's current text as an earlier version and empties it for a new one. */
  private async startNewVersion(
    conversationId: string,
    messageId: string,
  ): Promise<ConversationMessage> {
    const conversation = await this.mustGet(conversationId)
    const at = conversation.messages.findIndex((m) => m.id === messageId)
    const message = conversation.messages[at]
    if (!message || message.role !== 'assistant') {
      throw new ConversationNotFoundError(conversationId, messageId)
    }
    const next = withNewVersion(message, this.now())
    conversation.messages[at] = next
    conversation.updatedAt = this.now()
    await this.persist(conversationId)
    return structuredClone(next)
  }

  /**
   * Gives the conversation a title of the person's choosing (whitespace folded, cut at 60 characters).
   * The order of the list is by activity, so a rename does not move it to the top.
   */
  async rename(id: string, title: string): Promise<ConversationSummary> {
    const conversation = await this.mustGet(id)
    // titleFromMessage collapses the whitespace; only an empty title must be refused first.
    if (collapseWhitespace(title) === '') {
      throw new Error('A conversation needs a title; it cannot be empty.')
    }
    conversation.title = titleFromMessage(title)
    await this.persist(id)
    return summaryOf(conversation)
  }

  /**
   * Sets the conversation's system prompt (trimmed); null or blank clears it. Not activity: the list's
   * order stays.
   */
  async setSystemPrompt(id: string, systemPrompt: string | null): Promise<Conversation> {
    const conversation = await this.mustGet(id)
    const text = systemPrompt?.trim() ?? ''
    if (text === '') delete conversation.systemPrompt
    else conversation.systemPrompt = text
    await this.persist(id)
    return structuredClone(conversation)
  }

  /**
   * Conversations whose title or any message contains `query` (case- and whitespace-insensitive), in
   * the list's order, each with the start of the first matching message's text around the match.
   */
  async search(query: string): Promise<ConversationSearchHit[]> {
    await this.load()
    const needle = foldForSearch(query)
    if (needle === '') return []
    const hits: ConversationSearchHit[] = []
    for (const summary of this.summaries()) {
      const conversation = this.cache.get(summary.id)
      if (!conversation) continue
      const inTitle = foldForSearch(conversation.title).includes(needle)
      const message = conversation.messages.find((m) => foldForSearch(m.content).includes(needle))
      if (!inTitle && !message) continue
      hits.push({
        ...summary,
        snippet: message ? snippetAround(message.content, needle) : null,
      })
    }
    return hits
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
   * so a crash mid-answer leaves the text so far, marked interrupted. With `newVersionOf` (a
   * regenerate) the answer is a new version of that stored answer, whose current text is kept as
   * an earlier version.
   */
  async beginAssistantMessage(
    conversationId: string,
    opts: { newVersionOf?: string } = {},
  ): Promise<AssistantMessageWriter> {
    const message =
      opts.newVersionOf === undefined
        ? await this.appendMessage(conversationId, {
            role: 'assistant',
            content: '',
            interrupted: true,
          })
        : await this.startNewVersion(conversationId, opts.newVersionOf)
    return createAssistantWriter({
      conversationId,
      messageId: message.id,
      now: this.now,
      streamSaveMs: this.streamSaveMs,
      ...(this.opts.logger ? { logger: this.opts.logger } : {}),
      save: (patch) =>
        this.updateMessage(conversationId, message.id, patch).then(
          () => undefined,
          (err: unknown) => {
            // The conversation may have been deleted while the answer streamed: nothing to save then.
            if (!(err instanceof ConversationNotFoundError)) throw err
          },
        ),
    })
  }

  /**
   * Waits for the writes in flight, then tries once more whatever is only in memory (shutdown, app
   * quit). True when everything is on disk; otherwise says, once, what is lost if the process exits.
   */
  async flush(): Promise<boolean> {
    await Promise.all([...this.writes.values()])
    if (this.unsaved.size > 0) await Promise.all([...this.unsaved].map((id) => this.persist(id)))
    if (this.outage === null) return true
    this.opts.logger?.error(
      `Could not save ${this.unsaved.size} conversation(s) in ${this.dir} (${this.outage.error}): ` +
        `their changes since ${new Date(this.outage.since).toISOString()} are only in memory and are ` +
        'lost if AILLM exits now',
    )
    return false
  }

  /** Stops retrying failed writes (after {@link flush}, when the store is no longer used). */
  dispose(): void {
    this.disposed = true
    if (this.retryTimer !== null) clearTimeout(this.retryTimer)
    this.retryTimer = null
  }

  private summaries(): ConversationSummary[] {
    return [...this.cache.values()]
      .sort(
        (a, b) => b.updatedAt - a.updatedAt || b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1),
      )
      .map(summaryOf)
  }

  private async mustGet(id: string): Promise<Conversation> {
    assertConversationId(id)
    await this.load()
    const conversation = this.cache.get(id)
    if (!conversation) throw new ConversationNotFoundError(id)
    return conversation
  }

  private load(): Promise<void> {
    // A failed first load (the folder could not be made: a full disk) is tried again next time.
    this.loading ??= this.readAll().catch((err: unknown) => {
      this.loading = null
      throw err
    })
    return this.loading
  }

  private async readAll(): Promise<void> {
    await ensurePrivateDir(this.dir)
    for (const name of await readdir(this.dir)) {
      // Files an older version wrote 0644 become 0600 now, not only at their next save (which an old
      // conversation may never have); set-aside `*.corrupt` copies hold the same words.
      await tightenFile(join(this.dir, name))
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

  /**
   * Queues a write of the conversation's current state (or its removal) behind earlier ones. Never
   * rejects for a failed write: the state stays in memory and is retried (see the class comment).
   */
  private persist(id: string): Promise<void> {
    const previous = this.writes.get(id) ?? Promise.resolve()
    const next = previous
      .then(() => this.writeNow(id))
      .then(
        () => this.written(id),
        (err: unknown) => this.writeFailed(id, err),
      )
    this.writes.set(id, next)
    void next.finally(() => {
      if (this.writes.get(id) === next) this.writes.delete(id)
    })
    return next.then(() => this.changes.fire(this.summaries()))
  }

  private written(id: string): void {
    if (!this.unsaved.delete(id) || this.outage === null) return
    if (this.unsaved.size > 0) {
      // The disk takes writes again: try the others now rather than at the next backoff step.
      this.retrySoon(0)
      this.announceDisk()
      return
    }
    const since = new Date(this.outage.since).toISOString()
    this.opts.logger?.info(
      `Conversations are saved in ${this.dir} again (writes had failed since ${since}: ${this.outage.error})`,
    )
    this.outage = null
    this.retryDelay = this.retryMs
    if (this.retryTimer !== null) clearTimeout(this.retryTimer)
    this.retryTimer = null
    this.announceDisk()
  }

  private announceDisk(): void {
    const state = this.diskState()
    const key = state.kind === 'saved' ? 'saved' : `unsaved:${state.conversations}`
    if (key === this.announcedDisk) return
    this.announcedDisk = key
    this.diskChanges.fire(state)
  }

  private writeFailed(id: string, err: unknown): void {
    this.unsaved.add(id)
    if (this.outage === null) {
      const error = err instanceof Error ? err.message : String(err)
      this.outage = { since: this.now(), error }
      // One message for the whole outage, not one per streamed chunk or conversation.
      this.opts.logger?.error(
        `Cannot save conversations in ${this.dir}: ${error}. Nothing is lost yet: what was said is ` +
          'kept in memory and written as soon as the disk takes it again (and before exit)',
      )
    }
    this.retrySoon(this.retryDelay)
    this.retryDelay = Math.min(this.retryDelay * 2, MAX_RETRY_MS)
    this.announceDisk()
  }

  private retrySoon(delay: number): void {
    if (this.disposed) return
    if (this.retryTimer !== null) {
      if (delay > 0) return
      clearTimeout(this.retryTimer)
    }
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null
      for (const id of [...this.unsaved]) void this.persist(id)
    }, delay)
    // Pending retries must not keep a process alive that is otherwise done; flush() covers the exit.
    this.retryTimer.unref()
  }

  private async writeNow(id: string): Promise<void> {
    const temp = `.${id}.${process.pid}.${++this.tempCounter}${TEMP_SUFFIX}`
    await writeConversationFile(this.dir, id, this.cache.get(id), temp)
  }
}

/**
 * The composition root: builds the core's services and implements the contract's handlers once, for both
 * transports (Electron IPC and the WebSocket of `serve`) and for the local HTTP API.
 */
import { join } from 'node:path'
import type {
  ContractHandlers,
  EventChannel,
  EventChannels,
  EventPayload,
} from '../../shared/contract'
import type {
  AillmConfig,
  ChatMessage,
  ChatSendRequest,
  RoutingDecision,
  RoutingMode,
  RoutingTarget,
  ServerView,
  StorageState,
  Tier,
} from '../../shared/types'
import { serializeError } from '../../shared/types'
import { Emitter, type Disposable } from './emitter'
import { createLogger, type Logger } from './logger'
import { ConfigService } from './config'
import type { Discoverer } from './discovery/discoverer'
import { StaticConfigDiscoverer } from './discovery/static-config-discoverer'
import { ServerRegistry } from './discovery/server-registry'
import { describeFailure, isUnreachable } from './discovery/probe-error'
import { MdnsServices } from './discovery/mdns/mdns-services'
import { CircuitBreaker } from './routing/circuit-breaker'
import { testConnection } from './discovery/connection-test'
import { turnOf } from './chat/conversation-history'
import { specialistLoadEstimates } from './routing/load-estimates'
import { decide, renderDecisionLog } from './routing/router'
import { RoutingLog } from './routing/routing-log'
import { validateMode } from './routing/routing-mode'
import { SchedulerModel } from './scheduler/scheduler-model'
import {
  BackgroundLoads,
  ChatAttemptError,
  ChatExecutor,
  ConversationStore,
  HARD_FAILURES,
  MessageEdits,
  outcomeOfAnswer,
  outcomeOfError,
  stoppedAnswerMetadata,
  type AssistantMessageWriter,
  type ChatRunOptions,
  type ChatRunResult,
  type ExecutionFeedback,
} from './chat'

export interface AppCoreOptions {
  configPath: string
  /** Where conversations are stored. */
  dataDir: string
  /** Log file; null = stdout only. */
  logFile?: string | null
  logger?: Logger
  /** Extra discoverers (tests); the static-config and mDNS discoverers are always there. */
  discoverers?: Discoverer[]
  /** Advertise this machine's Ollama over mDNS even when config `advertise` is false (`serve --advertise`). */
  advertise?: boolean
  env?: NodeJS.ProcessEnv
  /** Where the local API will listen when that is not `api.host` (`serve --host`). */
  apiHost?: string
}

/** A routing request, from the chat UI or the local API. */
export interface RouteRequest {
  messages: ChatMessage[]
  /** Overrides the global mode (the chat's model picker). */
  mode?: RoutingMode | undefined
  /** As asked by an API client: `auto`, `auto:fast`, a real tag; null = the chat UI's Auto. */
  requestedModel?: string | null
  minTier?: Tier | undefined
  /** The request carries tools (API clients): only models that support them. */
  needsTools?: boolean
  /** The request asks for thinking (`think`): only models that can. */
  needsThinking?: boolean
  /** The request fills in the middle (/api/generate `suffix`): only models with `insert`, as a code task. */
  needsInsert?: boolean
  /** The request's `options.num_ctx` (API clients): a runner loaded with another one counts as cold. */
  numCtx?: number | undefined
}

/** Options for running a decision (the executor's). */
export type ExecuteOptions = ChatRunOptions

/** A finished answer (the executor's). */
export type ChatResult = ChatRunResult

/** The running core. */
export interface AppCore {
  /** The one implementation of the contract. */
  readonly handlers: ContractHandlers
  on<C extends EventChannel>(channel: C, listener: (payload: EventPayload<C>) => void): Disposable
  readonly logger: Logger
  config(): AillmConfig
  servers(): ServerView[]
  /** What AILLM knows of each server as a scheduler (load speed, prompt rates, our queue). */
  readonly scheduler: Pick<SchedulerModel, 'snapshot' | 'onDidChange'>
  /** Model loads that go on in the background (answered elsewhere meanwhile). */
  readonly backgroundLoads: Pick<BackgroundLoads, 'snapshot' | 'onDidChange'>
  /** Whether the conversations are on disk or kept in memory because writes fail (a full disk). */
  readonly storage: {
    snapshot(): StorageState
    onDidChange(listener: (state: StorageState) => void): Disposable
  }
  /** Decide without running (also logs and publishes the decision). */
  route(req: RouteRequest): RoutingDecision
  /** Run a decision with failover. */
  execute(
    decision: RoutingDecision,
    messages: ChatMessage[],
    opts?: ExecuteOptions,
  ): Promise<ChatResult>
  start(): Promise<void>
  stop(): Promise<void>
}

type EventEmitters = { [C in EventChannel]: Emitter<Parameters<EventChannels[C]>[0]> }

/** Builds the core. Call `start()` to discover servers. */
export async function createAppCore(opts: AppCoreOptions): Promise<AppCore> {
  const logger = opts.logger ?? createLogger({ file: opts.logFile ?? null })
  const events: EventEmitters = {
    'servers:changed': new Emitter(),
    'routing:decision': new Emitter(),
    'chat:chunk': new Emitter(),
    'conversations:changed': new Emitter(),
    'mode:changed': new Emitter(),
    'config:changed': new Emitter(),
    'storage:changed': new Emitter(),
  }
  const configService = new ConfigService({
    path: opts.configPath,
    logger,
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.apiHost !== undefined ? { apiHost: opts.apiHost } : {}),
  })
  const currentConfig = (): AillmConfig => configService.config
  const ollamaConfig = () => currentConfig().llm.providers.ollama

  const breaker = new CircuitBreaker()
  // mDNS opens no socket until the config needs it (a *.local URL, auto_discover or advertise).
  const mdns = new MdnsServices({
    logger,
    config: ollamaConfig,
    dataDir: opts.dataDir,
    ...(opts.advertise ? { advertise: true } : {}),
  })
  const registry = new ServerRegistry({
    discoverers: [
      new StaticConfigDiscoverer(ollamaConfig),
      mdns.discoverer,
      ...(opts.discoverers ?? []),
    ],
    logger,
    config: currentConfig,
    breaker,
    resolver: mdns.resolver,
  })
  const feedback: ExecutionFeedback = {
    requestStarted: (id) => registry.requestStarted(id),
    requestEnded: (id) => registry.requestEnded(id),
    recordSuccess: (id, model, tps) => {
      breaker.recordSuccess(id)
      registry.recordSuccess(id, model, tps)
    },
    recordFailure: (id, err) => {
      // Unreachable (refused, connect timeout, DNS) or frozen (no answer to a status check) opens the
      // breaker at once; HTTP errors and timeouts after several (each also re-probes the server).
      const hard =
        (err instanceof ChatAttemptError && HARD_FAILURES.has(err.reason)) ||
        isUnreachable(describeFailure(err).kind)
      breaker.recordFailure(id, { hard })
      registry.recordFailure(id, err)
    },
    isOffline: (id) => registry.snapshot().find((s) => s.id === id)?.health.kind === 'offline',
    mayTry: (id) => breaker.allow(id),
  }
  const scheduler = new SchedulerModel()
  const modelOf = (t: RoutingTarget) =>
    registry
      .snapshot()
      .find((s) => s.id === t.serverId)
      ?.models.find((m) => m.name === t.model)
  const backgroundLoads = new BackgroundLoads({
    load: (target, signal) => executor.loadModel(target, signal),
    sizeOf: (target) => modelOf(target)?.sizeBytes ?? 0,
    scheduler,
    logger,
  })
  const executor: ChatExecutor = new ChatExecutor({
    feedback,
    timeouts: () => ollamaConfig().timeouts,
    logger,
    scheduler,
    describe: (target) => {
      const m = modelOf(target)
      return m
        ? { sizeBytes: m.sizeBytes, loadedContextLength: m.loadedContextLength ?? null }
        : null
    },
    backgroundLoads: {
      start: (target) => ollamaConfig().background_loads && backgroundLoads.start(target),
      adopt: (target, done, abort) =>
        ollamaConfig().background_loads && backgroundLoads.adopt(target, done, abort),
    },
  })
  const store = new ConversationStore(join(opts.dataDir, 'conversations'), { logger })

  let mode: RoutingMode = { kind: 'auto' }
  const routingLog = new RoutingLog()
  const running = new Map<string, AbortController>()
  const edits = new MessageEdits(store)
  /** Chat turns in progress, so `stop()` can let them save what they streamed. */
  const turns = new Set<Promise<void>>()
  const disposables: Disposable[] = []

  // A server that comes back from offline proved it accepts connections again, which is what opened its
  // breaker (offline means refused, connect timeout or DNS): close the breaker instead of waiting it out.
  const lastHealth = new Map<string, ServerView['health']['kind']>()
  disposables.push(
    registry.onDidChange((servers) => {
      for (const s of servers) {
        if (lastHealth.get(s.id) === 'offline' && s.health.kind === 'online') {
          breaker.recordSuccess(s.id)
        }
        lastHealth.set(s.id, s.health.kind)
      }
      events['servers:changed'].fire(servers)
    }),
  )
  disposables.push(store.onDidChange((list) => events['conversations:changed'].fire(list)))
  const storage: AppCore['storage'] = {
    snapshot: () => store.diskState(),
    onDidChange: store.onDidChangeDisk,
  }
  // A full disk is told to the person (the chat's notice), not only in the log.
  disposables.push(storage.onDidChange((state) => events['storage:changed'].fire(state)))
  disposables.push(
    configService.onDidChange((view) => {
      events['config:changed'].fire(view)
      if (view.issues.length === 0) {
        mdns.configChanged()
        void registry.refresh()
      }
    }),
  )
  // A box appeared on or left the LAN: re-discover now rather than at the next health tick.
  disposables.push(mdns.onDidChange(() => void registry.refresh()))
  disposables.push(routingLog.onDidChange((decision) => events['routing:decision'].fire(decision)))

  const route = (req: RouteRequest): RoutingDecision => {
    const decision = decide({
      messages: req.messages,
      servers: registry.snapshot(),
      config: ollamaConfig(),
      mode: req.mode ?? mode,
      requestedModel: req.requestedModel ?? null,
      ...(req.minTier ? { minTier: req.minTier } : {}),
      ...(req.needsTools ? { needsTools: true } : {}),
      ...(req.needsThinking ? { needsThinking: true } : {}),
      ...(req.needsInsert ? { needsInsert: true } : {}),
      ...(req.numCtx !== undefined ? { numCtx: req.numCtx } : {}),
    })
    decision.loadEstimates = specialistLoadEstimates(registry.snapshot(), scheduler)
    if (decision.chosen) logger.info(renderDecisionLog(decision))
    else logger.warn(`Routing rejected: ${decision.reasons.join(', ')}`)
    routingLog.record(decision)
    return decision
  }

  const execute = async (
    decision: RoutingDecision,
    messages: ChatMessage[],
    o: ExecuteOptions = {},
  ): Promise<ChatResult> => {
    try {
      const result = await executor.run(decision, messages, o)
      routingLog.recordOutcome(decision, outcomeOfAnswer(decision, result.metadata))
      return result
    } catch (err) {
      routingLog.recordOutcome(decision, outcomeOfError(err))
      throw err
    }
  }

  /** Runs one chat turn of the UI in the background, streaming chunks as events and persisting as it goes. */
  const runTurn = async (
    requestId: string,
    conversationId: string,
    history: ChatMessage[],
    req: ChatSendRequest,
    controller: AbortController,
    /** A regenerate: the stored answer that gets a new version. */
    newVersionOf?: string,
  ): Promise<void> => {
    const base = { requestId, conversationId }
    const decision = route({
      messages: history,
      mode: req.mode,
      requestedModel: null,
      minTier: req.minTier,
    })
    let answer: AssistantMessageWriter | null = null
    try {
      answer = await store.beginAssistantMessage(
        conversationId,
        newVersionOf === undefined ? {} : { newVersionOf },
      )
      const writer = answer
      if (!decision.chosen) throw new Error(noRouteMessage(decision))
      const result = await execute(decision, history, {
        signal: controller.signal,
        onToken: (text) => {
          writer.append(text)
          events['chat:chunk'].fire({ kind: 'token', ...base, text })
        },
        onSeam: (note) => {
          writer.append(`\n\n${note}\n\n`)
          events['chat:chunk'].fire({ kind: 'seam', ...base, note })
        },
        onThinking: (text) => {
          writer.think(text)
          events['chat:chunk'].fire({ kind: 'thinking', ...base, text })
        },
        onProgress: (progress) =>
          events['chat:chunk'].fire({ kind: 'progress', ...base, progress }),
      })
      await writer.finish(result.metadata)
      events['chat:chunk'].fire({ kind: 'done', ...base, metadata: result.metadata })
    } catch (err) {
      // Saving what was streamed may fail too (disk full): the person still hears why it stopped.
      const stopped = controller.signal.aborted
        ? { stopped: true as const, metadata: stoppedAnswerMetadata(decision, err) }
        : undefined
      await answer
        ?.interrupt(stopped)
        .catch((e: unknown) => logger.error(`Could not save the interrupted answer: ${String(e)}`))
      events['chat:chunk'].fire({ kind: 'error', ...base, error: serializeError(err) })
    } finally {
      running.delete(requestId)
    }
  }

  const handlers: ContractHandlers = {
    'servers:snapshot': async () => registry.snapshot(),
    'servers:trust': async (serverId) => {
      const server = registry.snapshot().find((s) => s.id === serverId)
      if (!server) throw new Error(`No server named "${serverId}"`)
      registry.trust(serverId)
      if (server.source === 'mdns') {
        const cfg = structuredClone(currentConfig())
        const trusted = cfg.llm.providers.ollama.trusted_servers
        if (!trusted.includes(serverId)) trusted.push(serverId)
        const result = await configService.write(cfg)
        if (!result.ok) throw new Error(result.issues.map((i) => i.message).join('; '))
      }
    },
    'servers:rediscover': async () => {
      // An explicit rediscover is the person saying "I fixed it, try again": servers that answer the new
      // probe get a clean slate instead of waiting out their breakers.
      await registry.refresh()
      for (const s of registry.snapshot()) {
        if (s.health.kind === 'online' && s.breaker !== 'closed') breaker.recordSuccess(s.id)
      }
    },
    'servers:test': async (url) => testConnection(url),
    'routing:preview': async ({ messages, mode: m }) =>
      decide({
        messages,
        servers: registry.snapshot(),
        config: ollamaConfig(),
        mode: m ?? mode,
        requestedModel: null,
      }),
    'routing:log': async () => routingLog.snapshot(),
    'chat:send': async (req) => {
      const content = req.content.trim()
      const images = req.images ?? []
      if (!req.regenerate && content === '' && images.length === 0)
        throw new Error('The message is empty.')
      if (req.regenerate && req.editOf !== undefined)
        throw new Error('chat:send: "editOf" and "regenerate" cannot be used together')
      let conversationId = req.conversationId
      if (conversationId === null) {
        // Untitled: the store titles it from the first user message.
        conversationId = (await store.create()).id
      } else if (!(await store.get(conversationId))) {
        throw new Error(`No conversation with id "${conversationId}"`)
      }
      if (req.editOf !== undefined) await edits.cutAt(conversationId, req.editOf)
      else edits.forget(conversationId)
      if (!req.regenerate) {
        await store.appendMessage(conversationId, {
          role: 'user',
          content,
          interrupted: false,
          metadata: null,
          ...(images.length > 0 ? { images } : {}),
        })
      }
      const { history, answered } = turnOf(await store.get(conversationId), req.regenerate === true)
      const requestId = crypto.randomUUID()
      const controller = new AbortController()
      running.set(requestId, controller)
      const turn = runTurn(requestId, conversationId, history, req, controller, answered).catch(
        (err: unknown) => logger.error(`Chat turn failed: ${String(err)}`),
      )
      turns.add(turn)
      void turn.finally(() => turns.delete(turn))
      edits.track(conversationId, () => controller.abort(), turn)
      return { requestId, conversationId }
    },
    'chat:cancel': async (requestId) => {
      running.get(requestId)?.abort()
    },
    'conversations:list': async () => store.list(),
    'conversations:get': async (id) => store.get(id),
    'conversations:delete': async (id) => {
      await store.delete(id)
    },
    'conversations:rename': async (id, title) => store.rename(id, title),
    'conversations:setSystemPrompt': async (id, systemPrompt) => {
      const conversationId = id ?? (await store.create()).id
      return store.setSystemPrompt(conversationId, systemPrompt)
    },
    'conversations:search': async (query) => store.search(query),
    'conversations:undo-edit': async (id) => edits.undo(id),
    'mode:get': async () => mode,
    'mode:set': async (next) => {
      mode = validateMode(next, registry.snapshot())
      logger.info(`Routing mode: ${describeMode(mode)}`)
      events['mode:changed'].fire(mode)
      return mode
    },
    'config:get': async () => configService.view(),
    'config:set': async (config) => configService.write(config),
    'storage:snapshot': async () => storage.snapshot(),
  }

  return {
    handlers,
    logger,
    on: (channel, listener) => events[channel].event(listener as never),
    config: currentConfig,
    servers: () => registry.snapshot(),
    scheduler,
    backgroundLoads,
    storage,
    route,
    execute,
    async start() {
      configService.watch()
      await registry.start()
      await mdns.start()
    },
    async stop() {
      for (const c of running.values()) c.abort()
      // Let the aborted turns save their partial answers (marked interrupted) before the files close.
      await Promise.allSettled([...turns])
      // Also writes what a full disk kept in memory, if it takes it now (else says what is lost).
      await store.flush()
      store.dispose()
      registry.stop()
      backgroundLoads.dispose()
      routingLog.dispose()
      scheduler.dispose()
      await mdns.stop()
      configService.dispose()
      for (const d of disposables) d()
      for (const e of Object.values(events)) e.dispose()
    },
  }
}

/** Regenerate: the last answer(s) after the last user message go, so the question is answered anew. */
function noRouteMessage(decision: RoutingDecision): string {
  return `No server can answer right now (${decision.reasons.join(', ') || 'no candidates'}). Check that Ollama is running and reachable.`
}

/** A mode in words, for logs and the tray. */
export function describeMode(mode: RoutingMode): string {
  switch (mode.kind) {
    case 'auto':
      return 'Automatic (route by task)'
    case 'server':
      return `Only ${mode.serverId}`
    case 'model':
      return `Only ${mode.model}${mode.serverId ? ` @ ${mode.serverId}` : ''}`
  }
}

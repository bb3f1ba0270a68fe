// A transport double at the process boundary: the core's side of the contract, in memory.
import type {
  ContractHandlers,
  EventChannel,
  EventPayload,
  RequestChannel,
} from '../../../shared/contract'
import type {
  AillmConfig,
  Candidate,
  ConfigView,
  Conversation,
  ConversationMessage,
  ModelEntry,
  ResponseMetadata,
  RoutingDecision,
  ServerView,
  Tier,
} from '../../../shared/types'
import type { ConnectionState, TransportClient } from '../../../renderer/transport/connection'

/** A model entry with sensible defaults. */
export function model(name: string, serverId: string, tier: Tier, loaded = false): ModelEntry {
  return {
    name,
    serverId,
    family: name.split(':')[0] ?? name,
    parameterSize: '1B',
    parametersB: 1,
    quantization: 'Q4_K_M',
    sizeBytes: 1e9,
    capabilities: ['completion'],
    tier,
    specialisations: [],
    chatCapable: true,
    loaded,
    fullyInGpu: loaded ? true : null,
    tokensPerSecond: null,
  }
}

/** The seed fleet as the registry would show it. */
export function seedServers(): ServerView[] {
  return [
    {
      id: 'remote',
      name: 'remote',
      url: 'http://127.0.0.2:11434',
      urls: ['http://127.0.0.2:11434'],
      resolvedAddress: null,
      priority: 'PRIMARY',
      source: 'config',
      trusted: true,
      health: { kind: 'online', since: 1, latencyMs: 12 },
      latencyMs: 12,
      version: '0.12.3',
      inFlight: 0,
      breaker: 'closed',
      models: [
        model('llama3.3:70b', 'remote', 'powerful'),
        model('gemma3:12b', 'remote', 'balanced', true),
        model('qwen2.5-coder:14b', 'remote', 'powerful'),
      ],
    },
    {
      id: 'localhost',
      name: 'localhost',
      url: 'http://127.0.0.1:11434',
      urls: ['http://127.0.0.1:11434'],
      resolvedAddress: '127.0.0.1',
      priority: 'SECONDARY',
      source: 'config',
      trusted: true,
      health: { kind: 'online', since: 1, latencyMs: 2 },
      latencyMs: 2,
      version: '0.12.3',
      inFlight: 0,
      breaker: 'closed',
      models: [
        model('gemma3:1b', 'localhost', 'fast', true),
        model('qwen2.5:1.5b', 'localhost', 'fast'),
      ],
    },
  ]
}

const terms = {
  tierFit: 10,
  specialisation: 0,
  priority: 2,
  health: 1,
  latency: 0.5,
  loaded: 1,
  gpu: 0,
  speed: 0,
  inFlight: 0,
  preference: 0,
  total: 14.5,
}

/** A routing decision choosing `model @ server`. */
export function decision(
  id: string,
  chosen: { model: string; server: string; tier?: Tier; loaded?: boolean },
  extra: Partial<RoutingDecision> = {},
): RoutingDecision {
  const target = {
    model: chosen.model,
    serverId: chosen.server,
    serverName: chosen.server,
    serverUrl: `http://${chosen.server}:11434`,
    tier: chosen.tier ?? 'fast',
    priority: 'SECONDARY' as const,
    loaded: chosen.loaded ?? true,
  }
  const cand: Candidate = {
    ...target,
    eligible: true,
    excludedBy: null,
    terms,
    reasons: ['tier-match'],
  }
  return {
    id,
    at: 1000,
    mode: { kind: 'auto' },
    requestedModel: null,
    classification: { complexity: 'trivial', taskType: 'greeting', reasons: ['greeting'] },
    wantedTier: 'fast',
    action: 'routed',
    chosen: target,
    chain: [target],
    candidates: [cand],
    reasons: ['mode-auto'],
    fallback: false,
    warning: null,
    promptExcerpt: 'Hi!',
    decisionMicros: 42,
    ...extra,
  }
}

/** Answer metadata as the core sends it with the done chunk. */
export function metadata(extra: Partial<ResponseMetadata> = {}): ResponseMetadata {
  return {
    model: 'gemma3:1b',
    provider: 'ollama',
    distributed_routing: true,
    server_used: 'http://127.0.0.1:11434',
    complexity_level: 'trivial',
    used_fast_model: true,
    server_name: 'localhost',
    task_type: 'greeting',
    fallback: false,
    warning: null,
    attempts: [],
    decision_id: 'd1',
    continued: false,
    tokens_per_second: 30,
    ...extra,
  }
}

/** A full config as the core returns it (defaults filled). */
export function config(): AillmConfig {
  return {
    llm: {
      providers: {
        ollama: {
          enabled: true,
          base_url: 'http://127.0.0.2:11434',
          fallback_urls: [],
          additional_servers: [
            { name: 'localhost', url: 'http://127.0.0.1:11434', priority: 'SECONDARY' },
          ],
          distributed_mode: true,
          auto_discover: false,
          trust_discovered: false,
          trusted_servers: [],
          advertise: false,
          background_loads: true,
          allow_cloud_models: false,
          mdns: { enabled: false, interface: null },
          timeouts: {
            connect_ms: 2000,
            probe_ms: 3000,
            first_token_ms: 15000,
            cold_first_token_ms: 60000,
            stall_ms: 20000,
            side_probe_ms: 1500,
            wedge_margin_ms: 5000,
          },
          health_check_interval_s: 30,
          task_models: {},
          tier_rules: [],
        },
      },
    },
    api: { host: '127.0.0.1', port: 8000, token: null, allowed_origins: [] },
  }
}

/** A config view of `config()`. */
export function configView(extra: Partial<ConfigView> = {}): ConfigView {
  return {
    path: '/home/me/.config/aillm/config.yaml',
    text: '',
    config: config(),
    issues: [],
    restartNeeded: [],
    ...extra,
  }
}

/** A stored conversation `c1` holding these messages (ids m1, m2 …, createdAt = `at`). */
export function storedConversation(
  messages: Pick<ConversationMessage, 'role' | 'content'>[] & Partial<ConversationMessage>[],
  at = Date.now(),
): Conversation {
  return {
    id: 'c1',
    title: 't',
    createdAt: at,
    updatedAt: at,
    messages: messages.map((m, i) => ({
      id: `m${i + 1}`,
      createdAt: at,
      metadata: null,
      interrupted: false,
      ...m,
    })),
  }
}

type Listener = (payload: never) => void

/** The in-memory core: handlers you can replace, events you fire, every call recorded. */
export class FakeCore implements TransportClient {
  calls: { channel: RequestChannel; args: unknown[] }[] = []
  private listeners = new Map<EventChannel, Set<Listener>>()
  private connListeners = new Set<(s: ConnectionState) => void>()
  private resyncListeners = new Set<() => void>()
  private state: ConnectionState = { kind: 'open' }
  handlers: ContractHandlers

  constructor(overrides: Partial<ContractHandlers> = {}) {
    let n = 0
    this.handlers = {
      'servers:snapshot': async () => seedServers(),
      'servers:trust': async () => undefined,
      'servers:rediscover': async () => undefined,
      'servers:test': async (url) => ({ ok: false, url, hostPort: url, error: 'not in the fake' }),
      'routing:preview': async () =>
        decision('preview', { model: 'gemma3:1b', server: 'localhost' }),
      'routing:log': async () => [],
      'chat:send': async (req) => ({
        requestId: `r${++n}`,
        conversationId: req.conversationId ?? 'c1',
      }),
      'chat:cancel': async () => undefined,
      'conversations:list': async () => [],
      'conversations:get': async () => null,
      'conversations:delete': async () => undefined,
      'conversations:rename': async (id, title) => ({ id, title, updatedAt: 1, messageCount: 0 }),
      'conversations:setSystemPrompt': async (id, systemPrompt) => ({
        id: id ?? 'c1',
        title: 'New chat',
        createdAt: 1,
        updatedAt: 1,
        messages: [],
        ...(systemPrompt ? { systemPrompt } : {}),
      }),
      'conversations:search': async () => [],
      'conversations:undo-edit': async (id) => {
        throw new Error(`Nothing to undo in conversation ${id}`)
      },
      'mode:get': async () => ({ kind: 'auto' }),
      'mode:set': async (mode) => mode,
      'config:get': async () => configView(),
      'config:set': async (c) => ({ ok: true, view: configView({ config: c }) }),
      'storage:snapshot': async () => ({ kind: 'saved' }),
      ...overrides,
    }
  }

  invoke: TransportClient['invoke'] = (channel, ...args) => {
    this.calls.push({ channel, args })
    const h = this.handlers[channel] as (...a: unknown[]) => Promise<never>
    return h(...args)
  }

  on: TransportClient['on'] = (channel, listener) => {
    let set = this.listeners.get(channel)
    if (!set) this.listeners.set(channel, (set = new Set()))
    set.add(listener as Listener)
    return () => set.delete(listener as Listener)
  }

  /** Fires an event as the core would. */
  emit<C extends EventChannel>(channel: C, payload: EventPayload<C>): void {
    for (const l of this.listeners.get(channel) ?? []) l(payload as never)
  }

  callsOf(channel: RequestChannel): unknown[][] {
    return this.calls.filter((c) => c.channel === channel).map((c) => c.args)
  }

  connection = (): ConnectionState => this.state
  onConnection = (l: (s: ConnectionState) => void): (() => void) => {
    this.connListeners.add(l)
    return () => this.connListeners.delete(l)
  }
  setConnection(s: ConnectionState): void {
    this.state = s
    for (const l of this.connListeners) l(s)
  }
  onResync = (l: () => void): (() => void) => {
    this.resyncListeners.add(l)
    return () => this.resyncListeners.delete(l)
  }
  /** Tells the store it fell behind, as the WebSocket client does on a `resync` frame. */
  resync(): void {
    for (const l of this.resyncListeners) l()
  }
  dispose = (): void => undefined
}

/** Lets pending promise callbacks run. */
export const flush = (): Promise<void> => new Promise((r) => setTimeout(r, 0))

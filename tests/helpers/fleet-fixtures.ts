import type {
  ModelEntry,
  OllamaProviderConfig,
  Priority,
  ServerView,
  Specialisation,
  Tier,
} from '../../shared/types'
import { DEFAULT_CONFIG } from '../../electron/core/config'

/** Overrides for a fixture model; the name and tier usually suffice. */
export type ModelOverrides = Partial<Omit<ModelEntry, 'name' | 'serverId'>>

/** Builds a ModelEntry the way the model index would describe it. */
export function model(
  name: string,
  tier: Tier,
  specialisations: Specialisation[] = [],
  overrides: ModelOverrides = {},
): Omit<ModelEntry, 'serverId'> {
  const size = /:(\d+(?:\.\d+)?)b/i.exec(name)
  const parametersB = size?.[1] !== undefined ? Number(size[1]) : null
  const o = overrides
  // Every key written out in one literal so all fixtures share one object shape, like real entries.
  return {
    name,
    family: o.family ?? name.split(/[:.\d]/)[0] ?? name,
    parameterSize: o.parameterSize ?? (parametersB === null ? '' : `${parametersB}B`),
    parametersB: o.parametersB !== undefined ? o.parametersB : parametersB,
    quantization: o.quantization ?? 'Q4_K_M',
    sizeBytes: o.sizeBytes ?? Math.round((parametersB ?? 1) * 0.6e9),
    capabilities:
      o.capabilities ?? (specialisations.includes('embedding') ? ['embedding'] : ['completion']),
    tier: o.tier ?? tier,
    specialisations: o.specialisations ?? specialisations,
    chatCapable: o.chatCapable ?? !specialisations.includes('embedding'),
    loaded: o.loaded ?? false,
    fullyInGpu: o.fullyInGpu !== undefined ? o.fullyInGpu : null,
    tokensPerSecond: o.tokensPerSecond !== undefined ? o.tokensPerSecond : null,
    ...(o.cloud !== undefined ? { cloud: o.cloud } : {}),
    ...(o.loadedContextLength !== undefined ? { loadedContextLength: o.loadedContextLength } : {}),
  }
}

/** Overrides for a fixture server. */
export type ServerOverrides = Partial<Omit<ServerView, 'id' | 'models'>>

/** Builds an online, trusted, closed-breaker ServerView holding these models. */
export function server(
  id: string,
  priority: Priority,
  models: Omit<ModelEntry, 'serverId'>[],
  overrides: ServerOverrides = {},
): ServerView {
  const url = overrides.url ?? `http://${id}:11434`
  return {
    id,
    name: id,
    url,
    urls: [url],
    resolvedAddress: null,
    priority,
    source: 'config',
    trusted: true,
    health: { kind: 'online', since: 0, latencyMs: 5 },
    latencyMs: 5,
    version: '0.12.3',
    inFlight: 0,
    breaker: 'closed',
    ...overrides,
    models: models.map((m) => withServerId(m, id)),
  }
}

function withServerId(m: Omit<ModelEntry, 'serverId'>, serverId: string): ModelEntry {
  return {
    name: m.name,
    serverId,
    family: m.family,
    parameterSize: m.parameterSize,
    parametersB: m.parametersB,
    quantization: m.quantization,
    sizeBytes: m.sizeBytes,
    capabilities: m.capabilities,
    tier: m.tier,
    specialisations: m.specialisations,
    chatCapable: m.chatCapable,
    loaded: m.loaded,
    fullyInGpu: m.fullyInGpu,
    tokensPerSecond: m.tokensPerSecond,
    ...(m.cloud !== undefined ? { cloud: m.cloud } : {}),
    ...(m.loadedContextLength !== undefined ? { loadedContextLength: m.loadedContextLength } : {}),
  }
}

/** The remote GPU box of the product spec: four models, none loaded. */
export function remoteModels(): Omit<ModelEntry, 'serverId'>[] {
  return [
    model('llama3.3:70b', 'powerful'),
    model('gemma3:12b', 'balanced', ['vision']),
    model('qwen2.5-coder:14b', 'balanced', ['code']),
    model('qwen3:14b', 'balanced', ['reasoning']),
  ]
}

/** The laptop of the product spec: three small models, none loaded. */
export function localhostModels(): Omit<ModelEntry, 'serverId'>[] {
  return [model('gemma3:1b', 'fast'), model('qwen2.5:1.5b', 'fast'), model('phi3:3b', 'fast')]
}

/** Options for the seed fleet: the servers' priorities and per-server overrides. */
export interface SeedFleetOptions {
  remotePriority?: Priority
  localhostPriority?: Priority
  remote?: ServerOverrides
  localhost?: ServerOverrides
}

/**
 * The seed topology (tools/ollama-sim/fleets/seed.yaml) as the registry would show it: `remote`
 * (base_url, PRIMARY) with the four big models and `localhost` (SECONDARY) with the small ones.
 */
export function seedFleet(opts: SeedFleetOptions = {}): ServerView[] {
  return [
    server('remote', opts.remotePriority ?? 'PRIMARY', remoteModels(), {
      url: 'http://127.0.0.1:11500',
      latencyMs: 45,
      health: { kind: 'online', since: 0, latencyMs: 45 },
      ...opts.remote,
    }),
    server('localhost', opts.localhostPriority ?? 'SECONDARY', localhostModels(), {
      url: 'http://127.0.0.1:11501',
      ...opts.localhost,
    }),
  ]
}

/** The provider config as the config loader hands it over: the real defaults, the seed topology, no mDNS. */
export function providerConfig(
  overrides: Partial<OllamaProviderConfig> = {},
): OllamaProviderConfig {
  return {
    ...structuredClone(DEFAULT_CONFIG.llm.providers.ollama),
    base_url: 'http://127.0.0.1:11500',
    additional_servers: [
      { name: 'localhost', url: 'http://127.0.0.1:11501', priority: 'SECONDARY' },
    ],
    mdns: { enabled: false, interface: null },
    ...overrides,
  }
}

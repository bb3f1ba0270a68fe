/**
 * ServerView fixtures for the decision-time benchmark, built the way the registry builds them: model
 * entries come from the real model index (`buildModelEntries`), so tiers and specialisations are real.
 */
import { buildModelEntries, type LoadedModel, type TagModel } from '../electron/core/models'
import type { Priority, ServerView } from '../shared/types'

/** A model a fixture server offers: tag, parameter size and capabilities as /api/tags lists them. */
interface CatalogModel {
  name: string
  size: string
  capabilities: string[]
}

const chat = ['completion']

/** Twenty common Ollama models across all tiers and specialisations (one embedding model among them). */
export const LARGE_FLEET_CATALOG: readonly CatalogModel[] = [
  { name: 'gemma3:1b', size: '1B', capabilities: chat },
  { name: 'qwen2.5:1.5b', size: '1.5B', capabilities: chat },
  { name: 'phi3:3b', size: '3.8B', capabilities: chat },
  { name: 'llama3.2:3b', size: '3.2B', capabilities: chat },
  { name: 'gemma3:4b', size: '4.3B', capabilities: [...chat, 'vision'] },
  { name: 'qwen2.5:7b', size: '7.6B', capabilities: chat },
  { name: 'mistral:7b', size: '7.2B', capabilities: chat },
  { name: 'llama3.1:8b', size: '8.0B', capabilities: chat },
  { name: 'gemma3:12b', size: '12.2B', capabilities: [...chat, 'vision'] },
  { name: 'codellama:13b', size: '13B', capabilities: chat },
  { name: 'qwen2.5-coder:14b', size: '14.8B', capabilities: chat },
  { name: 'qwen3:14b', size: '14.8B', capabilities: [...chat, 'thinking'] },
  { name: 'deepseek-r1:14b', size: '14.8B', capabilities: [...chat, 'thinking'] },
  { name: 'gemma3:27b', size: '27.4B', capabilities: [...chat, 'vision'] },
  { name: 'qwen2.5-coder:32b', size: '32.8B', capabilities: chat },
  { name: 'qwen2.5:32b', size: '32.8B', capabilities: chat },
  { name: 'mixtral:8x7b', size: '46.7B', capabilities: chat },
  { name: 'llama3.3:70b', size: '70.6B', capabilities: chat },
  { name: 'qwen2.5:72b', size: '72.7B', capabilities: chat },
  { name: 'nomic-embed-text:latest', size: '137M', capabilities: ['embedding'] },
]

const SEED_REMOTE: readonly CatalogModel[] = [
  { name: 'llama3.3:70b', size: '70.6B', capabilities: chat },
  { name: 'gemma3:12b', size: '12.2B', capabilities: [...chat, 'vision'] },
  { name: 'qwen2.5-coder:14b', size: '14.8B', capabilities: chat },
  { name: 'qwen3:14b', size: '14.8B', capabilities: [...chat, 'thinking'] },
  { name: 'nomic-embed-text:latest', size: '137M', capabilities: ['embedding'] },
]
const SEED_LOCAL: readonly CatalogModel[] = [
  { name: 'gemma3:1b', size: '1B', capabilities: chat },
  { name: 'qwen2.5:1.5b', size: '1.5B', capabilities: chat },
  { name: 'phi3:3b', size: '3.8B', capabilities: chat },
]

function tagOf(m: CatalogModel): TagModel {
  return {
    name: m.name,
    model: m.name,
    size: 1e9,
    details: { family: m.name.split(/[:.\d-]/)[0] ?? m.name, parameter_size: m.size },
    capabilities: m.capabilities,
  }
}

function view(
  id: string,
  priority: Priority,
  catalog: readonly CatalogModel[],
  extra: { latencyMs: number; inFlight: number; loaded: readonly string[]; speed: number | null },
): ServerView {
  const url = `http://${id}.bench.invalid:11434`
  const ps: LoadedModel[] = extra.loaded.map((name) => ({ name, size: 1e9, size_vram: 1e9 }))
  const speeds = new Map<string, number>()
  if (extra.speed !== null) for (const m of catalog) speeds.set(m.name, extra.speed)
  return {
    id,
    name: id,
    url,
    urls: [url],
    resolvedAddress: null,
    priority,
    source: 'config',
    trusted: true,
    health: { kind: 'online', since: 0, latencyMs: extra.latencyMs },
    latencyMs: extra.latencyMs,
    version: '0.12.3',
    inFlight: extra.inFlight,
    breaker: 'closed',
    models: buildModelEntries(id, catalog.map(tagOf), ps, new Map(), [], speeds),
  }
}

/** The product spec's topology: `remote` (PRIMARY, big models) and `localhost` (SECONDARY, small ones). */
export function seedFleetViews(): ServerView[] {
  return [
    view('remote', 'PRIMARY', SEED_REMOTE, {
      latencyMs: 45,
      inFlight: 0,
      loaded: ['gemma3:12b'],
      speed: 40,
    }),
    view('localhost', 'SECONDARY', SEED_LOCAL, {
      latencyMs: 5,
      inFlight: 0,
      loaded: ['gemma3:1b'],
      speed: 30,
    }),
  ]
}

/**
 * A large fleet: `servers` servers × `models` models each (the catalog, rotated per server so the fleet is
 * not uniform), mixed priorities, latencies, loads and speeds, and a few servers offline or with an open
 * breaker — every term of the scoring gets work.
 */
export function largeFleetViews(servers = 50, models = 20): ServerView[] {
  const out: ServerView[] = []
  const priorities: Priority[] = ['PRIMARY', 'SECONDARY', 'SECONDARY', 'FALLBACK']
  for (let s = 0; s < servers; s++) {
    const catalog: CatalogModel[] = []
    for (let m = 0; m < models; m++) {
      const base = LARGE_FLEET_CATALOG[(s + m) % LARGE_FLEET_CATALOG.length]
      if (!base) continue
      // More models than the catalog: later rounds are distinct tags of the same size.
      const round = Math.floor(m / LARGE_FLEET_CATALOG.length)
      catalog.push(round === 0 ? base : { ...base, name: `${base.name}-v${round}` })
    }
    const loaded = catalog.filter((_, i) => (i + s) % 7 === 0).map((m) => m.name)
    const server = view(
      `gpu-${String(s + 1).padStart(2, '0')}`,
      priorities[s % 4] ?? 'SECONDARY',
      catalog,
      {
        latencyMs: 2 + ((s * 37) % 120),
        inFlight: s % 5 === 0 ? 2 : 0,
        loaded,
        speed: s % 3 === 0 ? null : 20 + (s % 60),
      },
    )
    if (s % 17 === 16) {
      server.health = { kind: 'offline', since: 0, error: 'connection refused', nextProbeAt: 0 }
    } else if (s % 13 === 12) {
      server.breaker = 'open'
    } else if (s % 11 === 10) {
      server.health = { kind: 'degraded', since: 0, latencyMs: 400, reason: 'slow probe' }
    }
    out.push(server)
  }
  return out
}

/**
 * /api/show for the virtual models `auto` and `auto:<tier>`: what the models they may route to can do
 * together, so a client keeps tools, vision and thinking on for `auto` (it routes them to a model that
 * has them), and a `model_info` whose context length is the smallest among those models (any of them
 * may answer, so a client must not size its prompt for a bigger one).
 */
import type { AppCore } from '../app-core'
import { parseModelRequest } from '../routing/tiers'
import type { ModelEntry, ServerView } from '../../../shared/types'
import { clientFor, usableServers } from './upstream'

/** The order Ollama lists capabilities in; others follow as they come. */
const CAPABILITY_ORDER = ['completion', 'tools', 'insert', 'vision', 'thinking']

/** The models `auto` (or `auto:<tier>`) may route to: that tier's when it has any, else all of them. */
export function routableModels(
  core: AppCore,
  name: string,
): { server: ServerView; model: ModelEntry }[] {
  const allowCloud = core.config().llm.providers.ollama.allow_cloud_models === true
  const all = usableServers(core)
    .filter((s) => s.breaker !== 'open')
    .flatMap((server) => server.models.map((model) => ({ server, model })))
    .filter(({ model }) => model.chatCapable && (allowCloud || model.cloud !== true))
  const request = parseModelRequest(name)
  if (request.kind !== 'tier') return all
  const tier = all.filter(({ model }) => model.tier === request.tier)
  // The router falls back to another tier when this one has no model: so does the answer here.
  return tier.length > 0 ? tier : all
}

/** The union of the routable models' capabilities (never `embedding`: `auto` does not embed). */
export function unionCapabilities(models: readonly ModelEntry[]): string[] {
  const found = new Set<string>(['completion'])
  for (const m of models) for (const c of m.capabilities) if (c !== 'embedding') found.add(c)
  const known = CAPABILITY_ORDER.filter((c) => found.has(c))
  return [...known, ...[...found].filter((c) => !CAPABILITY_ORDER.includes(c)).sort()]
}

/** The context length /api/show reports for one model on one server, null when it cannot be read. */
async function contextLengthOf(server: ServerView, model: string): Promise<number | null> {
  try {
    // ollama-js types it as a Map; on the wire it is a plain JSON object.
    const shown = await clientFor(server.dialUrl ?? server.url).show({ model })
    const info = shown.model_info as unknown as Record<string, unknown> | undefined
    const arch = info?.['general.architecture']
    const value = typeof arch === 'string' ? info?.[`${arch}.context_length`] : undefined
    return typeof value === 'number' && value > 0 ? value : null
  } catch {
    return null
  }
}

/** The /api/show answer of a virtual model. */
export async function showVirtual(
  core: AppCore,
  virtual: { name: string; description: string },
  details: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const pool = routableModels(core, virtual.name)
  // One show per model name: the same tag on two servers is the same model.
  const byName = new Map<string, ServerView>()
  for (const { server, model } of pool) if (!byName.has(model.name)) byName.set(model.name, server)
  const lengths = await Promise.all(
    [...byName].map(([model, server]) => contextLengthOf(server, model)),
  )
  const known = lengths.filter((n): n is number => n !== null)
  return {
    modelfile: `# AILLM virtual model: ${virtual.description}`,
    parameters: '',
    template: '{{ .Prompt }}',
    details,
    model_info: {
      'general.architecture': 'aillm',
      ...(known.length > 0 ? { 'aillm.context_length': Math.min(...known) } : {}),
    },
    capabilities: unionCapabilities(pool.map((p) => p.model)),
  }
}

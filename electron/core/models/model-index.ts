import type { ModelEntry, TierRule } from '../../../shared/types'
import { formatParameterSize, parameterSizeFromTag, parseParameterSize } from './parameter-size'
import { normaliseTag } from './model-tag'
import { tierOf } from './tier'

/**
 * One model as /api/tags lists it. Looser than the `ollama` package's ModelResponse (which it
 * accepts) because older or third-party servers leave fields out.
 */
export interface TagModel {
  name: string
  model?: string
  size?: number
  digest?: string
  details?: {
    family?: string
    parameter_size?: string
    quantization_level?: string
  } | null
  /** Newer Ollama versions list capabilities in /api/tags too, which saves an /api/show. */
  capabilities?: string[]
  /** Set on cloud models (they run on ollama.com, not on this server). */
  remote_host?: string
}

/** One model as /api/ps lists it (loaded in memory). */
export interface LoadedModel {
  name: string
  model?: string
  size?: number
  size_vram?: number
  digest?: string
  /** Newer Ollama versions report the context length the runner was loaded with. */
  context_length?: number
}

/** What the model index takes from /api/show. */
export interface ShowInfo {
  capabilities: string[]
}

/**
 * Builds the model index of one server from its /api/tags, /api/ps and /api/show answers.
 * `shows` and `speeds` (measured tokens/s) are keyed by model name; missing entries mean
 * "unknown". Duplicate tags are listed once.
 */
export function buildModelEntries(
  serverId: string,
  tags: readonly TagModel[],
  ps: readonly LoadedModel[],
  shows: ReadonlyMap<string, ShowInfo | null>,
  rules: readonly TierRule[],
  speeds: ReadonlyMap<string, number> = new Map(),
): ModelEntry[] {
  const loaded = new Map<string, LoadedModel>()
  for (const p of ps) {
    loaded.set(normaliseTag(p.name), p)
    if (p.model) loaded.set(normaliseTag(p.model), p)
  }
  const seen = new Set<string>()
  const entries: ModelEntry[] = []
  for (const tag of tags) {
    if (typeof tag.name !== 'string' || tag.name === '' || seen.has(tag.name)) continue
    seen.add(tag.name)
    const details = tag.details ?? {}
    const parametersB = parseParameterSize(details.parameter_size) ?? parameterSizeFromTag(tag.name)
    const capabilities = [...(shows.get(tag.name)?.capabilities ?? tag.capabilities ?? [])]
    const { tier, specialisations } = tierOf(tag.name, parametersB, capabilities, rules)
    const inMemory =
      loaded.get(normaliseTag(tag.name)) ??
      (tag.model ? loaded.get(normaliseTag(tag.model)) : undefined)
    entries.push({
      name: tag.name,
      serverId,
      family: details.family ?? '',
      parameterSize:
        details.parameter_size || (parametersB === null ? '' : formatParameterSize(parametersB)),
      parametersB,
      quantization: details.quantization_level ?? '',
      sizeBytes: tag.size ?? 0,
      capabilities,
      tier,
      specialisations,
      // An embedding model that also declares `completion` can chat; a pure one never gets chat.
      chatCapable: !specialisations.includes('embedding') || capabilities.includes('completion'),
      loaded: inMemory !== undefined,
      fullyInGpu: inMemory === undefined ? null : (inMemory.size_vram ?? 0) >= (inMemory.size ?? 0),
      loadedContextLength:
        typeof inMemory?.context_length === 'number' && inMemory.context_length > 0
          ? inMemory.context_length
          : null,
      tokensPerSecond: speeds.get(tag.name) ?? null,
      ...(typeof tag.remote_host === 'string' && tag.remote_host !== '' ? { cloud: true } : {}),
    })
  }
  return entries
}

/** Distinct model names across the given model lists (for "<n> unique models"). */
export function uniqueModelCount(lists: readonly (readonly ModelEntry[])[]): number {
  const names = new Set<string>()
  for (const list of lists) for (const m of list) names.add(normaliseTag(m.name))
  return names.size
}

import type { AillmConfig, OllamaProviderConfig } from '../../../shared/types'

/** A key of the config that the settings form edits, with how to read and write it. */
interface FormField {
  key: string
  get(c: AillmConfig): unknown
  set(c: AillmConfig, value: unknown): void
}

const ollama = (c: AillmConfig): OllamaProviderConfig => c.llm.providers.ollama
const api = (c: AillmConfig): AillmConfig['api'] => c.api

/** The keys the settings form shows; everything else in the file is left as the core has it. */
export const FORM_FIELDS: readonly FormField[] = [
  ...(
    [
      'base_url',
      'fallback_urls',
      'additional_servers',
      'distributed_mode',
      'auto_discover',
      'trust_discovered',
    ] as const
  ).map((k) => field(`llm.providers.ollama.${k}`, ollama, k)),
  field('api.host', api, 'host'),
  field('api.port', api, 'port'),
]

function field<T, K extends keyof T & string>(
  key: string,
  owner: (c: AillmConfig) => T,
  name: K,
): FormField {
  return {
    key,
    get: (c) => owner(c)[name],
    set: (c, value) => {
      owner(c)[name] = value as T[K]
    },
  }
}

/**
 * What Save writes: the latest config with only the form fields the person changed (draft differs
 * from `base`, the config the draft was copied from). Anything changed meanwhile elsewhere — a Trust
 * click writing trusted_servers, an edit of the file — is kept instead of being reverted. Pure.
 */
export function applyFormEdits(
  base: AillmConfig,
  draft: AillmConfig,
  latest: AillmConfig,
): AillmConfig {
  const out = structuredClone(latest)
  for (const f of FORM_FIELDS) {
    const mine = f.get(draft)
    if (JSON.stringify(mine) !== JSON.stringify(f.get(base))) f.set(out, structuredClone(mine))
  }
  return out
}

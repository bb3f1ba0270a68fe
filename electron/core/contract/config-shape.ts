/**
 * The shape of a whole config as it crosses the contract (`config:set`): every key present, of the
 * right type, nothing unknown. The file's own schema (config/config-schema.ts) fills defaults for what
 * is missing, which is right for a hand-written config.yaml and wrong for an in-memory value: a `null`
 * or a partial object from a caller must be refused, not turned into defaults that replace the user's
 * servers. What the values mean (a valid URL, a port in range) is still judged by the config service,
 * which answers with issues the settings form shows next to each field.
 */
import { z } from 'zod'
import type { AillmConfig } from '../../../shared/types'
import { PRIORITIES, SPECIALISATIONS, TASK_TYPES, TIERS } from '../config/config-schema'

const stringList = z.array(z.string())

const serverShape = z.strictObject({
  name: z.string(),
  url: z.string(),
  priority: z.enum(PRIORITIES),
})

const tierRuleShape = z.strictObject({
  match: z.string(),
  tier: z.enum(TIERS).exactOptional(),
  specialisations: z.array(z.enum(SPECIALISATIONS)).exactOptional(),
})

const ollamaShape = z.strictObject({
  enabled: z.boolean(),
  base_url: z.string().nullable(),
  fallback_urls: stringList,
  additional_servers: z.array(serverShape),
  distributed_mode: z.boolean(),
  auto_discover: z.boolean(),
  trust_discovered: z.boolean(),
  trusted_servers: stringList,
  advertise: z.boolean(),
  background_loads: z.boolean(),
  allow_cloud_models: z.boolean(),
  mdns: z.strictObject({ enabled: z.boolean(), interface: z.string().nullable() }),
  timeouts: z.strictObject({
    connect_ms: z.number(),
    probe_ms: z.number(),
    first_token_ms: z.number(),
    cold_first_token_ms: z.number(),
    stall_ms: z.number(),
    side_probe_ms: z.number(),
    wedge_margin_ms: z.number(),
  }),
  health_check_interval_s: z.number(),
  task_models: z.partialRecord(z.enum(TASK_TYPES), stringList),
  tier_rules: z.array(tierRuleShape),
})

/** A complete config: what `config:set` takes. */
export const completeConfigShape = z.strictObject({
  llm: z.strictObject({ providers: z.strictObject({ ollama: ollamaShape }) }),
  api: z.strictObject({
    host: z.string(),
    port: z.number(),
    token: z.string().nullable(),
    allowed_origins: z.array(z.string()),
  }),
})

// The shape and shared/types' AillmConfig must describe the same thing (checked by the compiler).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const _configAgrees: Same<z.output<typeof completeConfigShape>, AillmConfig> = true
void _configAgrees

import { isIPv4 } from 'node:net'
import { z } from 'zod'
import type {
  AdditionalServerConfig,
  AillmConfig,
  Priority,
  Specialisation,
  TaskType,
  Tier,
  TierRule,
} from '../../../shared/types'
import { HostUrlError, isLoopbackHost, normalizeHostUrl } from './host-url'
import { originPatternProblem } from './origin-pattern'
import { backtrackingRisk } from './regex-safety'

/** Allowed server priorities, in the order the messages list them. */
export const PRIORITIES: readonly Priority[] = ['PRIMARY', 'SECONDARY', 'FALLBACK']
/** Task types `task_models` may name (shared/types/routing.ts TaskType). */
export const TASK_TYPES: readonly TaskType[] = [
  'greeting',
  'chat',
  'explanation',
  'code',
  'reasoning',
  'writing',
]
/** Tiers a `tier_rules` entry may assign. */
export const TIERS: readonly Tier[] = ['fast', 'balanced', 'powerful']
/** Specialisations a `tier_rules` entry may assign. */
export const SPECIALISATIONS: readonly Specialisation[] = [
  'code',
  'reasoning',
  'vision',
  'embedding',
]

/**
 * The server used when the file names none (no `base_url`, no `additional_servers`): someone with
 * Ollama on this machine and nothing else gets a working app without writing a config.
 */
export const DEFAULT_LOCAL_SERVER: AdditionalServerConfig = {
  name: 'localhost',
  url: 'http://localhost:11434',
  priority: 'PRIMARY',
}

/** Every default in one value (what an empty or missing file yields). */
export const DEFAULT_CONFIG: AillmConfig = {
  llm: {
    providers: {
      ollama: {
        enabled: true,
        base_url: null,
        fallback_urls: [],
        additional_servers: [DEFAULT_LOCAL_SERVER],
        distributed_mode: true,
        // Off by default: discovery multicasts on the LAN and finds machines the user never named.
        auto_discover: false,
        trust_discovered: false,
        trusted_servers: [],
        advertise: false,
        background_loads: true,
        allow_cloud_models: false,
        mdns: { enabled: true, interface: null },
        timeouts: {
          connect_ms: 1500,
          probe_ms: 2500,
          first_token_ms: 15_000,
          cold_first_token_ms: 90_000,
          stall_ms: 30_000,
          side_probe_ms: 1500,
          wedge_margin_ms: 4000,
        },
        health_check_interval_s: 15,
        task_models: {},
        tier_rules: [],
      },
    },
  },
  api: { host: '127.0.0.1', port: 8000, token: null, allowed_origins: [] },
}

/** Human list: `A, B or C`. */
export function listOr(values: readonly string[]): string {
  if (values.length <= 1) return values[0] ?? ''
  return `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`
}

type Check<T> = (value: unknown) => { ok: true; value: T } | { ok: false; message: string }

/** A leaf: our own check so every message says what is allowed; `input` lets the formatter add `(got …)`. */
function leaf<T>(check: Check<T>) {
  return z.unknown().transform((value, ctx): T => {
    const result = check(value)
    if (result.ok) return result.value
    ctx.addIssue({ code: 'custom', message: result.message, input: value })
    return z.NEVER
  })
}

const bool: Check<boolean> = (v) =>
  typeof v === 'boolean' ? { ok: true, value: v } : { ok: false, message: 'must be true or false' }

/** The longest delay setTimeout takes: anything above fires after 1 ms (Node's TimeoutOverflowWarning). */
export const MAX_TIMER_MS = 2_147_483_647
/** Longest health-check interval: one day (more would leave a server unchecked for good). */
export const MAX_HEALTH_CHECK_INTERVAL_S = 86_400

// Too large first (Infinity included), so each bound is tested once and every message says what was wrong.
const timerMs: Check<number> = (v) => {
  if (typeof v === 'number' && v > MAX_TIMER_MS) {
    return {
      ok: false,
      message: `must be at most ${MAX_TIMER_MS} ms (about 24.8 days); a longer timer would fire at once`,
    }
  }
  return typeof v === 'number' && Number.isInteger(v) && v > 0
    ? { ok: true, value: v }
    : { ok: false, message: 'must be a whole number greater than 0' }
}

const intervalSeconds: Check<number> = (v) => {
  if (typeof v === 'number' && v > MAX_HEALTH_CHECK_INTERVAL_S) {
    return {
      ok: false,
      message: `must be at most ${MAX_HEALTH_CHECK_INTERVAL_S} seconds (one day)`,
    }
  }
  // NaN and -Infinity fail `v > 0`.
  return typeof v === 'number' && v > 0
    ? { ok: true, value: v }
    : { ok: false, message: 'must be a number greater than 0' }
}

const port: Check<number> = (v) =>
  typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535
    ? { ok: true, value: v }
    : { ok: false, message: 'must be a port number from 1 to 65535' }

const nonEmptyString: Check<string> = (v) =>
  typeof v === 'string' && v.trim() !== ''
    ? { ok: true, value: v.trim() }
    : { ok: false, message: 'must be a non-empty string' }

const hostUrl: Check<string> = (v) => {
  if (typeof v !== 'string') {
    return { ok: false, message: 'must be host, host:port or http(s)://host[:port] (a string)' }
  }
  try {
    return { ok: true, value: normalizeHostUrl(v) }
  } catch (err) {
    if (err instanceof HostUrlError) return { ok: false, message: err.reason }
    throw err
  }
}

const nullable =
  <T>(check: Check<T>): Check<T | null> =>
  (v) =>
    v === null ? { ok: true, value: null } : check(v)

/** Case-insensitive choice; the output is the canonical spelling. */
const oneOf =
  <T extends string>(values: readonly T[]): Check<T> =>
  (v) => {
    const found =
      typeof v === 'string'
        ? values.find((x) => x.toLowerCase() === v.trim().toLowerCase())
        : undefined
    return found !== undefined
      ? { ok: true, value: found }
      : { ok: false, message: `must be ${listOr(values)}` }
  }

const regex: Check<string> = (v) => {
  if (typeof v !== 'string' || v === '') {
    return { ok: false, message: 'must be a regular expression (a non-empty string)' }
  }
  try {
    new RegExp(v, 'i')
  } catch (err) {
    // Stryker disable next-line Regex: V8's message always starts with this prefix, so dropping the ^ changes nothing
    const reason = (err as Error).message.replace(/^Invalid regular expression: /, '')
    return { ok: false, message: `must be a valid regular expression (${reason})` }
  }
  // Model tags come from servers, some found on the LAN: a pattern must not be able to hang routing.
  const risk = backtrackingRisk(v)
  if (risk !== null) {
    return {
      ok: false,
      message: `must not be able to backtrack catastrophically (${risk}); match the repeated part once, e.g. "^a+$" instead of "^(a+)+$"`,
    }
  }
  return { ok: true, value: v }
}

const ipv4: Check<string> = (v) =>
  typeof v === 'string' && isIPv4(v.trim())
    ? { ok: true, value: v.trim() }
    : { ok: false, message: 'must be an IPv4 address of a local interface, or null' }

const apiHost: Check<string> = (v) =>
  typeof v === 'string' && v.trim() !== '' && !/[\s/]/.test(v.trim())
    ? { ok: true, value: v.trim() }
    : { ok: false, message: 'must be a host name or IP address to listen on (no scheme, no path)' }

/** Marks the message of an unknown-key issue; the converter turns it into one issue per key. */
// Stryker disable next-line StringLiteral: only mapping() raises unknown-key issues, always with this prefix, and parse-config strips exactly it: "" yields the same text
export const UNKNOWN_KEY_PREFIX = 'allowed keys: '

/** A mapping whose keys are checked: a typo would otherwise silently do nothing. `null` reads as `{}`. */
function mapping<S extends z.ZodRawShape>(shape: S) {
  const allowed = Object.keys(shape).join(', ')
  return z.preprocess(
    (v) => (v === null || v === undefined ? {} : v),
    // A strict object raises only these two issues itself; its keys' issues carry their own messages.
    z.strictObject(shape, {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `${UNKNOWN_KEY_PREFIX}${allowed}`
          : `must be a mapping of keys (${allowed})`,
    }),
  )
}

/** A list; `null` (a key written with no value) reads as empty. */
function list<T extends z.ZodType>(item: T, what: string) {
  return z.preprocess(
    (v) => (v === null || v === undefined ? [] : v),
    z.array(item, { error: () => `must be a list of ${what}` }),
  )
}

const serverSchema = mapping({
  name: leaf(nonEmptyString),
  url: leaf(hostUrl),
  priority: leaf(oneOf(PRIORITIES)).default('PRIMARY'),
})

const additionalServersSchema = z
  .preprocess(
    (v) => (v === null ? undefined : v),
    z
      .array(serverSchema, { error: () => 'must be a list of servers (name, url, priority)' })
      .optional(),
  )
  .superRefine((servers, ctx) => {
    const seen = new Set<string>()
    servers?.forEach((server, i) => {
      const name = server.name.toLowerCase()
      if (seen.has(name)) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'name'],
          message: 'must be unique among additional_servers',
          input: server.name,
        })
      }
      seen.add(name)
    })
  })

const tierRuleSchema = mapping({
  match: leaf(regex),
  tier: leaf(oneOf(TIERS)).optional(),
  specialisations: list(leaf(oneOf(SPECIALISATIONS)), listOr(SPECIALISATIONS)).optional(),
}).transform((rule): TierRule => {
  const out: TierRule = { match: rule.match }
  if (rule.tier !== undefined) out.tier = rule.tier
  if (rule.specialisations !== undefined) out.specialisations = rule.specialisations
  return out
})

const modelList = list(leaf(nonEmptyString), 'model tags').optional()
const taskModelsSchema = mapping(
  Object.fromEntries(TASK_TYPES.map((t) => [t, modelList])) as Record<TaskType, typeof modelList>,
).transform((record) => {
  const out: Partial<Record<TaskType, string[]>> = {}
  for (const t of TASK_TYPES) {
    const models = record[t]
    if (models !== undefined) out[t] = models
  }
  return out
})

const d = DEFAULT_CONFIG.llm.providers.ollama
const da = DEFAULT_CONFIG.api

const ollamaSchema = mapping({
  enabled: leaf(bool).default(d.enabled),
  base_url: leaf(nullable(hostUrl)).default(null),
  fallback_urls: list(leaf(hostUrl), 'host URLs'),
  additional_servers: additionalServersSchema,
  distributed_mode: leaf(bool).default(d.distributed_mode),
  auto_discover: leaf(bool).default(d.auto_discover),
  trust_discovered: leaf(bool).default(d.trust_discovered),
  trusted_servers: list(leaf(nonEmptyString), 'mDNS service names'),
  advertise: leaf(bool).default(d.advertise),
  background_loads: leaf(bool).default(d.background_loads),
  allow_cloud_models: leaf(bool).default(d.allow_cloud_models),
  mdns: mapping({
    enabled: leaf(bool).default(d.mdns.enabled),
    interface: leaf(nullable(ipv4)).default(null),
  }),
  timeouts: mapping({
    connect_ms: leaf(timerMs).default(d.timeouts.connect_ms),
    probe_ms: leaf(timerMs).default(d.timeouts.probe_ms),
    first_token_ms: leaf(timerMs).default(d.timeouts.first_token_ms),
    cold_first_token_ms: leaf(timerMs).default(d.timeouts.cold_first_token_ms),
    stall_ms: leaf(timerMs).default(d.timeouts.stall_ms),
    side_probe_ms: leaf(timerMs).default(d.timeouts.side_probe_ms),
    wedge_margin_ms: leaf(timerMs).default(d.timeouts.wedge_margin_ms),
  }),
  health_check_interval_s: leaf(intervalSeconds).default(d.health_check_interval_s),
  task_models: taskModelsSchema,
  tier_rules: list(tierRuleSchema, 'tier rules (match, tier, specialisations)'),
})
  .superRefine((o, ctx) => {
    // base_url becomes the server named `primary`; a second `primary` would make server ids collide.
    if (o.base_url === null || o.additional_servers === undefined) return
    o.additional_servers.forEach((s, i) => {
      if (s.name.toLowerCase() === 'primary') {
        ctx.addIssue({
          code: 'custom',
          path: ['additional_servers', i, 'name'],
          message: 'must not be "primary": that name belongs to base_url',
          input: s.name,
        })
      }
    })
  })
  .transform((o) => ({
    ...o,
    // Only a file that names no server at all gets localhost (see DEFAULT_LOCAL_SERVER).
    additional_servers:
      o.additional_servers ?? (o.base_url === null ? [{ ...DEFAULT_LOCAL_SERVER }] : []),
  }))

/** An `api.allowed_origins` entry, as Ollama's OLLAMA_ORIGINS takes them. */
const originPattern: Check<string> = (v) => {
  if (typeof v !== 'string')
    return { ok: false, message: 'must be a string such as "https://example.com"' }
  const problem = originPatternProblem(v.trim())
  return problem === null ? { ok: true, value: v.trim() } : { ok: false, message: problem }
}

const apiSchema = mapping({
  host: leaf(apiHost).default(da.host),
  port: leaf(port).default(da.port),
  token: leaf(nullable(nonEmptyString)).default(null),
  allowed_origins: list(
    leaf(originPattern),
    'origins (e.g. "https://example.com", "chrome-extension://*")',
  ),
}).superRefine((api, ctx) => {
  if (!isLoopbackHost(api.host) && api.token === null) {
    ctx.addIssue({
      code: 'custom',
      path: ['host'],
      message:
        'is not a loopback address, so api.token is required (anyone on the network could use the API otherwise)',
      input: api.host,
    })
  }
})

/** The whole config.yaml: every key optional, unknown keys rejected, output with every default filled. */
export const configSchema: z.ZodType<AillmConfig, unknown> = mapping({
  llm: mapping({ providers: mapping({ ollama: ollamaSchema }) }),
  api: apiSchema,
})

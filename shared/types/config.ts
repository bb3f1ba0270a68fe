import type { Priority } from './server'
import type { Specialisation, Tier } from './model'
import type { TaskType } from './routing'

/** One entry of `additional_servers`. */
export interface AdditionalServerConfig {
  name: string
  url: string
  priority: Priority
}

/** A tiering rule: models whose tag matches `match` (a case-insensitive regex) get this tier/specialisations. */
export interface TierRule {
  match: string
  tier?: Tier
  specialisations?: Specialisation[]
}

/** Timeouts, all in milliseconds. */
export interface TimeoutsConfig {
  /** TCP connect + response headers for chat. */
  connect_ms: number
  /** Whole probe of one server (/api/version, /api/tags, /api/ps). */
  probe_ms: number
  /**
   * Upper bound of a loaded model's wait for its first token beyond the prompt and queue time AILLM
   * predicts (the prediction plus wedge_margin_ms is the usual limit; this caps it).
   */
  first_token_ms: number
  /**
   * Upper bound of a cold model's wait (load + queue): a predicted wait beyond it is answered elsewhere
   * at once, and the load finishes in the background when `background_loads` is on.
   */
  cold_first_token_ms: number
  /** Longest silence between two tokens before the stream counts as broken. */
  stall_ms: number
  /** A status check sent to a server that is silent: no answer within this means it froze. */
  side_probe_ms: number
  /** How far past its predicted wait a silent server may go before it counts as wedged (at least). */
  wedge_margin_ms: number
}

/** mDNS options (issue 5). */
export interface MdnsConfig {
  enabled: boolean
  /** IPv4 address of the interface to use; null = the OS default. */
  interface: string | null
}

/**
 * `llm.providers.ollama`: the product spec's keys verbatim (snake_case), then our own optional ones.
 * After loading, every key is present (defaults filled in).
 */
export interface OllamaProviderConfig {
  enabled: boolean
  /** The main server (PRIMARY, named `primary`); null when not configured. */
  base_url: string | null
  /** Other addresses of the main server, tried in order. */
  fallback_urls: string[]
  additional_servers: AdditionalServerConfig[]
  distributed_mode: boolean
  auto_discover: boolean
  // ---- ours ----
  /** Use discovered (mDNS) servers without asking. */
  trust_discovered: boolean
  /** mDNS service names the user trusted. */
  trusted_servers: string[]
  /** Publish this machine's Ollama as `_ollama._tcp`. */
  advertise: boolean
  /** Let a model load that AILLM did not wait for finish in the background, for the next message. */
  background_loads: boolean
  /** Let `auto` route to cloud models (they send the conversation off the LAN). Named ones always go. */
  allow_cloud_models: boolean
  mdns: MdnsConfig
  timeouts: TimeoutsConfig
  /** Seconds between health probes of an online server. */
  health_check_interval_s: number
  /** Preferred models per task type, best first (e.g. code: [qwen2.5-coder:14b]). */
  task_models: Partial<Record<TaskType, string[]>>
  /** Extra tiering rules, checked before the built-in table. */
  tier_rules: TierRule[]
}

/** The local HTTP API (Ollama/OpenAI-compatible endpoint, web UI). */
export interface ApiConfig {
  host: string
  port: number
  /** Bearer token; required when host is not loopback. */
  token: string | null
  /** Extra browser origins allowed besides Ollama's defaults (patterns with one `*`). */
  allowed_origins: string[]
}

/** The whole config.yaml after defaults and validation. */
export interface AillmConfig {
  llm: { providers: { ollama: OllamaProviderConfig } }
  api: ApiConfig
}

/** One validation problem, located in the file. */
export interface ConfigIssue {
  /** Dotted key path, e.g. `llm.providers.ollama.additional_servers.0.priority`. */
  key: string
  /** 1-based; null when the problem has no place in the file (e.g. from the environment). */
  line: number | null
  column: number | null
  message: string
}

/** What the UI sees of the config. */
export interface ConfigView {
  path: string
  /** The file's text as on disk ('' when there is no file yet). */
  text: string
  /** The config in force (the last good one when the file has errors). */
  config: AillmConfig
  /** Problems of the file on disk; empty when it is valid. */
  issues: ConfigIssue[]
  /** Settings the config changed that the running app applies only after a restart (the API's address). */
  restartNeeded: RestartNeeded[]
}

/** A setting changed in the config that takes effect at the next start: `api.host` or `api.port`. */
export interface RestartNeeded {
  key: 'api.host' | 'api.port'
  /** The config's value when AILLM started, which the running API was started from (`serve --host/--port` override it). */
  running: string | number
  /** What the config says now (in force after a restart). */
  configured: string | number
}

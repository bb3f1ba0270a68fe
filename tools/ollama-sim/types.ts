/** A fault injected into one simulated server; `none` means healthy. */
export type Fault =
  | { kind: 'none' }
  /** Listener closed: clients get ECONNREFUSED until the fault is lifted. */
  | { kind: 'stopped' }
  /** Connections are accepted and requests read, but never answered. */
  | { kind: 'hang' }
  /** Wait this long before the response headers of model-serving routes. */
  | { kind: 'slow-first-byte'; ms: number }
  /**
   * Answer model-serving routes with this status and an Ollama error body. With `afterChunks`, a
   * streaming request first gets that many chunks (status 200) and then the error as its last line,
   * the way Ollama reports a failure after streaming started.
   */
  | { kind: 'http-error'; status: 500 | 503; afterChunks?: number }
  /** Destroy the socket after this many content chunks. */
  | { kind: 'drop-after'; chunks: number }
  /** After this many content chunks write a line that is not JSON, then end without `done`. */
  | { kind: 'malformed-chunk'; after: number }
  /** Wait this long between chunks instead of the model's token pace. */
  | { kind: 'trickle'; msPerChunk: number }

/** Every fault kind, for validation and help texts. */
export const FAULT_KINDS = [
  'none',
  'stopped',
  'hang',
  'slow-first-byte',
  'http-error',
  'drop-after',
  'malformed-chunk',
  'trickle',
] as const satisfies readonly Fault['kind'][]

/** One model a simulated server offers; everything but the name is derived from the tag when absent. */
export interface SimModelSpec {
  name: string
  /** Architecture family as Ollama reports it, e.g. `gemma3`, `qwen2`, `llama`. */
  family?: string
  /** Ollama's `details.parameter_size`, e.g. `12.2B`. */
  parameterSize?: string
  /** Ollama's `details.quantization_level`; default `Q4_K_M`. */
  quantization?: string
  sizeBytes?: number
  capabilities?: string[]
  /** Cold-load time in ms; overrides the server's `loadMs`. */
  loadMs?: number
  /** Generation speed; overrides the per-size default (the server's `tokensPerSecond` wins over both). */
  tokensPerSecond?: number
  /** Bytes of the loaded model in GPU memory, as /api/ps reports; default = sizeBytes (all on GPU). */
  sizeVram?: number
  /** Trained context length (`model_info["<family>.context_length"]`). */
  contextLength?: number
}

/** Options of one simulated Ollama server. */
export interface SimServerOptions {
  /** Shown in replies as `[<model>@<name>]`. */
  name: string
  /** Default 127.0.0.1. */
  host?: string
  /** Default 11434; 0 = any free port (the server's `port`/`url` then tell the real one). */
  port?: number
  models: (SimModelSpec | string)[]
  fault?: Fault
  /** Reported by /api/version; default 0.12.3. */
  version?: string
  /** Default cold-load time in ms for models without their own; default 0. */
  loadMs?: number
  /** Default keep_alive when a request gives none; default '5m'. */
  keepAlive?: string | number
  /** Overrides every model's generation speed (tokens per second of simulated time). */
  tokensPerSecond?: number
  /**
   * Multiplies every simulated wait (loads, token pacing) in real time; 0 = no waiting at all.
   * Reported durations stay in simulated time, so metrics look the same at any scale. Default 1.
   */
  timeScale?: number
  /** Words in a reply after the `[model@server]` prefix; default 24. */
  replyWords?: number
  /** Requests waiting or running on the server before new ones get 503; default 512 (Ollama's). */
  maxQueue?: number
  /** Epoch-ms clock for keep_alive expiry and /api/ps dates; tests pass a fake one. Default Date.now. */
  clock?: () => number
}

/** One request the server received, so tests can prove where a request went. */
export interface SimRequestRecord {
  method: string
  path: string
  /** The `model` of the body, when the route has one and it was readable. */
  model?: string
  /** Epoch ms when the request arrived. */
  at: number
}

/** A model currently in memory. */
export interface SimLoadedModel {
  name: string
  /** Epoch ms; null = kept forever (negative keep_alive). */
  expiresAt: number | null
}

/** What `GET /_sim/state` answers. */
export interface SimState {
  name: string
  url: string
  fault: Fault
  models: string[]
  loaded: SimLoadedModel[]
  /** Requests received, by path. */
  requestCounts: Record<string, number>
}

/** A running simulated Ollama server. */
export interface SimServer {
  readonly name: string
  /** `http://host:port`, with the real port once listening. */
  readonly url: string
  readonly host: string
  readonly port: number
  /** Change the fault at runtime; `stopped` closes the listener, lifting it re-listens on the same port. */
  setFault(fault: Fault): Promise<void>
  /** The fault in force. */
  fault(): Fault
  /** Replace the model list at runtime; models no longer offered are unloaded. */
  setModels(models: (SimModelSpec | string)[]): void
  /** Close the listener and every open connection (hung ones too). */
  stop(): Promise<void>
  /** Listen again (on the same port as before once one was assigned). */
  start(): Promise<void>
  /** Names of the models in memory now. */
  loaded(): string[]
  /** Same data as `GET /_sim/state`. */
  state(): SimState
  /** Every request received, oldest first. */
  readonly requests: SimRequestRecord[]
}

/** A server in a fleet file: the server options plus the address it must use. */
export interface FleetServerSpec extends Omit<SimServerOptions, 'host' | 'port'> {
  host: string
  port: number
}

/** A fleet file's content. */
export interface FleetSpec {
  servers: FleetServerSpec[]
}

/** Overrides applied to every server of a fleet when starting it (tests, benches). */
export interface FleetOverrides {
  host?: string
  port?: number
  loadMs?: number
  tokensPerSecond?: number
  timeScale?: number
}

/** Several simulated servers started together. */
export interface Fleet {
  servers: SimServer[]
  /** The server with this name; throws when there is none. */
  get(name: string): SimServer
  stop(): Promise<void>
}

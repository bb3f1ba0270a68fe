/** A fault injected into one simulated server; `none` means healthy. */
export type Fault =
  | { kind: 'none' }
  /** Listener closed: clients get ECONNREFUSED until the fault is lifted. */
  | { kind: 'stopped' }
  /**
   * A frozen box (power saving, kernel stall, network black hole): connections are accepted and
   * requests read, but nothing is ever sent, probes (`/`, `/api/version`) included; streams in
   * flight stop sending too. `/_sim/*` keeps answering so the fault can be lifted.
   */
  | { kind: 'frozen' }
  /** The old name of `frozen`; behaves exactly the same. */
  | { kind: 'hang' }
  /**
   * A wedged runner: `/`, `/api/version`, `/api/tags`, `/api/ps` and `/api/show` answer at once,
   * but generation never starts (a cold model never finishes loading, a warm one never sends a
   * token) until the client gives up.
   */
  | { kind: 'wedged' }
  /**
   * The runner crashes after this many chunks: a streamed answer ends with the line
   * `{"error":"an error was encountered while running the model: …"}` and no `done` (a
   * non-streamed one is a 500 with that text); the model is no longer loaded afterwards.
   */
  | { kind: 'crash'; afterChunks: number }
  /** The stream ends cleanly after this many chunks, without a `done` line (token-repeat abort). */
  | { kind: 'no-done'; afterChunks: number }
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
  'frozen',
  'hang',
  'wedged',
  'crash',
  'no-done',
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
  /**
   * Cold-load time in ms; overrides what the server derives from the size (`loadMs` +
   * size / `diskMBps`).
   */
  loadMs?: number
  /** Generation speed; overrides the per-size default (the server's `tokensPerSecond` wins over both). */
  tokensPerSecond?: number
  /** Bytes of the loaded model in GPU memory, as /api/ps reports; default = sizeBytes (all on GPU). */
  sizeVram?: number
  /** Trained context length (`model_info["<family>.context_length"]`). */
  contextLength?: number
  /**
   * Prompt processing speed (tokens per second) before the first byte; default 20 × the
   * generation speed (the server's `promptTokensPerSecond` wins).
   */
  promptTokensPerSecond?: number
  /**
   * A cloud model (`*-cloud`): listed with `remote_host`/`remote_model`, answered with 401 since
   * nobody is signed in to ollama.com. Default `https://ollama.com:443` for names ending `-cloud`.
   */
  remoteHost?: string
  /** The model name on the remote host; default: the name without `-cloud`. */
  remoteModel?: string
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
  /** Reported by /api/version; default 0.33.3 (the behaviour simulated is that of the 0.33 line). */
  version?: string
  /**
   * Fixed part of a cold load in ms (runner start-up) for models without their own `loadMs`;
   * default 0. The size part comes from `diskMBps`.
   */
  loadMs?: number
  /**
   * Disk read speed in MB/s (10^6 bytes): a cold load also takes size / speed. Unset = the size
   * costs nothing (loads take `loadMs` only).
   */
  diskMBps?: number
  /**
   * GPU memory budget in bytes: the loaded models' `size_vram` must fit in it, else idle models
   * are evicted first and a busy one is waited for. A model bigger than the budget is loaded with
   * the budget's worth on the GPU (partial offload), once everything else is out. Unset = no limit.
   */
  vramBytes?: number
  /** OLLAMA_MAX_LOADED_MODELS: at most this many models in memory; unset or 0 = no limit. */
  maxLoadedModels?: number
  /** OLLAMA_NUM_PARALLEL: requests one loaded model runs at once; default 1. */
  numParallel?: number
  /** OLLAMA_CONTEXT_LENGTH: num_ctx of a request that gives none; default 4096. */
  contextLength?: number
  /** Overrides every model's prompt processing speed (tokens per second of simulated time). */
  promptTokensPerSecond?: number
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
  /**
   * OLLAMA_MAX_QUEUE: requests waiting to be scheduled (for a load, an eviction, a reload) before
   * new ones get 503; default 512. Requests waiting for a busy model's slot do not count (as in
   * Ollama, they already have their runner).
   */
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
  /** num_ctx the runner was loaded with (capped at the model's trained context). */
  contextLength: number
  /** Bytes on the GPU (`size_vram`). */
  sizeVram: number
  /** Requests holding the runner (generating or waiting for one of its slots). */
  active: number
  /** Of those, the ones waiting for a slot. */
  waiting: number
}

/** What `GET /_sim/state` answers. */
export interface SimState {
  name: string
  url: string
  fault: Fault
  models: string[]
  loaded: SimLoadedModel[]
  /** The model being loaded now (not yet in /api/ps), if any. */
  loading: string | null
  /** Requests waiting to be scheduled (they count towards `maxQueue`). */
  queued: number
  /** Loads finished since start, by model (reloads and evictions show here). */
  loads: Record<string, number>
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
  /** Names of the models in memory now (longest remaining keep_alive first, like /api/ps). */
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
  diskMBps?: number
  tokensPerSecond?: number
  promptTokensPerSecond?: number
  timeScale?: number
}

/** Several simulated servers started together. */
export interface Fleet {
  servers: SimServer[]
  /** The server with this name; throws when there is none. */
  get(name: string): SimServer
  stop(): Promise<void>
}

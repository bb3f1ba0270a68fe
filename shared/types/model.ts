/** Capability tier of a model: small and quick, mid-size all-rounder, or large and strong. */
export type Tier = 'fast' | 'balanced' | 'powerful'

/** What a model is especially good at, beyond general chat. */
export type Specialisation = 'code' | 'reasoning' | 'vision' | 'embedding'

/** One model on one server, as the model index knows it. */
export interface ModelEntry {
  /** Tag as Ollama lists it, e.g. `gemma3:1b`. */
  name: string
  serverId: string
  family: string
  /** Ollama's `details.parameter_size`, e.g. `3.2B`; derived from the tag when absent. */
  parameterSize: string
  /** Parameter count in billions, null when it cannot be told. */
  parametersB: number | null
  quantization: string
  sizeBytes: number
  /** From /api/show: completion, tools, vision, thinking, embedding, … (empty when unknown). */
  capabilities: string[]
  tier: Tier
  specialisations: Specialisation[]
  /** False for embedding-only models: chat is never routed to them. */
  chatCapable: boolean
  /** Loaded in memory according to /api/ps. */
  loaded: boolean
  /** When loaded: whether it sits wholly in GPU memory (size_vram >= size); null when not loaded. */
  fullyInGpu: boolean | null
  /**
   * When loaded: the context length its runner was started with (/api/ps `context_length`); a request
   * with another `num_ctx` reloads the model. Null or absent when not loaded or not reported.
   */
  loadedContextLength?: number | null
  /**
   * A cloud model (`remote_host` in /api/tags, e.g. `gpt-oss:120b-cloud`): chatting with it sends the
   * conversation off the LAN to ollama.com. `auto` leaves it out unless `allow_cloud_models` is on.
   */
  cloud?: boolean
  /** Measured generation speed on this server (moving average), null before the first answer. */
  tokensPerSecond: number | null
}

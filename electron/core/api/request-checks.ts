/**
 * Checks of a request's own mistakes, made at our edge so they answer 400 and never reach a server:
 * real Ollama answers a wrongly typed option or an invalid `format` with HTTP 500, which would look
 * like the server's fault and open its breaker (ollama-behaviour.md, "Errors").
 */
import { ApiError } from './http-util'

type OptionType = 'integer' | 'number' | 'boolean' | 'strings'

/** Ollama's runner and sampling options with the type its `Options.FromMap` demands (api/types.go). */
const OPTION_TYPES: Readonly<Record<string, OptionType>> = {
  numa: 'boolean',
  num_ctx: 'integer',
  num_batch: 'integer',
  num_gpu: 'integer',
  main_gpu: 'integer',
  low_vram: 'boolean',
  f16_kv: 'boolean',
  logits_all: 'boolean',
  vocab_only: 'boolean',
  use_mmap: 'boolean',
  use_mlock: 'boolean',
  embedding_only: 'boolean',
  num_thread: 'integer',
  num_keep: 'integer',
  seed: 'integer',
  num_predict: 'integer',
  top_k: 'integer',
  top_p: 'number',
  min_p: 'number',
  tfs_z: 'number',
  typical_p: 'number',
  repeat_last_n: 'integer',
  temperature: 'number',
  repeat_penalty: 'number',
  presence_penalty: 'number',
  frequency_penalty: 'number',
  mirostat: 'integer',
  mirostat_tau: 'number',
  mirostat_eta: 'number',
  penalize_newline: 'boolean',
  stop: 'strings',
}

const TYPE_WORDS: Readonly<Record<OptionType, string>> = {
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  strings: 'an array of strings',
}

function fits(type: OptionType, value: unknown): boolean {
  switch (type) {
    // Ollama takes a JSON number for an integer option and truncates it, as Go's float64 → int does.
    case 'integer':
    case 'number':
      return typeof value === 'number' && Number.isFinite(value)
    case 'boolean':
      return typeof value === 'boolean'
    case 'strings':
      return Array.isArray(value) && value.every((s) => typeof s === 'string')
  }
}

/**
 * 400 naming the first option whose value has the wrong type (`options.num_ctx must be an integer, got
 * "big"`). Unknown option names pass: Ollama ignores them with a warning, and newer servers know more.
 * A `null` value means "not set" to Ollama and passes too.
 */
export function checkOllamaOptions(options: Record<string, unknown>, where = 'options'): void {
  for (const [key, value] of Object.entries(options)) {
    const type = OPTION_TYPES[key]
    if (type === undefined || value === null || fits(type, value)) continue
    throw new ApiError(
      400,
      `${where}.${key} must be ${TYPE_WORDS[type]}, got ${JSON.stringify(value)}`,
    )
  }
}

/** 400 unless `format` is absent, "" (none), "json", or a JSON schema object. */
export function checkFormat(format: unknown, where = 'format'): void {
  if (format === undefined || format === null || format === '' || format === 'json') return
  if (typeof format === 'object' && !Array.isArray(format)) return
  throw new ApiError(
    400,
    `"${where}" must be "json" or a JSON schema object, got ${JSON.stringify(format)}`,
  )
}

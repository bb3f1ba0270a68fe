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
      return Number.isFinite(value) // false for anything but a finite number
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
  if (format === undefined || format === '' || format === 'json') return
  // A schema object, or null (JSON's "no format").
  if (typeof format === 'object' && !Array.isArray(format)) return
  throw new ApiError(
    400,
    `"${where}" must be "json" or a JSON schema object, got ${JSON.stringify(format)}`,
  )
}

/** A bad value, short enough for an error message. */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 40 ? `${text.slice(0, 37)}...` : text
}

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/**
 * Base64 as Ollama decodes `images` (Go's standard encoding: padded, line breaks skipped). A loop, not
 * a regex: an image is megabytes, and a regex over that many repetitions can exhaust V8's stack.
 */
export function isBase64(text: string): boolean {
  const s = text.replace(/[\r\n]/g, '')
  if (s.length === 0 || s.length % 4 !== 0) return false
  const padding = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0
  for (let i = 0; i < s.length - padding; i++) {
    if (!BASE64_ALPHABET.includes(s[i] as string)) return false
  }
  return true
}

/**
 * 400 unless `images` is an array of base64 strings, naming the place (`messages[2].images[0]`): a
 * garbage image would otherwise be dropped silently, or reach the server and come back as its 500.
 */
export function checkImages(images: unknown, where: string): string[] {
  if (!Array.isArray(images)) {
    throw new ApiError(
      400,
      `${where} must be an array of base64-encoded images, got ${shown(images)}`,
    )
  }
  images.forEach((image, j) => checkBase64Image(image, `${where}[${j}]`))
  return images as string[]
}

/** 400 unless `image` is base64 image data (the part after `base64,` of a data: URL, or Ollama's own). */
export function checkBase64Image(image: unknown, where: string): string {
  if (typeof image === 'string' && isBase64(image)) return image
  const hint =
    typeof image === 'string' && image.startsWith('data:') ? ' (without the data: URL prefix)' : ''
  throw new ApiError(400, `${where} must be base64-encoded image data${hint}, got ${shown(image)}`)
}

/** 400 unless `think` is absent, true/false, or an effort level (Ollama ignores anything else). */
export function checkThink(think: unknown): void {
  if (think === undefined || think === null || typeof think === 'boolean') return
  if (think === 'low' || think === 'medium' || think === 'high') return
  throw new ApiError(
    400,
    `"think" must be true, false, "low", "medium" or "high", got ${shown(think)}`,
  )
}

/** OpenAI sampling fields and what each must be; all optional, `null` = not set. */
const OPENAI_NUMBERS = ['temperature', 'top_p', 'frequency_penalty', 'presence_penalty'] as const
const OPENAI_INTEGERS = ['seed'] as const
/** Token limits: Ollama reads `num_predict: -1` as "no limit", so a negative one must not pass. */
const OPENAI_TOKEN_LIMITS = ['max_tokens', 'max_completion_tokens'] as const

/**
 * 400 naming the first mistyped OpenAI sampling field (`"temperature" must be a number, got "hot"`,
 * `"max_tokens" must be a whole number of at least 1, got -1`), before any of them is mapped onto
 * Ollama's options.
 */
export function checkOpenAiSampling(body: Record<string, unknown>): void {
  const present = (k: string) => body[k] !== undefined && body[k] !== null
  const isNumber = (v: unknown): v is number => Number.isFinite(v)
  for (const k of [...OPENAI_NUMBERS, ...OPENAI_INTEGERS, ...OPENAI_TOKEN_LIMITS]) {
    if (present(k) && !isNumber(body[k])) {
      throw new ApiError(400, `"${k}" must be a number, got ${shown(body[k])}`)
    }
  }
  for (const k of OPENAI_INTEGERS) {
    if (present(k) && !Number.isInteger(body[k])) {
      throw new ApiError(400, `"${k}" must be a whole number, got ${shown(body[k])}`)
    }
  }
  for (const k of OPENAI_TOKEN_LIMITS) {
    const v = body[k]
    if (present(k) && !(Number.isInteger(v) && (v as number) >= 1)) {
      throw new ApiError(400, `"${k}" must be a whole number of at least 1, got ${shown(v)}`)
    }
  }
}

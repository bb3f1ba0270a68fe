/**
 * A chat, generate or OpenAI request read and checked the way Ollama's handlers do it, with the
 * status and text of each refusal.
 */
import type { Api } from './frames'
import type { KeepAlive } from './keep-alive'
import type { ResolvedModel } from './model-catalog'
import { readFormat, readOptions, type OutputFormat, type RequestOptions } from './request-options'
import {
  ctxDefaults,
  isRecord,
  keepAliveOf,
  MESSAGES,
  RequestError,
  tokenCount,
  type SimContext,
} from './serving'
import { chooseToolCall, type SimToolCall } from './structured'
import { completionAsGenerate } from './completion-request'

/** A chat, generate or OpenAI chat request after validation. */
export interface Generation {
  api: Api
  model: ResolvedModel
  /** The model name as the client wrote it; Ollama echoes it back. */
  requested: string
  prompt: string
  promptTokens: number
  stream: boolean
  /** null = the request gave none (a loaded model keeps its own). */
  keepAlive: KeepAlive | null
  options: RequestOptions
  format: OutputFormat
  think: boolean
  toolCall: SimToolCall | null
  includeUsage: boolean
  /** Empty messages / prompt: only load (or, with keep_alive 0, unload) the model. */
  loadOnly: boolean
  /** loadOnly with keep_alive 0: unload the model and answer `unload`. */
  unload: boolean
  /** /api/generate `raw`: no template, and no `context` in the answer. */
  raw: boolean
  /** /api/generate `context` given by the client (token ids of an earlier exchange). */
  context: number[]
  /** Prompt tokens the images cost (part of promptTokens, not of the text's token ids). */
  imageTokens: number
}

/** Prompt tokens an image costs a vision model (gemma3's 256 soft tokens). */
const IMAGE_TOKENS = 256

/** Text of an OpenAI message content: a string or an array of parts. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content
  if (Array.isArray(content)) {
    return content
      .map((p) => (isRecord(p) && typeof p['text'] === 'string' ? p['text'] : ''))
      .join(' ')
  }
  return ''
}

/** `think` as Ollama reads it: absent = on for models that can think; `false` = off. */
function thinkOf(value: unknown, canThink: boolean): { asked: boolean; on: boolean } {
  if (value === undefined || value === null) return { asked: false, on: canThink }
  const on = value !== false && value !== 'none'
  return { asked: on, on }
}

const EFFORTS = ['low', 'medium', 'high', 'max']

/**
 * The `think` an OpenAI request means (openai.go `thinkFromReasoningEffort`): `reasoning.effort`
 * or `reasoning_effort`; absent = the model's default, `none` = off, `minimal` → low,
 * `xhigh`/`ultra` → max. /v1 has no `think` field of its own.
 */
function openAiThink(v: Record<string, unknown>): unknown {
  const reasoning = v['reasoning']
  const effort = isRecord(reasoning) ? (reasoning['effort'] ?? '') : (v['reasoning_effort'] ?? '')
  if (effort === '') return undefined
  if (effort === 'none') return false
  if (effort === 'minimal') return 'low'
  if (effort === 'xhigh' || effort === 'ultra') return 'max'
  if (typeof effort === 'string' && EFFORTS.includes(effort)) return effort
  throw new RequestError(
    400,
    `invalid reasoning value: ${JSON.stringify(String(effort))} (must be "minimal", "low", "medium", "high", "xhigh", "ultra", "max", or "none")`,
  )
}

/** `response_format` of the OpenAI API as the Ollama `format` it maps to. */
function openAiFormat(value: unknown): unknown {
  if (!isRecord(value)) return undefined
  if (value['type'] === 'json_object') return 'json'
  if (value['type'] === 'json_schema') {
    const schema = isRecord(value['json_schema']) ? value['json_schema']['schema'] : undefined
    return isRecord(schema) ? schema : 'json'
  }
  return undefined
}

/** Go's base64.StdEncoding check of one image (api.ImageData is []byte). */
function checkBase64(text: string): void {
  const bad = text.search(/[^A-Za-z0-9+/=\r\n]/)
  const at = bad >= 0 ? bad : text.replace(/[\r\n]/g, '').length % 4 !== 0 ? text.length : -1
  if (at >= 0) throw new RequestError(400, `illegal base64 data at input byte ${at}`)
}

/** How many images a list holds, after checking each is base64. */
function imageCount(images: unknown, where: string): number {
  if (images === undefined || images === null) return 0
  if (!Array.isArray(images)) throw new RequestError(400, `${where} must be an array`)
  for (const image of images) {
    if (typeof image !== 'string') throw new RequestError(400, `${where} must hold base64 strings`)
    checkBase64(image)
  }
  return images.length
}

/** `context`: a list of token ids, as Go binds `[]int`. */
function contextOf(value: unknown): number[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value) || !value.every((t) => Number.isInteger(t))) {
    const bad = Array.isArray(value) ? value.find((t) => !Number.isInteger(t)) : value
    const kind = typeof bad === 'number' ? 'number' : Array.isArray(bad) ? 'array' : typeof bad
    throw new RequestError(
      400,
      `json: cannot unmarshal ${kind} into Go struct field GenerateRequest.context of type int`,
    )
  }
  return value as number[]
}

/** The prompt side of a generate request: what the reply echoes and what it costs. */
interface PromptParts {
  prompt: string
  promptTokens: number
  loadOnly: boolean
  last: { role: string; text: string } | undefined
  images: number
  raw: boolean
  context: number[]
  /** raw together with a template, system or context: refused after the unload case. */
  rawConflict: boolean
}

function generatePrompt(v: Record<string, unknown>): PromptParts {
  const p = v['prompt'] ?? ''
  if (typeof p !== 'string') throw new RequestError(400, 'prompt must be a string')
  const str = (key: string): string => {
    const value = v[key] ?? ''
    if (typeof value !== 'string') throw new RequestError(400, `${key} must be a string`)
    return value
  }
  const system = str('system')
  const suffix = str('suffix')
  const template = str('template')
  const raw = v['raw'] ?? false
  if (typeof raw !== 'boolean') throw new RequestError(400, 'raw must be a boolean')
  const context = contextOf(v['context'])
  const images = imageCount(v['images'], 'images')
  // raw: the prompt goes to the model as it is, no template tokens around it.
  const text = system + p + suffix
  const promptTokens = (raw ? Math.ceil(text.length / 4) : tokenCount(text)) + context.length
  const rawConflict = raw && (template !== '' || system !== '' || context.length > 0)
  return {
    prompt: p,
    promptTokens,
    loadOnly: p === '',
    last: undefined,
    images,
    raw,
    context,
    rawConflict,
  }
}

function chatPrompt(api: Api, v: Record<string, unknown>): PromptParts {
  const messages = v['messages'] ?? []
  if (!Array.isArray(messages)) throw new RequestError(400, 'messages must be an array')
  let images = 0
  messages.forEach((m, i) => {
    if (!isRecord(m) || typeof m['role'] !== 'string') {
      throw new RequestError(400, `messages[${i}] must be an object with a string "role"`)
    }
    if (api === 'chat' && m['content'] !== undefined && typeof m['content'] !== 'string') {
      throw new RequestError(400, `messages[${i}].content must be a string`)
    }
    images += imageCount(m['images'], `messages[${i}].images`)
    const content = m['content']
    if (Array.isArray(content)) {
      images += content.filter((part) => isRecord(part) && part['type'] === 'image_url').length
    }
  })
  if (api === 'openai' && messages.length === 0) {
    // ChatMiddleware's words for an empty list.
    throw new RequestError(400, "[] is too short - 'messages'")
  }
  const typed = messages as Record<string, unknown>[]
  const lastUser = [...typed].reverse().find((m) => m['role'] === 'user')
  const tail = typed.at(-1)
  return {
    prompt: contentText(lastUser?.['content']),
    promptTokens: typed.reduce((n, m) => n + tokenCount(contentText(m['content'])), 0),
    loadOnly: messages.length === 0,
    last: tail ? { role: String(tail['role']), text: contentText(tail['content']) } : undefined,
    images,
    raw: false,
    context: [],
    rawConflict: false,
  }
}

/**
 * Reads a generation request; throws RequestError with Ollama's status and text, in the order
 * GenerateHandler / ChatHandler check them (unknown model, unload, raw, thinking, capabilities,
 * options).
 */
export function parseGeneration(
  ctx: SimContext,
  api: Api,
  body: Record<string, unknown>,
): Generation {
  const v = api === 'completions' ? completionAsGenerate(body) : body
  const requested = v['model']
  if (requested === undefined || requested === '')
    throw new RequestError(400, MESSAGES.modelRequired)
  if (typeof requested !== 'string') throw new RequestError(400, 'model must be a string')
  const generate = api === 'generate' || api === 'completions'
  const parts = generate ? generatePrompt(v) : chatPrompt(api, v)
  const model = ctx.findModel(requested)
  // GenerateHandler / ChatHandler: getModel fails with fs.ErrNotExist before any scheduling.
  if (!model) throw new RequestError(404, `model '${requested}' not found`)
  const keepAlive = keepAliveOf(v['keep_alive'])
  if (!keepAlive.ok) throw new RequestError(400, keepAlive.error)
  const unload =
    parts.loadOnly && keepAlive.value?.kind === 'ms' && keepAlive.value.ms === 0 && api !== 'openai'
  if (!unload && parts.rawConflict) {
    throw new RequestError(400, 'raw mode does not support template, system, or context')
  }

  const think = thinkOf(
    api === 'openai' ? openAiThink(v) : v['think'],
    model.capabilities.includes('thinking'),
  )
  const tools = v['tools']
  const hasTools = !generate && Array.isArray(tools) && tools.length > 0
  const suffix = generate && typeof v['suffix'] === 'string' && v['suffix'] !== ''
  if (!unload) {
    if (think.asked && !model.capabilities.includes('thinking')) {
      throw new RequestError(400, `"${requested}" does not support thinking`)
    }
    if (!model.capabilities.includes('completion')) {
      throw new RequestError(
        400,
        `"${requested}" does not support ${generate ? 'generate' : 'chat'}`,
      )
    }
    // CheckCapabilities: "<full name> does not support <capability>".
    const missing = [
      ...(hasTools && !model.capabilities.includes('tools') ? ['tools'] : []),
      ...(suffix && !model.capabilities.includes('insert') ? ['insert'] : []),
    ]
    if (missing.length > 0) {
      const name = `registry.ollama.ai/library/${model.name}`
      throw new RequestError(400, `${name} does not support ${missing.join('\n')}`)
    }
  }

  const streamValue = v['stream']
  if (streamValue !== undefined && typeof streamValue !== 'boolean') {
    throw new RequestError(400, 'stream must be a boolean')
  }
  // Ollama streams by default; the OpenAI API does not (its middleware always says which).
  const stream = streamValue ?? api !== 'openai'
  const rawOptions = v['options'] ?? {}
  if (!isRecord(rawOptions)) throw new RequestError(400, 'options must be an object')
  const defaults = ctxDefaults(ctx, model)
  // Unloading happens before the options are looked at; a mistyped option is a 500 in Ollama
  // (handleScheduleError), not a 400.
  const options = unload ? readOptions({}, defaults) : readOptions(rawOptions, defaults)
  if (!options.ok) throw new RequestError(500, options.error)
  if (api === 'openai') {
    // FromChatRequest: max_tokens → num_predict (ChatCompletionRequest has no
    // max_completion_tokens, so Ollama ignores that one).
    const limit = v['max_tokens']
    if (limit !== undefined && limit !== null && !Number.isInteger(limit)) {
      const kind = typeof limit === 'number' ? 'number' : typeof limit
      throw new RequestError(
        400,
        `json: cannot unmarshal ${kind} into Go struct field ChatCompletionRequest.max_tokens of type int`,
      )
    }
    options.value.numPredict = typeof limit === 'number' && limit > 0 ? limit : null
  }
  const format = unload
    ? readFormat(undefined)
    : readFormat(api === 'openai' ? openAiFormat(v['response_format']) : v['format'])
  if (!format.ok) throw new RequestError(500, format.error)
  const streamOptions = v['stream_options']
  const includeUsage = isRecord(streamOptions) && streamOptions['include_usage'] === true
  const imageTokens = model.capabilities.includes('vision') ? parts.images * IMAGE_TOKENS : 0

  return {
    api,
    model,
    requested,
    prompt: parts.prompt,
    promptTokens: parts.promptTokens + imageTokens,
    stream,
    keepAlive: keepAlive.value,
    options: options.value,
    format: format.value,
    think: think.on,
    toolCall: hasTools ? chooseToolCall(tools, parts.last) : null,
    includeUsage,
    loadOnly: parts.loadOnly,
    unload,
    raw: parts.raw,
    context: parts.context,
    imageTokens,
  }
}

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
}

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

/** Reads a generation request; throws RequestError with Ollama's status and text. */
export function parseGeneration(ctx: SimContext, api: Api, v: Record<string, unknown>): Generation {
  const requested = v['model']
  if (requested === undefined || requested === '')
    throw new RequestError(400, MESSAGES.modelRequired)
  if (typeof requested !== 'string') throw new RequestError(400, 'model must be a string')
  const model = ctx.findModel(requested)
  if (!model) throw new RequestError(404, `model "${requested}" not found, try pulling it first`)

  let prompt = ''
  let promptTokens = 0
  let loadOnly = false
  let last: { role: string; text: string } | undefined
  if (api === 'generate') {
    const p = v['prompt'] ?? ''
    if (typeof p !== 'string') throw new RequestError(400, 'prompt must be a string')
    const system = typeof v['system'] === 'string' ? v['system'] : ''
    prompt = p
    promptTokens = tokenCount(system + p)
    loadOnly = p === ''
  } else {
    const messages = v['messages'] ?? []
    if (!Array.isArray(messages)) throw new RequestError(400, 'messages must be an array')
    messages.forEach((m, i) => {
      if (!isRecord(m) || typeof m['role'] !== 'string') {
        throw new RequestError(400, `messages[${i}] must be an object with a string "role"`)
      }
      if (api === 'chat' && m['content'] !== undefined && typeof m['content'] !== 'string') {
        throw new RequestError(400, `messages[${i}].content must be a string`)
      }
    })
    if (api === 'openai' && messages.length === 0) {
      throw new RequestError(400, 'messages must be a non-empty array')
    }
    const typed = messages as Record<string, unknown>[]
    const lastUser = [...typed].reverse().find((m) => m['role'] === 'user')
    prompt = contentText(lastUser?.['content'])
    promptTokens = typed.reduce((n, m) => n + tokenCount(contentText(m['content'])), 0)
    loadOnly = messages.length === 0
    const tail = typed.at(-1)
    if (tail) last = { role: String(tail['role']), text: contentText(tail['content']) }
  }

  if (!model.capabilities.includes('completion')) {
    const what = api === 'generate' ? 'generate' : 'chat'
    throw new RequestError(400, `"${requested}" does not support ${what}`)
  }
  const tools = v['tools']
  const hasTools = Array.isArray(tools) && tools.length > 0
  if (hasTools && !model.capabilities.includes('tools')) {
    throw new RequestError(400, `registry.ollama.ai/library/${model.name} does not support tools`)
  }
  const think = thinkOf(
    api === 'openai' ? (v['reasoning_effort'] ?? v['think']) : v['think'],
    model.capabilities.includes('thinking'),
  )
  if (think.asked && !model.capabilities.includes('thinking')) {
    throw new RequestError(400, `"${requested}" does not support thinking`)
  }

  const streamValue = v['stream']
  if (streamValue !== undefined && typeof streamValue !== 'boolean') {
    throw new RequestError(400, 'stream must be a boolean')
  }
  // Ollama streams by default; the OpenAI API does not.
  const stream = streamValue ?? api !== 'openai'
  const keepAlive = keepAliveOf(v['keep_alive'])
  if (!keepAlive.ok) throw new RequestError(400, keepAlive.error)

  const rawOptions = v['options'] ?? {}
  if (!isRecord(rawOptions)) throw new RequestError(400, 'options must be an object')
  // A mistyped option is a 500 in Ollama (handleScheduleError), not a 400.
  const options = readOptions(rawOptions, ctxDefaults(ctx, model))
  if (!options.ok) throw new RequestError(500, options.error)
  if (api === 'openai') {
    const limit = v['max_completion_tokens'] ?? v['max_tokens']
    options.value.numPredict = typeof limit === 'number' && limit > 0 ? Math.floor(limit) : null
  }
  const format = readFormat(api === 'openai' ? openAiFormat(v['response_format']) : v['format'])
  if (!format.ok) throw new RequestError(500, format.error)
  const streamOptions = v['stream_options']
  const includeUsage = isRecord(streamOptions) && streamOptions['include_usage'] === true

  return {
    api,
    model,
    requested,
    prompt,
    promptTokens,
    stream,
    keepAlive: keepAlive.value,
    options: options.value,
    format: format.value,
    think: think.on,
    toolCall: hasTools && api !== 'generate' ? chooseToolCall(tools, last) : null,
    includeUsage,
    loadOnly,
  }
}

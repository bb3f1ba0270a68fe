/**
 * What the two OpenAI generation routes (`/v1/chat/completions`, `/v1/completions`) share on the wire:
 * sampling fields mapped onto Ollama's options, usage from the backend's counts, SSE frames.
 */
import type { Options as OllamaOptions } from 'ollama'
import type { TokenUsage } from '../../../shared/types'
import { ApiError } from './http-util'
import { checkOpenAiSampling } from './request-checks'

/** Maps OpenAI sampling fields onto Ollama options (chat and text completions alike). */
export function openAiOptions(body: Record<string, unknown>): Partial<OllamaOptions> {
  checkOpenAiSampling(body)
  const o: Partial<OllamaOptions> = {}
  // A field of the wrong type is the client's mistake: name it (Ollama's /v1 refuses it when decoding).
  const num = (k: string): number | undefined => {
    const v = body[k]
    if (v === undefined || v === null) return undefined
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ApiError(400, `"${k}" must be a number, got ${JSON.stringify(v)}`)
    }
    return v
  }
  const t = num('temperature')
  if (t !== undefined) o.temperature = t
  const p = num('top_p')
  if (p !== undefined) o.top_p = p
  const seed = num('seed')
  if (seed !== undefined) o.seed = seed
  const max = num('max_completion_tokens') ?? num('max_tokens')
  if (max !== undefined) o.num_predict = max
  const fp = num('frequency_penalty')
  if (fp !== undefined) o.frequency_penalty = fp
  const pp = num('presence_penalty')
  if (pp !== undefined) o.presence_penalty = pp
  const stop = body['stop']
  if (typeof stop === 'string') o.stop = [stop]
  else if (Array.isArray(stop) && stop.every((s) => typeof s === 'string')) o.stop = stop
  else if (stop !== undefined && stop !== null) {
    throw new ApiError(
      400,
      `"stop" must be a string or an array of strings, got ${JSON.stringify(stop)}`,
    )
  }
  return o
}

/** OpenAI's `usage` from the backend's counts (Ollama's openai.ToUsage), never an estimate. */
export function openAiUsage(usage: TokenUsage): {
  prompt_tokens: number
  completion_tokens: number
  total_tokens: number
} {
  const prompt = usage.prompt_eval_count
  const completion = usage.eval_count
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion }
}

/** One server-sent event. */
export function sse(data: unknown): string {
  return `data: ${JSON.stringify(data)}\n\n`
}

/** The last events of a stream that failed after it started: the error in OpenAI's form, then [DONE]. */
export function sseError(message: string): string {
  return `${sse({ error: { message, type: 'api_error', param: null, code: null } })}data: [DONE]\n\n`
}

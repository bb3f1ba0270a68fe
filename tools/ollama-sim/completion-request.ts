/**
 * /v1/completions as Ollama reads it: openai/openai.go `FromCompleteRequest` turns the OpenAI
 * text-completion request into a /api/generate request, which GenerateHandler then serves.
 */
import { isRecord, RequestError } from './serving'

/** Go's %T of a JSON value that landed in an `any`. */
function goType(value: unknown): string {
  if (typeof value === 'number') return 'float64'
  if (typeof value === 'boolean') return 'bool'
  if (value === null) return '<nil>'
  if (Array.isArray(value)) return '[]interface {}'
  if (typeof value === 'object') return 'map[string]interface {}'
  return 'string'
}

/** Go's json error when a field has the wrong JSON type. */
function bindError(field: string, value: unknown, type: string): RequestError {
  const kind = Array.isArray(value) ? 'array' : typeof value === 'boolean' ? 'bool' : typeof value
  return new RequestError(
    400,
    `json: cannot unmarshal ${kind} into Go struct field CompletionRequest.${field} of type ${type}`,
  )
}

/**
 * The generate request a completion request becomes: `prompt` (a string only — Ollama's
 * CompletionRequest has no list or token prompts), `suffix`, `max_tokens` → `num_predict`,
 * `stop` (a string or a list of strings) → `options.stop`, `stream` (default false) and the
 * sampling options; `stream_options` is kept for the usage chunk.
 */
export function completionAsGenerate(v: Record<string, unknown>): Record<string, unknown> {
  const prompt = v['prompt'] ?? ''
  if (typeof prompt !== 'string') throw bindError('prompt', prompt, 'string')
  const suffix = v['suffix'] ?? ''
  if (typeof suffix !== 'string') throw bindError('suffix', suffix, 'string')
  const stream = v['stream'] ?? false
  if (typeof stream !== 'boolean') throw bindError('stream', stream, 'bool')
  const options: Record<string, unknown> = {}
  const stop = v['stop']
  if (typeof stop === 'string') options['stop'] = [stop]
  else if (Array.isArray(stop)) {
    for (const s of stop) {
      if (typeof s !== 'string') {
        throw new RequestError(400, `invalid type for 'stop' field: ${goType(s)}`)
      }
    }
    options['stop'] = stop
  }
  const maxTokens = v['max_tokens']
  if (maxTokens !== undefined && maxTokens !== null) {
    if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens)) {
      throw bindError('max_tokens', maxTokens, 'int')
    }
    options['num_predict'] = maxTokens
  }
  options['temperature'] = typeof v['temperature'] === 'number' ? v['temperature'] : 1.0
  if (typeof v['seed'] === 'number') options['seed'] = v['seed']
  options['frequency_penalty'] =
    typeof v['frequency_penalty'] === 'number' ? v['frequency_penalty'] : 0
  options['presence_penalty'] =
    typeof v['presence_penalty'] === 'number' ? v['presence_penalty'] : 0
  options['top_p'] = typeof v['top_p'] === 'number' && v['top_p'] !== 0 ? v['top_p'] : 1.0
  return {
    model: v['model'],
    prompt,
    suffix,
    stream,
    options,
    ...(isRecord(v['stream_options']) ? { stream_options: v['stream_options'] } : {}),
  }
}

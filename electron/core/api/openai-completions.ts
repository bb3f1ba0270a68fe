/**
 * OpenAI's legacy text completions, `POST /v1/completions`, streamed or whole, routed like every other
 * answer (`auto` too). Ollama serves it as /api/generate with the prompt templated (openai.go
 * FromCompleteRequest → CompleteWriter); here it is the same routed run as /api/generate: the prompt as
 * one user turn through AppCore.route + AppCore.execute, so failover, seams and metadata are the same.
 * A `suffix` (fill-in-the-middle) makes it what Ollama makes it, a generate request with that suffix:
 * routed only to models with `insert`, as a code task, and sent upstream as /api/generate.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AppCore, ChatResult, ExecuteOptions } from '../app-core'
import type { ChatMessage } from '../../../shared/types'
import { answerHeaders, routeOrThrow, runCollected, runStreaming } from './chat-bridge'
import {
  ApiError,
  isBool,
  isObject,
  isString,
  optional,
  readJsonBody,
  requireString,
  sendJson,
} from './http-util'
import { openAiOptions, openAiUsage, sse, sseError } from './openai-wire'

/** The request fields of a text completion that AILLM reads, checked. */
interface CompletionRequest {
  model: string
  prompt: string
  /** Fill-in-the-middle: the text after the gap ('' = none, as Ollama reads it). */
  suffix: string
  stream: boolean
  includeUsage: boolean
  options: ReturnType<typeof openAiOptions>
}

/** Reads and checks a /v1/completions body; a 400 names the field that is wrong. */
export function parseCompletionRequest(body: Record<string, unknown>): CompletionRequest {
  const model = requireString(body, 'model')
  const prompt = body['prompt']
  if (prompt === undefined || prompt === null) {
    throw new ApiError(400, '"prompt" is required: the text to complete, as a string')
  }
  if (typeof prompt !== 'string') {
    throw new ApiError(
      400,
      Array.isArray(prompt)
        ? '"prompt" must be a string: a list of prompts or of token ids is not supported (as in Ollama)'
        : `"prompt" must be a string, got ${JSON.stringify(prompt)}`,
    )
  }
  if (prompt === '') throw new ApiError(400, '"prompt" is empty: there is nothing to complete')
  const suffix = optional(body, 'suffix', isString, 'a string') ?? ''
  const n = body['n']
  if (n !== undefined && n !== null && n !== 1) {
    throw new ApiError(400, `"n" must be 1: one completion per request, got ${JSON.stringify(n)}`)
  }
  if (body['echo'] === true) {
    throw new ApiError(400, '"echo" is not supported: the answer never repeats the prompt')
  }
  const stream = optional(body, 'stream', isBool, 'true or false') ?? false
  const streamOptions = optional(body, 'stream_options', isObject, 'an object')
  const includeUsage = streamOptions?.['include_usage']
  if (includeUsage !== undefined && includeUsage !== null && !isBool(includeUsage)) {
    throw new ApiError(
      400,
      `"stream_options.include_usage" must be true or false, got ${JSON.stringify(includeUsage)}`,
    )
  }
  return {
    model,
    prompt,
    suffix,
    stream,
    includeUsage: includeUsage === true,
    options: openAiOptions(body),
  }
}

/** Handles `POST /v1/completions`. */
export async function handleTextCompletions(
  core: AppCore,
  req: IncomingMessage,
  res: ServerResponse,
  abort: AbortController,
  maxChars: number,
): Promise<void> {
  const request = parseCompletionRequest(await readJsonBody(req))
  const { model, prompt, suffix } = request
  const messages: ChatMessage[] = [{ role: 'user', content: prompt }]
  const insert = suffix !== ''
  const decision = routeOrThrow(core, model, messages, { options: request.options, insert })
  // With a suffix the attempt goes upstream as /api/generate (a chat turn cannot fill a gap).
  const options: Omit<ExecuteOptions, 'signal' | 'onToken' | 'onSeam'> = {
    options: request.options,
    ...(insert && { generate: { prompt, suffix, messageCount: messages.length } }),
  }
  const id = `cmpl-${decision.id.replace(/[^a-zA-Z0-9]/g, '').slice(0, 24)}`
  // One `created` for the whole answer.
  const created = Math.floor(Date.now() / 1000)
  const completion = (m: string, choices: unknown[]) => ({
    id,
    object: 'text_completion',
    created,
    model: m,
    system_fingerprint: 'fp_aillm',
    choices,
  })
  const choice = (text: string, finish: string | null) => ({
    text,
    index: 0,
    finish_reason: finish,
  })
  const finish = (r: ChatResult): string => r.doneReason ?? 'stop'

  if (!request.stream) {
    const result = await runCollected(
      core,
      decision,
      messages,
      { ...options, signal: abort.signal },
      maxChars,
    )
    sendJson(
      res,
      200,
      {
        ...completion(result.metadata.model, [choice(result.content, finish(result))]),
        usage: openAiUsage(result.usage),
        metadata: result.metadata,
      },
      answerHeaders(decision, result.metadata),
    )
    return
  }
  // With include_usage every chunk carries a zero usage and a last `choices: []` one the real counts,
  // as Ollama's CompleteWriter sends them.
  const zero = request.includeUsage
    ? { usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 } }
    : {}
  const piece = (text: string, m: string) =>
    sse({ ...completion(m, [choice(text, null)]), ...zero })
  await runStreaming(
    core,
    res,
    decision,
    messages,
    options,
    {
      contentType: 'text/event-stream',
      token: piece,
      // A completion has no place for reasoning: Ollama sends such chunks with empty text.
      thinking: (_text, m) => piece('', m),
      done: (r) => {
        const m = r.metadata.model
        const last = { ...completion(m, [choice('', finish(r))]), ...zero, metadata: r.metadata }
        const usage = request.includeUsage
          ? sse({ ...completion(m, []), usage: openAiUsage(r.usage) })
          : ''
        return `${sse(last)}${usage}data: [DONE]\n\n`
      },
      error: sseError,
    },
    abort,
  )
}

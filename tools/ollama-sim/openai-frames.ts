/**
 * The OpenAI shapes of an answer, as Ollama's /v1 middleware (middleware/openai.go `ChatWriter`,
 * `CompleteWriter`; openai/openai.go `ToStreamChunks`, `FinishChunk`, `ToCompleteChunk`) renders
 * the native chunks: chat completions and text completions, streamed (SSE) or whole.
 */
import type { Frames, Piece, Stats, WholeAnswer } from './frames'
import type { SimToolCall } from './structured'

/** The OpenAI error body Ollama's /v1 middleware sends (openai.NewError). */
export function openAiError(status: number, message: string): Record<string, unknown> {
  const type =
    status === 400 ? 'invalid_request_error' : status === 404 ? 'not_found_error' : 'api_error'
  return { error: { message, type, param: null, code: null } }
}

/** A tool call in the OpenAI shape: arguments as a JSON string. */
function openAiToolCall(call: SimToolCall): Record<string, unknown> {
  return {
    id: call.id,
    index: call.function.index,
    type: 'function',
    function: { name: call.function.name, arguments: JSON.stringify(call.function.arguments) },
  }
}

const sse = (o: unknown): string => `data: ${JSON.stringify(o)}\n\n`

/** OpenAI usage from Ollama's counts (openai.ToUsage). */
function usageOf(s: Stats | null): Record<string, number> {
  const prompt = s?.prompt_eval_count ?? 0
  const completion = s?.eval_count ?? 0
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion }
}

/** /v1/chat/completions. */
export function openAiChatFrames(model: string, id: string, includeUsage: boolean): Frames {
  // ChatWriter pins the first response's timestamp on every chunk of the stream.
  const created = Math.floor(Date.now() / 1000)
  const head = {
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    system_fingerprint: 'fp_ollama',
  }
  // toChunk keeps `content` (a string, "" included) in every delta; reasoning and tool calls ride
  // next to it. Only the stream's first chunk says `role`.
  const delta = (p: Piece): Record<string, unknown> =>
    p.kind === 'content'
      ? { content: p.text }
      : p.kind === 'thinking'
        ? { content: '', reasoning: p.text }
        : { content: '', tool_calls: [openAiToolCall(p.call)] }
  let sent = false
  /**
   * A failure after the stream started: the native `{"error"}` line parses as an empty
   * ChatResponse, so ChatWriter sends an empty delta (no model; the role if nothing went out
   * before) and never [DONE].
   */
  const broken = (): string =>
    sse({
      ...head,
      model: '',
      choices: [
        {
          index: 0,
          delta: { ...(sent ? {} : { role: 'assistant' }), content: '' },
          finish_reason: null,
        },
      ],
    })
  return {
    piece: (p, first) => {
      sent = true
      return sse({
        ...head,
        choices: [
          {
            index: 0,
            delta: { ...(first ? { role: 'assistant' } : {}), ...delta(p) },
            finish_reason: null,
          },
        ],
      })
    },
    // The native done chunk is empty, so only FinishChunk (empty delta), the usage chunk
    // (choices: []) when asked for, and [DONE] follow.
    final: (reason, s) =>
      sse({ ...head, choices: [{ index: 0, delta: {}, finish_reason: reason }] }) +
      (includeUsage ? sse({ ...head, choices: [], usage: usageOf(s) }) : '') +
      'data: [DONE]\n\n',
    whole: (a: WholeAnswer) => ({
      id,
      object: 'chat.completion',
      created,
      model,
      system_fingerprint: 'fp_ollama',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: a.content,
            ...(a.thinking ? { reasoning: a.thinking } : {}),
            ...(a.toolCalls.length > 0 ? { tool_calls: a.toolCalls.map(openAiToolCall) } : {}),
          },
          finish_reason: a.doneReason,
        },
      ],
      usage: usageOf(a.stats),
    }),
    error: broken,
    crash: broken,
    malformed: 'data: {"id":"chatcmpl-broken","choices":[{"delta":{"content":\n\n',
  }
}

/** /v1/completions: `text_completion` objects with `choices[].text`. */
export function completionFrames(model: string, id: string, includeUsage: boolean): Frames {
  const chunk = (text: string, reason: string | null, usage?: Record<string, number>) => ({
    id,
    object: 'text_completion',
    // ToCompleteChunk stamps each chunk with the time it is written.
    created: Math.floor(Date.now() / 1000),
    choices: [{ text, index: 0, finish_reason: reason }],
    model,
    system_fingerprint: 'fp_ollama',
    // With include_usage every chunk carries a zero usage; the real one comes last.
    ...(includeUsage ? { usage: usage ?? usageOf(null) } : {}),
  })
  // A thinking model thinks on /v1/completions too: those chunks carry no text.
  const text = (p: Piece): string => (p.kind === 'content' ? p.text : '')
  // A failure after the stream started: the error line parses as an empty response.
  const broken = (): string => sse({ ...chunk('', null), model: '' })
  return {
    piece: (p) => sse(chunk(text(p), null)),
    final: (reason, s) => {
      const last = chunk('', reason)
      return (
        sse(last) +
        (includeUsage ? sse({ ...last, choices: [], usage: usageOf(s) }) : '') +
        'data: [DONE]\n\n'
      )
    },
    whole: (a: WholeAnswer) => ({
      id,
      object: 'text_completion',
      created: Math.floor(Date.now() / 1000),
      model,
      system_fingerprint: 'fp_ollama',
      choices: [{ text: a.content, index: 0, finish_reason: a.doneReason }],
      usage: usageOf(a.stats),
    }),
    error: broken,
    crash: broken,
    malformed: 'data: {"id":"cmpl-broken","choices":[{"text":\n\n',
  }
}

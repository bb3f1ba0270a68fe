/** How each API renders an answer: stream pieces, the final chunk, a whole answer, errors. */
import type { SimToolCall } from './structured'

export type Api = 'chat' | 'generate' | 'openai'

/** Metrics of one answer, in simulated nanoseconds. */
export interface Stats {
  total_duration: number
  load_duration: number
  prompt_eval_count: number
  prompt_eval_duration: number
  eval_count: number
  eval_duration: number
}

/** One streamed unit of an answer. */
export type Piece =
  | { kind: 'content'; text: string }
  | { kind: 'thinking'; text: string }
  /** A tool call, sent whole once it is complete; `tokens` is what generating it costs. */
  | { kind: 'tool'; call: SimToolCall; tokens: number }

/** The parts of a whole (non-streamed) answer. */
export interface WholeAnswer {
  content: string
  thinking: string
  toolCalls: SimToolCall[]
  /** null = the answer ended without done (no metrics, `done: false`). */
  doneReason: string | null
  stats: Stats | null
}

export interface Frames {
  piece(piece: Piece, first: boolean): string
  final(doneReason: string, stats: Stats): string
  whole(answer: WholeAnswer): unknown
  /** The last line of a stream that failed after it started. */
  error(status: number, message: string): string
  /** What a runner crash leaves at the end of a stream. */
  crash(message: string): string
  malformed: string
}

/** The OpenAI error body Ollama's /v1 middleware sends. */
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

export function frames(api: Api, model: string, id: string, includeUsage: boolean): Frames {
  const createdAt = (): string => new Date().toISOString()
  const line = (o: unknown): string => `${JSON.stringify(o)}\n`
  if (api === 'openai') return openAiFrames(model, id, includeUsage)
  if (api === 'chat') {
    const message = (p: Piece): Record<string, unknown> =>
      p.kind === 'content'
        ? { role: 'assistant', content: p.text }
        : p.kind === 'thinking'
          ? { role: 'assistant', content: '', thinking: p.text }
          : { role: 'assistant', content: '', tool_calls: [p.call] }
    return {
      piece: (p) => line({ model, created_at: createdAt(), message: message(p), done: false }),
      final: (reason, s) =>
        line({
          model,
          created_at: createdAt(),
          message: { role: 'assistant', content: '' },
          done: true,
          done_reason: reason,
          ...s,
        }),
      whole: (a) => ({
        model,
        created_at: createdAt(),
        message: {
          role: 'assistant',
          content: a.content,
          ...(a.thinking ? { thinking: a.thinking } : {}),
          ...(a.toolCalls.length > 0 ? { tool_calls: a.toolCalls } : {}),
        },
        ...(a.doneReason === null ? { done: false } : { done: true, done_reason: a.doneReason }),
        ...a.stats,
      }),
      error: (_status, msg) => line({ error: msg }),
      crash: (msg) => line({ error: msg }),
      malformed: '{"model":"' + model + '","message":{"role":"assistant","content":\n',
    }
  }
  return {
    piece: (p) =>
      line({
        model,
        created_at: createdAt(),
        response: p.kind === 'content' ? p.text : '',
        ...(p.kind === 'thinking' ? { thinking: p.text } : {}),
        done: false,
      }),
    final: (reason, s) =>
      line({ model, created_at: createdAt(), response: '', done: true, done_reason: reason, ...s }),
    whole: (a) => ({
      model,
      created_at: createdAt(),
      response: a.content,
      ...(a.thinking ? { thinking: a.thinking } : {}),
      ...(a.doneReason === null ? { done: false } : { done: true, done_reason: a.doneReason }),
      ...a.stats,
    }),
    error: (_status, msg) => line({ error: msg }),
    crash: (msg) => line({ error: msg }),
    malformed: '{"model":"' + model + '","response":\n',
  }
}

function openAiFrames(model: string, id: string, includeUsage: boolean): Frames {
  const created = Math.floor(Date.now() / 1000)
  const head = {
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    system_fingerprint: 'fp_ollama',
  }
  const sse = (o: unknown): string => `data: ${JSON.stringify(o)}\n\n`
  const usage = (s: Stats): Record<string, number> => ({
    prompt_tokens: s.prompt_eval_count,
    completion_tokens: s.eval_count,
    total_tokens: s.prompt_eval_count + s.eval_count,
  })
  const delta = (p: Piece): Record<string, unknown> =>
    p.kind === 'content'
      ? { content: p.text }
      : p.kind === 'thinking'
        ? { reasoning: p.text }
        : { tool_calls: [openAiToolCall(p.call)] }
  return {
    piece: (p, first) =>
      sse({
        ...head,
        choices: [
          {
            index: 0,
            delta: { ...(first ? { role: 'assistant' } : {}), ...delta(p) },
            finish_reason: null,
          },
        ],
      }),
    final: (reason, s) =>
      sse({ ...head, choices: [{ index: 0, delta: {}, finish_reason: reason }] }) +
      (includeUsage ? sse({ ...head, choices: [], usage: usage(s) }) : '') +
      'data: [DONE]\n\n',
    whole: (a) => ({
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
      ...(a.stats ? { usage: usage(a.stats) } : {}),
    }),
    error: (status, message) => sse(openAiError(status, message)),
    // Ollama's /v1 layer turns a mid-stream error into an empty delta and ends without [DONE].
    crash: () =>
      sse({
        ...head,
        choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
      }),
    malformed: 'data: {"id":"chatcmpl-broken","choices":[{"delta":{"content":\n\n',
  }
}

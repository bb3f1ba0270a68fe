/** How each API renders an answer: stream pieces, the final chunk, a whole answer, errors. */
import { completionFrames, openAiChatFrames } from './openai-frames'
import type { SimToolCall } from './structured'

/** `openai` is /v1/chat/completions, `completions` /v1/completions. */
export type Api = 'chat' | 'generate' | 'openai' | 'completions'

/** True for the routes that answer in OpenAI shapes (and OpenAI error bodies). */
export function isOpenAi(api: Api): boolean {
  return api === 'openai' || api === 'completions'
}

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

/** What the renderers need besides the pieces. */
export interface FrameOptions {
  /** stream_options.include_usage on the OpenAI routes. */
  includeUsage: boolean
  /** /api/generate: the token ids the final chunk carries (null for raw prompts). */
  context: number[] | null
}

/** The renderer of one answer in the shape of its API. */
export function frames(api: Api, model: string, id: string, opts: FrameOptions): Frames {
  const createdAt = (): string => new Date().toISOString()
  const line = (o: unknown): string => `${JSON.stringify(o)}\n`
  if (api === 'openai') return openAiChatFrames(model, id, opts.includeUsage)
  if (api === 'completions') return completionFrames(model, id, opts.includeUsage)
  const context = opts.context ? { context: opts.context } : {}
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
      line({
        model,
        created_at: createdAt(),
        response: '',
        done: true,
        done_reason: reason,
        ...context,
        ...s,
      }),
    whole: (a) => ({
      model,
      created_at: createdAt(),
      response: a.content,
      ...(a.thinking ? { thinking: a.thinking } : {}),
      ...(a.doneReason === null
        ? { done: false }
        : { done: true, done_reason: a.doneReason, ...context }),
      ...a.stats,
    }),
    error: (_status, msg) => line({ error: msg }),
    crash: (msg) => line({ error: msg }),
    malformed: '{"model":"' + model + '","response":\n',
  }
}

export { openAiError } from './openai-frames'

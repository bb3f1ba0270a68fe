/**
 * The upstream call of one attempt: /api/chat, or /api/generate for a request in generate mode. Generate
 * mode exists because `raw`, `suffix` (fill-in-the-middle) and `context` mean nothing on /api/chat.
 * Either way the attempt reads chat-shaped parts, so the executor's failover stays one code path.
 */
import type { ChatResponse, GenerateResponse, Message, Ollama } from 'ollama'
import type { RoutingTarget } from '../../../shared/types'
import type { ChatRunOptions } from './executor-types'

/** An /api/generate request run through the executor (ChatRunOptions.generate). */
export interface GenerateMode {
  prompt: string
  system?: string
  template?: string
  /** No template: the prompt goes to the model as it is. */
  raw?: boolean
  /** Fill-in-the-middle: the text after the gap (needs the model's `insert` capability). */
  suffix?: string
  /** Token ids of an earlier exchange; meaningful only on the pair that made them. */
  context?: number[]
  images?: string[]
  /**
   * How many of the run's messages stand for this request. More of them means the executor is
   * continuing an interrupted answer (the partial answer and its instruction follow).
   */
  messageCount: number
  /** The `context` of a final chunk, with the pair that made it. */
  onContext?(context: number[], target: RoutingTarget): void
}

/** Opens the attempt's stream on `target`: chat as the caller asked, or generate in generate mode. */
export async function openUpstream(
  client: Ollama,
  target: RoutingTarget,
  messages: Message[],
  opts: ChatRunOptions,
): Promise<AsyncIterable<ChatResponse>> {
  const common = {
    model: target.model,
    stream: true as const,
    ...(opts.options !== undefined && { options: opts.options }),
    ...(opts.format !== undefined && { format: opts.format }),
    ...(opts.keepAlive !== undefined && { keep_alive: opts.keepAlive }),
    ...(opts.think !== undefined && { think: opts.think }),
  }
  const g = opts.generate
  const partial = g && messages.length > g.messageCount ? messages[g.messageCount] : undefined
  // A templated prompt continued elsewhere goes on as a chat turn (partial answer + instruction):
  // the chat template is what separates the answer from the prompt. No context can come with it.
  if (!g || (partial && !g.raw && !g.suffix)) {
    return client.chat({
      ...common,
      messages,
      ...(opts.tools !== undefined && { tools: opts.tools }),
    })
  }
  // A raw prompt or a fill-in-the-middle prefix continues by growing the prompt by what was said:
  // the model then writes on exactly where the last one stopped (the same suffix still follows).
  const stream = await client.generate({
    ...common,
    prompt: g.prompt + (partial?.content ?? ''),
    ...(g.system !== undefined && { system: g.system }),
    ...(g.template !== undefined && { template: g.template }),
    ...(g.raw && { raw: true }),
    ...(g.suffix && { suffix: g.suffix }),
    // The old context led to the partial answer only on the pair that made it: not on a continuation.
    ...(g.context?.length && !partial && { context: g.context }),
    // A copy: the client rewrites `images` in place.
    ...(g.images?.length && { images: [...g.images] }),
  })
  return asChatParts(stream, target, g)
}

/** Generate parts read as chat parts (`response` → `message.content`), the final context reported. */
async function* asChatParts(
  stream: AsyncIterable<GenerateResponse>,
  target: RoutingTarget,
  g: GenerateMode,
): AsyncGenerator<ChatResponse> {
  for await (const part of stream) {
    const { response, thinking, context, ...rest } = part
    if (part.done && Array.isArray(context) && context.length > 0) g.onContext?.(context, target)
    yield {
      ...rest,
      message: {
        role: 'assistant',
        content: response ?? '',
        ...(thinking !== undefined && { thinking }),
      },
    }
  }
}

import type { ResponseMetadata } from '../../../shared/types'

/** How fast an answer came, from the backend's own counts (Ollama's final chunk). */
export interface AnswerSpeed {
  tokens: number
  tokensPerSecond: number
  /** What the server spent before the first token: loading the model and reading the prompt. */
  firstTokenMs: number
}

/**
 * The speed of the attempt that finished the answer, when its final chunk reported counts. Nothing
 * (null) for answers saved before counts were kept, for counts merely tallied from streamed chunks
 * (no durations), and for a zero generation time.
 */
export function answerSpeed(metadata: ResponseMetadata | null): AnswerSpeed | null {
  const last = [...(metadata?.attempts ?? [])].reverse().find((a) => a.outcome === 'ok')
  const usage = last?.usage
  if (!usage || usage.source !== 'backend' || usage.eval_count <= 0 || usage.eval_duration <= 0)
    return null
  return {
    tokens: usage.eval_count,
    tokensPerSecond: usage.eval_count / (usage.eval_duration / 1e9),
    firstTokenMs: (usage.load_duration + usage.prompt_eval_duration) / 1e6,
  }
}

/** "42.1 tokens/s · first token 0.35 s · 120 tokens". */
export function speedLabel(speed: AnswerSpeed): string {
  const tps =
    speed.tokensPerSecond >= 100
      ? speed.tokensPerSecond.toFixed(0)
      : speed.tokensPerSecond.toFixed(1)
  const ttft =
    speed.firstTokenMs < 1000
      ? `${Math.round(speed.firstTokenMs)} ms`
      : `${(speed.firstTokenMs / 1000).toFixed(1)} s`
  return `${tps} tokens/s · first token ${ttft} · ${speed.tokens} tokens`
}

/**
 * The wait one attempt should expect before its first byte, as the scheduler model predicts it: warm and
 * cold, so the silence watch can switch when /api/ps shows the model is (or is not) resident after all.
 */
import type { Message } from 'ollama'
import type { RoutingTarget } from '../../../shared/types'
import type { SchedulerModel } from '../scheduler/scheduler-model'
import { estimateTokens, type WaitPrediction } from '../scheduler/scheduler-model'
import type { ChatRunOptions, TargetInfo } from './executor-types'

/** An attempt's predicted waits, and whether the router's view makes it a cold start. */
export interface AttemptPlan {
  cold: boolean
  info: TargetInfo | null
  /** For the model as the router sees it, and should it prove loaded (warm) or not (cold). */
  prediction: WaitPrediction
  warm: WaitPrediction
  coldLoad: WaitPrediction
}

/** The wait the scheduler model predicts for one attempt on target (`info`: the registry's view). */
export function predictAttempt(
  scheduler: SchedulerModel,
  info: TargetInfo | null,
  target: RoutingTarget,
  messages: Message[],
  opts: ChatRunOptions,
  ticket: ReturnType<SchedulerModel['enter']>,
): AttemptPlan {
  const wanted = opts.options?.num_ctx
  // A runner loaded with another context length is reloaded (Ollama's needsReload): a cold start.
  const otherContext =
    typeof wanted === 'number' &&
    info?.loadedContextLength != null &&
    info.loadedContextLength !== wanted
  const cold = !target.loaded || otherContext
  const promptTokens = estimateTokens(messages.map((m) => m.content).join('\n'))
  const ask = (loadFirst: boolean): WaitPrediction =>
    scheduler.predict(
      {
        serverId: target.serverId,
        model: target.model,
        sizeBytes: info?.sizeBytes ?? 0,
        cold: loadFirst,
        promptTokens,
      },
      ticket,
    )
  const warm = ask(false)
  const coldLoad = ask(true)
  return { cold, info, prediction: cold ? coldLoad : warm, warm, coldLoad }
}

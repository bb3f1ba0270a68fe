import { Ollama } from 'ollama'
import type { ChatResponse, Message, ToolCall } from 'ollama'
import { REASON_CODES } from '../../../shared/types'
import type {
  Attempt,
  ChatMessage,
  ReasonCode,
  RoutingDecision,
  RoutingTarget,
} from '../../../shared/types'
import { SchedulerModel, type FinalTimings } from '../scheduler/scheduler-model'
import { predictAttempt } from './attempt-prediction'
import { attemptMessages, seamNote, toolCallKey } from './continuation'
import {
  AttemptAbort,
  SERVER_WIDE_FAILURES,
  SERVER_WIDE_WHEN_INTERRUPTED,
  classifyFailure,
  refusalOf,
  type AbortCause,
} from './attempt-failure'
import {
  ChatAttemptError,
  ChatCancelledError,
  ChatFailedError,
  ChatRequestError,
} from './chat-errors'
import { buildResponseMetadata, tokensPerSecondOf } from './response-metadata'
import { SilenceWatch, type SilenceVerdict } from './silence-watch'
import { createTimedFetch, fetchLimits } from './timed-fetch'
import { SIDE_PROBE_AFTER_MS, SIDE_PROBE_EVERY_MS, sideProbe } from './side-probe'
import { openUpstream } from './upstream-stream'
import { answerUsage, attemptUsage } from './token-usage'
import type { ChatExecutorOptions, ChatRunOptions, ChatRunResult } from './executor-types'

export { CONTINUE_INSTRUCTION, seamNote } from './continuation'
export type {
  ChatExecutorOptions,
  ChatRunOptions,
  ChatRunResult,
  ExecutionFeedback,
  TargetInfo,
} from './executor-types'

/** `chunks`: the chunks of text or reasoning it streamed (its tokens when no final chunk says). */
type AttemptResult =
  | {
      kind: 'ok'
      text: string
      thinking: string
      final: ChatResponse | null
      chunks: number
    }
  | { kind: 'failed'; text: string; error: ChatAttemptError; chunks: number }
  | { kind: 'cancelled'; text: string; chunks: number }
  /** Not tried: the wait it predicts is too long while another target can answer. */
  | { kind: 'skipped'; text: ''; error: ChatAttemptError; chunks: 0 }

/**
 * Streams one answer along a routing decision's chain through the official `ollama` client, with
 * connect / first-token / stall timeouts, failover before the first token and a visible,
 * context-carrying continuation after it (style.md point 8: never a silent retry once text was sent).
 */
export class ChatExecutor {
  private readonly clients = new Map<string, Ollama>()
  private readonly fetch = createTimedFetch()
  private readonly scheduler: SchedulerModel

  constructor(private readonly opts: ChatExecutorOptions) {
    this.scheduler = opts.scheduler ?? new SchedulerModel()
  }

  /** Answers `messages` along `decision.chain`; rejects with ChatFailedError or ChatCancelledError. */
  async run(
    decision: RoutingDecision,
    messages: ChatMessage[],
    opts: ChatRunOptions = {},
  ): Promise<ChatRunResult> {
    const attempts: Attempt[] = []
    let streamed = ''
    // Tool calls passed on so far (each once, however many attempts make it).
    const calls: ToolCall[] = []
    const callKeys = new Set<string>()
    let interruption: { serverName: string; reason: ReasonCode } | null = null
    if (opts.signal?.aborted) throw new ChatCancelledError(attempts)
    // Servers that failed as a whole (unreachable, hung, dropped) in this run: their other models are
    // skipped, so a dead box costs one timeout, not one per model in the chain.
    const deadServers = new Set<string>()
    // Servers busy loading a model we did not wait for: Ollama loads one model at a time, so their
    // other cold models would wait behind that load too.
    const loadingServers = new Set<string>()
    const usable = (t: RoutingTarget): boolean =>
      !deadServers.has(t.serverId) && !(loadingServers.has(t.serverId) && !t.loaded)
    // A model-specific refusal (prompt too long for its context, …) moves on; if nothing else
    // answers, the caller gets that refusal rather than a generic failure.
    let refusal: { status: number; message: string } | null = null

    for (const [index, target] of decision.chain.entries()) {
      if (!usable(target)) continue
      if (this.opts.feedback.mayTry?.(target.serverId) === false) {
        // Its breaker's one trial is out: its other entries wait too, this run goes elsewhere.
        deadServers.add(target.serverId)
        continue
      }
      const requestMessages = attemptMessages(messages, streamed, calls)
      const pendingSeam = interruption
      // Whether this attempt passed anything on (text or a tool call): from then on it is an answer.
      let began = false
      const begin = (): void => {
        if (began) return
        began = true
        opts.onTarget?.(target)
        if (pendingSeam) opts.onSeam?.(seamNote(pendingSeam.serverName, pendingSeam.reason, target))
      }
      const started = Date.now()
      const hasAlternative = decision.chain.slice(index + 1).some(usable)
      this.opts.feedback.requestStarted(target.serverId)
      let result: AttemptResult
      try {
        result = await this.attempt(target, requestMessages, opts, hasAlternative, {
          text: (piece) => {
            begin()
            streamed += piece
            return opts.onToken?.(piece)
          },
          toolCalls: (made) => {
            const fresh = made.filter((c) => !callKeys.has(toolCallKey(c)))
            if (fresh.length === 0) return undefined
            begin()
            for (const c of fresh) callKeys.add(toolCallKey(c))
            calls.push(...fresh)
            return opts.onToolCalls?.(fresh)
          },
        })
      } finally {
        this.opts.feedback.requestEnded(target.serverId)
      }
      const base = {
        model: target.model,
        serverName: target.serverName,
        serverUrl: target.serverUrl,
        chars: result.text.length,
        ms: Date.now() - started,
        usage: attemptUsage(result.kind === 'ok' ? result.final : null, result.chunks),
      }

      switch (result.kind) {
        case 'ok': {
          attempts.push({ ...base, outcome: 'ok', reason: null, error: null })
          const tps = tokensPerSecondOf(result.final)
          this.opts.feedback.recordSuccess(target.serverId, target.model, tps)
          const { usage, summed } = answerUsage(attempts)
          return {
            content: streamed,
            thinking: result.thinking,
            toolCalls: [...calls],
            doneReason: result.final?.done_reason || null,
            usage,
            metadata: buildResponseMetadata({
              decision,
              finalTarget: target,
              attempts,
              continued: pendingSeam !== null,
              tokensPerSecond: tps,
              usageSummed: summed,
            }),
          }
        }
        case 'cancelled':
          attempts.push({
            ...base,
            outcome: 'cancelled',
            reason: REASON_CODES.CANCELLED,
            error: null,
          })
          throw new ChatCancelledError(attempts, streamed)
        case 'skipped':
          // Not the server's fault: it is busy loading (or queued); nothing is held against it.
          attempts.push({
            ...base,
            outcome: 'failed-before-first-token',
            reason: result.error.reason,
            error: result.error.detail,
          })
          this.opts.logger.info(
            `Not waiting for ${target.model} @ ${target.serverName}: ${result.error.detail}`,
          )
          loadingServers.add(target.serverId)
          break
        case 'failed': {
          const { error } = result
          const interrupted = began
          attempts.push({
            ...base,
            outcome: interrupted ? 'interrupted' : 'failed-before-first-token',
            reason: error.reason,
            error: error.detail,
          })
          if (error.reason === REASON_CODES.LOCAL_ERROR) {
            // The same body cannot be sent anywhere else either, and no server is to blame.
            throw new ChatRequestError(400, error.detail, attempts)
          }
          // An HTTP status comes before any text, so a refusal is never an interruption.
          const refused = refusalOf(error)
          if (refused && !refused.modelSpecific) {
            throw new ChatRequestError(refused.status, refused.message, attempts)
          }
          if (refused) refusal = refused
          else this.opts.feedback.recordFailure(target.serverId, error)
          if (
            SERVER_WIDE_FAILURES.has(error.reason) ||
            (interrupted && SERVER_WIDE_WHEN_INTERRUPTED.has(error.reason))
          ) {
            deadServers.add(target.serverId)
          }
          const next = decision.chain.slice(index + 1).find(usable)
          const then = next ? `; trying ${next.model} @ ${next.serverName}` : ''
          this.opts.logger.warn(
            `Chat ${interrupted ? 'interrupted' : 'failed'} on ${target.model} @ ${target.serverName} (${error.reason}): ${error.detail}${then}`,
          )
          if (interrupted && opts.format !== undefined) {
            // A structured answer cannot be continued: start it over on the next target.
            streamed = ''
            opts.onRestart?.(
              `— answer broke on ${target.serverName} (${error.reason}); a structured answer starts over${next ? ` on ${next.model} @ ${next.serverName}` : ''} —`,
            )
          } else if (interrupted) {
            interruption = { serverName: target.serverName, reason: error.reason }
          }
          break
        }
      }
    }
    if (refusal && streamed === '' && calls.length === 0)
      throw new ChatRequestError(refusal.status, refusal.message, attempts)
    throw new ChatFailedError(attempts, streamed)
  }

  /** Loads target's model with an empty request (Ollama's "load" idiom); resolves with its timings. */
  async loadModel(target: RoutingTarget, signal: AbortSignal): Promise<FinalTimings> {
    const client = this.clientFor(target.dialUrl ?? target.serverUrl)
    const limits = { connectMs: this.opts.timeouts().connect_ms, signal, validateNdjson: false }
    return fetchLimits.run(limits, () =>
      client.generate({ model: target.model, prompt: '', stream: false }),
    )
  }

  /** One try of one target. Expected failures come back as values; nothing escapes but bugs. */
  private async attempt(
    target: RoutingTarget,
    messages: Message[],
    opts: ChatRunOptions,
    hasAlternative: boolean,
    deliver: { text(piece: string): unknown; toolCalls(calls: ToolCall[]): unknown },
  ): Promise<AttemptResult> {
    const timeouts = this.opts.timeouts()
    const controller = new AbortController()
    const abort = (cause: AbortCause): void => controller.abort(new AttemptAbort(cause))
    const onCancel = (): void => abort({ kind: 'cancelled' })
    opts.signal?.addEventListener('abort', onCancel)
    if (opts.signal?.aborted) onCancel()

    // A `*.local` server is dialled at the address the registry resolved and probed.
    const client = this.clientFor(target.dialUrl ?? target.serverUrl)
    const ticket = this.scheduler.enter(target.serverId, target.model)
    const described = this.opts.describe?.(target) ?? null
    const plan = predictAttempt(this.scheduler, described, target, messages, opts, ticket)
    const { prediction, info, cold } = plan
    let skipped: SilenceVerdict | null = null
    let onDetach: (detail: string) => void = () => undefined
    const watch = new SilenceWatch({
      model: target.model,
      serverName: target.serverName,
      prediction,
      cold,
      hasAlternative,
      limits: {
        wedgeMarginMs: timeouts.wedge_margin_ms,
        firstTokenMs: timeouts.first_token_ms,
        coldFirstTokenMs: timeouts.cold_first_token_ms,
        stallMs: timeouts.stall_ms,
        probeAfterMs: SIDE_PROBE_AFTER_MS,
        probeEveryMs: SIDE_PROBE_EVERY_MS,
        probeTimeoutMs: timeouts.side_probe_ms,
      },
      probe: sideProbe(client, target, timeouts.side_probe_ms),
      warmPrediction: plan.warm,
      coldPrediction: plan.coldLoad,
      isOffline: () => this.opts.feedback.isOffline?.(target.serverId) ?? false,
      onProgress: (progress) => opts.onProgress?.(progress),
      onVerdict: (verdict) => {
        switch (verdict.kind) {
          case 'too-long':
            skipped = verdict
            if (prediction.loadMs > 0) this.opts.backgroundLoads?.start(target)
            return
          case 'wedged':
            // A cold model may still be loading (the box answers its status checks): answer
            // elsewhere, and let this request finish the load for the next message.
            if (verdict.cold && hasAlternative && this.opts.backgroundLoads?.adopt) {
              return onDetach(`${target.model} is still loading after ${verdict.ms} ms`)
            }
            return abort({
              kind: 'first-token',
              ms: verdict.ms,
              detail: `${verdict.detail}${verdict.cold ? ' (model not loaded)' : ''}`,
            })
          case 'stall':
            return abort({ kind: 'stall', ms: verdict.ms, detail: verdict.detail })
          case 'frozen':
          case 'offline':
            return abort({ kind: verdict.kind, detail: verdict.detail })
        }
      },
    })

    let text = ''
    let thinking = ''
    let chunks = 0
    let final: ChatResponse | null = null
    let stream: AsyncIterable<ChatResponse> | null = null
    let callerFailure: { err: unknown } | null = null
    let detached: { detail: string; loaded: boolean } | null = null
    // The caller holds the stream (its client reads slowly): the next chunk waits, and so does the watch.
    const held = async (pending: Promise<unknown>): Promise<void> => {
      watch.pause()
      try {
        await untilAborted(pending, controller.signal)
      } catch (err) {
        callerFailure = { err }
        throw err
      } finally {
        watch.resume()
      }
    }
    // Hands a part to the caller; a promise back is a hold (awaited), a throw the caller's own bug.
    const passOn = (pass: () => unknown): Promise<void> | undefined => {
      let pending: unknown
      try {
        pending = pass()
      } catch (err) {
        callerFailure = { err }
        throw err
      }
      return pending instanceof Promise ? held(pending) : undefined
    }
    const work = async (): Promise<AttemptResult> => {
      try {
        const limits = {
          connectMs: timeouts.connect_ms,
          signal: controller.signal,
          validateNdjson: true,
        }
        stream = await fetchLimits.run(limits, () => openUpstream(client, target, messages, opts))
        for await (const part of stream) {
          const gone = detached as { loaded: boolean } | null
          if (gone) {
            // Answered elsewhere meanwhile: the first chunk says the load is done; that was all.
            gone.loaded = true
            break
          }
          const piece = part.message?.content ?? ''
          const thought = part.message?.thinking ?? ''
          const calls = part.message?.tool_calls ?? []
          // Any sign of life ends the first-token wait; from then on only silence counts (stall).
          if (piece !== '') watch.sawLife('content')
          else if (calls.length > 0) watch.sawLife('tool')
          else if (thought !== '') watch.sawLife('thinking')
          if (piece !== '' || thought !== '') chunks += 1
          if (thought !== '') {
            thinking += thought
            const pending: unknown = opts.onThinking?.(thought)
            // Only a real hold costs an await: the hot path stays synchronous per chunk.
            if (pending instanceof Promise) await held(pending)
          }
          // Passed on as they come: text, then a chunk's tool calls (Ollama sends each call whole).
          if (piece !== '') {
            text += piece
            const holding = passOn(() => deliver.text(piece))
            if (holding) await holding
          }
          if (calls.length > 0) {
            const holding = passOn(() => deliver.toolCalls(calls))
            if (holding) await holding
          }
          // The client ends the stream after the `done` chunk (and throws when none came): the
          // last part is the final one.
          final = part
        }
        if (final)
          this.scheduler.observe(target.serverId, target.model, info?.sizeBytes ?? 0, final)
        return { kind: 'ok', text, thinking, final, chunks }
      } catch (err) {
        // The caller's own callback threw: a bug on its side, not a reason to blame the server.
        const failure = callerFailure as { err: unknown } | null
        if (failure) throw failure.err
        const reason: unknown = controller.signal.reason
        if (reason instanceof AttemptAbort && reason.why.kind === 'cancelled') {
          return { kind: 'cancelled', text, chunks }
        }
        const cause = reason instanceof AttemptAbort ? reason.why : null
        const error = classifyFailure(target, err, cause, stream !== null)
        return { kind: 'failed', text, error, chunks }
      }
    }
    // Resolves when the watch decides a cold load is worth finishing but not worth waiting for.
    let detach: (detail: string) => void = () => undefined
    const detachedNow = new Promise<typeof DETACHED>((resolve) => {
      detach = (detail) => {
        detached = { detail, loaded: false }
        resolve(DETACHED)
      }
    })
    onDetach = detach
    try {
      watch.start()
      const skip = skipped as SilenceVerdict | null
      if (skip) {
        const error = new ChatAttemptError(target, REASON_CODES.WAIT_TOO_LONG, skip.detail)
        return { kind: 'skipped', text: '', error, chunks: 0 }
      }
      const running = work()
      const outcome = await Promise.race([running, detachedNow])
      if (outcome !== DETACHED) return outcome
      const gone = detached as { detail: string; loaded: boolean } | null
      const detail = gone?.detail ?? ''
      const done = running.then(
        () => gone?.loaded ?? false,
        () => false,
      )
      const adopted = this.opts.backgroundLoads?.adopt?.(target, done, () => controller.abort())
      if (!adopted) controller.abort()
      const error = new ChatAttemptError(
        target,
        REASON_CODES.WAIT_TOO_LONG,
        `${detail}${adopted ? '; its load goes on in the background' : ''}`,
      )
      return { kind: 'skipped', text: '', error, chunks: 0 }
    } finally {
      watch.stop()
      this.scheduler.leave(ticket)
      opts.signal?.removeEventListener('abort', onCancel)
      // Ends the upstream request whatever happened (a no-op when a timeout or cancel already did),
      // unless a background load now owns it.
      if (detached === null) controller.abort()
    }
  }

  private clientFor(url: string): Ollama {
    let client = this.clients.get(url)
    if (!client) {
      client = new Ollama({ host: url, fetch: this.fetch })
      this.clients.set(url, client)
    }
    return client
  }
}

/** What the race between an attempt and its detachment yields when the attempt was detached. */
const DETACHED = Symbol('detached')

/** `pending`, or sooner when `signal` aborts (then the stream's next read ends the attempt). */
function untilAborted(pending: Promise<unknown>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve()
  return new Promise<void>((resolve, reject) => {
    const stop = (): void => resolve()
    signal.addEventListener('abort', stop, { once: true })
    pending.then(
      () => {
        signal.removeEventListener('abort', stop)
        resolve()
      },
      (err: unknown) => {
        signal.removeEventListener('abort', stop)
        reject(err)
      },
    )
  })
}

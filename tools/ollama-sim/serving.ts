/**
 * What every model-serving route shares: the view of the server a handler gets (`SimContext`),
 * Ollama's error texts and bodies, scheduling with the queue limit, and the faults that act before
 * a route answers at all.
 */
import type { ServerResponse } from 'node:http'
import { isOpenAi, openAiError, type Api } from './frames'
import { parseKeepAlive, type KeepAlive } from './keep-alive'
import type { ResolvedModel } from './model-catalog'
import type { RunnerOptions } from './request-options'
import type { Lease, Scheduler } from './scheduler'
import type { Fault, SimServerOptions } from './types'
import { isAbort, sendJson, sleep } from './wire'

/** What /api/version reports: a current release of the line whose behaviour is simulated. */
export const DEFAULT_VERSION = '0.33.3'
export const DEFAULT_REPLY_WORDS = 24
const DEFAULT_MAX_QUEUE = 512
/** Ollama's default num_ctx (OLLAMA_CONTEXT_LENGTH), what /api/ps reports unless asked otherwise. */
const DEFAULT_NUM_CTX = 4096
/** load_duration of a request to a model that is already warm (Ollama reports a few ms at most). */
export const WARM_LOAD_NS = 250_000

/** Ollama's own error texts for the failures the simulator reproduces. */
export const MESSAGES = {
  queueFull: 'server busy, please try again.  maximum pending requests exceeded',
  runnerCrashed: 'llama runner process has terminated: exit status 2',
  modelError: 'an error was encountered while running the model: unexpected EOF',
  modelRequired: 'model is required',
  promptTooLong: 'the prompt is longer than the context length',
  unauthorized: 'unauthorized',
}

/** The server as a route handler sees it. */
export interface SimContext {
  /** The server's name (it appears in every reply). */
  readonly name: string
  readonly opts: SimServerOptions
  readonly scheduler: Scheduler
  fault(): Fault
  findModel(name: string): ResolvedModel | undefined
  /** Every model the server offers. */
  models(): ResolvedModel[]
  /** Resolves once a `frozen` fault is lifted (at once when there is none). */
  whileFrozen(signal: AbortSignal): Promise<void>
}

/** A request validation failure: status and message, rendered in the route's error form. */
export class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
    this.name = 'RequestError'
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Rough token count: ~4 characters a token plus a few for the chat template. */
export function tokenCount(text: string): number {
  return Math.ceil(text.length / 4) + 4
}

export function isWedged(ctx: SimContext): boolean {
  return ctx.fault().kind === 'wedged'
}

export function timeScale(ctx: SimContext): number {
  return ctx.opts.timeScale ?? 1
}

/** Ollama's error text for the status an `http-error` fault answers with. */
export function errorText(status: number): string {
  return status === 503 ? MESSAGES.queueFull : MESSAGES.runnerCrashed
}

/** An error in the route's form: Ollama's `{error}` or the OpenAI error object on /v1. */
export function fail(res: ServerResponse, api: Api, status: number, message: string): void {
  sendJson(res, status, isOpenAi(api) ? openAiError(status, message) : { error: message })
}

/** A cloud model without an ollama.com sign-in: Ollama's 401 with the sign-in link. */
export function unauthorized(ctx: SimContext, res: ServerResponse, api: Api): void {
  const signinUrl = `https://ollama.com/connect?name=${encodeURIComponent(ctx.name)}`
  if (isOpenAi(api)) return fail(res, api, 401, MESSAGES.unauthorized)
  sendJson(res, 401, { error: MESSAGES.unauthorized, signin_url: signinUrl })
}

/** keep_alive of a request: null when it gave none. */
export function keepAliveOf(
  value: unknown,
): { ok: true; value: KeepAlive | null } | { ok: false; error: string } {
  if (value === undefined || value === null) return { ok: true, value: null }
  return parseKeepAlive(value)
}

function defaultKeepAlive(ctx: SimContext): KeepAlive {
  const parsed = parseKeepAlive(ctx.opts.keepAlive ?? '5m')
  // The constructor refused an invalid keepAlive.
  return parsed.ok ? parsed.value : { kind: 'ms', ms: 300_000 }
}

/** The num_ctx a request gets when it asks for none, and the model's trained context. */
export function ctxDefaults(
  ctx: SimContext,
  model: ResolvedModel,
): { numCtx: number; trainedContext: number } {
  return {
    numCtx: ctx.opts.contextLength ?? DEFAULT_NUM_CTX,
    trainedContext: model.contextLength,
  }
}

/**
 * Schedules a request: 503 when too many already wait to be scheduled, else waits for the model
 * (loaded with these options) and one of its slots. Null when the client left or the 503 went out.
 */
export async function lease(
  ctx: SimContext,
  model: ResolvedModel,
  options: RunnerOptions,
  keepAlive: KeepAlive | null,
  signal: AbortSignal,
  onFull: () => void,
): Promise<Lease | null> {
  if (ctx.scheduler.queued >= (ctx.opts.maxQueue ?? DEFAULT_MAX_QUEUE)) {
    onFull()
    return null
  }
  try {
    return await ctx.scheduler.acquire(model, options, keepAlive, defaultKeepAlive(ctx), signal)
  } catch (err) {
    if (isAbort(err)) return null
    throw err
  }
}

/**
 * Faults that act before a model-serving route answers at all. Returns true when the request was
 * answered (or dropped) by the fault.
 */
export async function preambleFault(
  ctx: SimContext,
  res: ServerResponse,
  api: Api,
  signal: AbortSignal,
): Promise<boolean> {
  const fault = ctx.fault()
  if (fault.kind === 'slow-first-byte') await sleep(fault.ms, signal)
  const now = ctx.fault()
  if (now.kind === 'http-error' && now.afterChunks === undefined) {
    fail(res, api, now.status, errorText(now.status))
    return true
  }
  return false
}

/** load_duration of a request: the load it waited for, or the few µs of a warm model. */
export function loadNsOf(lease: Lease): number {
  return lease.loadMs > 0 ? lease.loadMs * 1e6 : WARM_LOAD_NS
}

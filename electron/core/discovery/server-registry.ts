import type {
  AillmConfig,
  BreakerState,
  ModelEntry,
  OllamaProviderConfig,
  ServerHealth,
  ServerView,
} from '../../../shared/types'
import { Emitter, type Disposable } from '../emitter'
import type { Logger } from '../logger'
import {
  buildModelEntries,
  uniqueModelCount,
  type LoadedModel,
  type ShowInfo,
  type TagModel,
} from '../models/model-index'
import { backoffDelayMs, DEFAULT_BACKOFF, ewma, type BackoffPolicy } from './backoff'
import type { Discoverer, FoundServer } from './discoverer'
import { ipLiteralOf } from './ip-literal'
import { describeFailure, isUnreachable, ProbeError } from './probe-error'
import { probeServer, ShowCache, type ProbeResult, type ProbeSuccess } from './prober'
import { setMaxListeners } from 'node:events'

/**
 * What the registry needs of the circuit breaker (electron/core/routing/circuit-breaker.ts): its
 * state per server and a change event. Declared here so discovery does not depend on routing.
 */
export interface BreakerView {
  state(serverId: string): BreakerState
  onDidChange: (listener: (serverId: string) => void) => Disposable
}

/** How to reach a URL's host: as written, through an address we resolved, or not at all now. */
export type HostResolution =
  | { kind: 'direct' }
  | { kind: 'resolved'; address: string; dialUrl: string }
  | { kind: 'failed'; reason: string }

/**
 * Resolves host names the OS may not know (mDNS `*.local`, electron/core/discovery/mdns/). Declared
 * here so the registry does not depend on mDNS. Expected failures are values, never exceptions.
 */
export interface HostResolver {
  resolveUrl(url: string, opts: { timeoutMs: number; signal: AbortSignal }): Promise<HostResolution>
  /** Drops what is cached for the URL's host (its server stopped answering). */
  forget(url: string): void
}

/** Timer functions, injectable so tests can drive time. */
export interface RegistryTimers {
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

/** Options of the ServerRegistry. */
export interface ServerRegistryOptions {
  discoverers: Discoverer[]
  logger: Logger
  config: () => AillmConfig
  breaker: BreakerView
  /** Clock for `since` / `nextProbeAt` (Unix ms); default Date.now. */
  now?: () => number
  timers?: RegistryTimers
  /** Re-probe delays for offline servers; default 1 s doubling up to 60 s. */
  backoff?: BackoffPolicy
  /** A probe slower than this marks the server degraded; default half the probe timeout. */
  degradedLatencyMs?: number
  /** Shared /api/show cache (one per app). */
  showCache?: ShowCache
  /** Resolves `*.local` URLs ourselves; requests then dial the probed address (ServerView.dialUrl). */
  resolver?: HostResolver
}

/** An unknown server id given to a registry method that needs a real one. */
export class UnknownServerError extends Error {
  override readonly name = 'UnknownServerError'
  constructor(readonly serverId: string) {
    super(`Unknown server "${serverId}"`)
  }
}

interface ServerState {
  found: FoundServer
  /** Index into found.urls of the URL in use. */
  urlIndex: number
  /** The probed address behind the URL in use, when the resolver resolved it (null otherwise). */
  resolved: { address: string; dialUrl: string } | null
  health: ServerHealth
  latencyMs: number | null
  version: string | null
  inFlight: number
  /** Consecutive failed probe rounds, for the backoff. */
  failures: number
  tags: TagModel[]
  ps: LoadedModel[]
  shows: Map<string, ShowInfo | null>
  models: ModelEntry[]
  /** Measured tokens/s per model (EWMA of recordSuccess). */
  speeds: Map<string, number>
  timer: unknown
  probing: Promise<void> | null
  /** The URLs the round in flight was started with (a config change may have replaced them). */
  probingUrls: string[]
  removed: boolean
}

const DEFAULT_TIMERS: RegistryTimers = {
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms)
    // Health timers must never keep a finished process (a test, a CLI) alive.
    // Stryker disable next-line OptionalChaining: Node's timers (and Vitest's fake ones) always have unref; the ?. is defence for other hosts
    handle.unref?.()
    return handle
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}

/**
 * Owns every server's view (style.md point 3: snapshot, then events): runs the discoverers,
 * probes all servers in parallel, tracks health, latency, backoff, the model index, in-flight
 * counts and measured speeds, and re-probes on a timer. It is also the executor's
 * ExecutionFeedback.
 */
export class ServerRegistry {
  private readonly states = new Map<string, ServerState>()
  private readonly changes = new Emitter<ServerView[]>()
  private readonly lastFound = new Map<Discoverer, FoundServer[]>()
  /**
   * One-click trusts of this session (trust()) that the config does not hold (yet). Once a discovery
   * round finds the config trusting a server, its id leaves this set: from then on the config alone
   * decides, so removing the name from trusted_servers takes effect without a restart. An id not
   * found at the moment keeps its session trust (the box may be back in a minute).
   */
  private readonly trustedIds = new Set<string>()
  private readonly now: () => number
  private readonly timers: RegistryTimers
  private readonly backoff: BackoffPolicy
  private readonly showCache: ShowCache
  private abort = sharedAbortController()
  private stopped = true
  private notifyPending = false
  /** While a discovery round runs, its summary lines say it all: no per-transition lines. */
  private discovering = 0
  private breakerSubscription: Disposable | null = null

  /** Fires with a fresh snapshot after changes, at most once per event-loop turn. */
  readonly onDidChange = this.changes.event

  constructor(private readonly opts: ServerRegistryOptions) {
    this.now = opts.now ?? Date.now
    this.timers = opts.timers ?? DEFAULT_TIMERS
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF
    this.showCache = opts.showCache ?? new ShowCache()
  }

  /**
   * Discovers and probes every server in parallel, logging the spec's discovery lines, then keeps
   * them fresh on timers. Resolves when the first round is complete.
   */
  async start(): Promise<void> {
    if (!this.stopped) return this.refresh()
    this.stopped = false
    this.abort = sharedAbortController()
    this.breakerSubscription = this.opts.breaker.onDidChange(() => this.changed())
    await this.discoverAndProbe()
  }

  /** Re-runs discovery (the config may have changed) and re-probes every server now. */
  async refresh(): Promise<void> {
    if (this.stopped) return
    await this.discoverAndProbe()
  }

  /** Clears every timer and aborts probes in flight; the snapshot stays readable. */
  stop(): void {
    this.stopped = true
    this.abort.abort(new Error('server registry stopped'))
    this.breakerSubscription?.()
    this.breakerSubscription = null
    for (const state of this.states.values()) this.clearTimer(state)
  }

  /** A fresh copy of every server's view, in discovery order. */
  snapshot(): ServerView[] {
    return structuredClone([...this.states.values()].map((s) => this.viewOf(s)))
  }

  /**
   * Marks a discovered server as trusted for this session so routing may use it at once; the caller
   * persists it (trusted_servers), after which the config is what keeps it trusted.
   */
  trust(serverId: string): void {
    if (!this.states.has(serverId)) throw new UnknownServerError(serverId)
    this.trustedIds.add(serverId)
    this.changed()
  }

  /** The executor started a request on this server. */
  requestStarted(serverId: string): void {
    const state = this.states.get(serverId)
    if (!state) return
    state.inFlight += 1
    this.changed()
  }

  /** The executor's request on this server ended (however it ended). */
  requestEnded(serverId: string): void {
    const state = this.states.get(serverId)
    if (!state || state.inFlight === 0) return
    state.inFlight -= 1
    this.changed()
  }

  /** An answer came from `model` on this server; `tokensPerSecond` feeds the speed average. */
  recordSuccess(serverId: string, model: string, tokensPerSecond: number | null): void {
    const state = this.states.get(serverId)
    if (!state) return
    if (tokensPerSecond !== null && Number.isFinite(tokensPerSecond) && tokensPerSecond > 0) {
      state.speeds.set(model, ewma(state.speeds.get(model) ?? null, tokensPerSecond))
      this.rebuildModels(state)
      this.changed()
    }
    // It answered, so a stale "offline" should not wait for its backoff to end.
    if (state.health.kind === 'offline') this.reprobeSoon(state)
  }

  /**
   * A request to this server failed. Unreachable (refused, timed out, DNS) → offline now with the
   * reason, re-probed after the backoff; anything else → only a quick background re-probe, since a
   * single failed chat does not prove the server is down.
   */
  recordFailure(serverId: string, error: unknown): void {
    const state = this.states.get(serverId)
    if (!state || this.stopped) return
    const failure = describeFailure(error)
    if (failure.kind === 'cancelled') return
    if (isUnreachable(failure.kind)) {
      // Stryker disable next-line StringLiteral: urls is never empty and urlIndex always points into it
      const url = state.found.urls[state.urlIndex] ?? ''
      // The name may point elsewhere now: the next probe asks the LAN again.
      this.opts.resolver?.forget(url)
      if (state.health.kind === 'offline') {
        // Already known to be down, and a running registry always has a re-probe of an offline
        // server on its way: its backoff timer, a round out, or the discovery round start() began
        // after a stop (when there is neither yet). More failed requests (many chats failing at
        // once) are not more probe rounds, so the backoff does not grow; only the reason is
        // brought up to date.
        if (state.health.error !== failure.reason) {
          state.health = { ...state.health, error: failure.reason }
          this.changed()
        }
        return
      }
      this.markOffline(
        state,
        new ProbeError(url, failure.status, {
          kind: failure.kind,
          reason: failure.reason,
          cause: error,
        }),
      )
      return
    }
    this.reprobeSoon(state)
  }

  // ---- discovery ----

  private get provider(): OllamaProviderConfig {
    return this.opts.config().llm.providers.ollama
  }

  private async discoverAndProbe(): Promise<void> {
    const { logger } = this.opts
    logger.info('Discovering Ollama servers and models...')
    this.discovering += 1
    let round: ServerState[]
    try {
      this.reconcile(await this.discoverAll())
      round = [...this.states.values()]
      await Promise.all(round.map((s) => this.probeCurrentUrls(s)))
    } finally {
      this.discovering -= 1
    }
    if (this.stopped) return
    let available = 0
    for (const s of round) {
      if (s.removed) continue
      // Stryker disable next-line StringLiteral: urls is never empty and urlIndex always points into it
      const url = s.found.urls[s.urlIndex] ?? ''
      const h = s.health
      if (h.kind === 'online' || h.kind === 'degraded') {
        available += 1
        logger.info(`Server ${s.found.name} (${url}): ${s.models.length} models, ${h.latencyMs}ms`)
      } else if (h.kind === 'offline') {
        logger.warn(`Server ${s.found.name} (${url}): offline (${h.error})`)
      }
    }
    const live = round.filter((s) => !s.removed)
    const unique = uniqueModelCount(
      live
        .filter((s) => s.health.kind === 'online' || s.health.kind === 'degraded')
        .map((s) => s.models),
    )
    logger.info(
      `Discovery complete: ${available}/${live.length} servers available, ${unique} unique models`,
    )
  }

  private async discoverAll(): Promise<FoundServer[]> {
    const signal = this.abort.signal
    const lists = await Promise.all(
      this.opts.discoverers.map(async (d) => {
        try {
          const list = await d.discover(signal)
          this.lastFound.set(d, list)
          return list
        } catch (err) {
          // A failing source keeps its last answer rather than making its servers vanish.
          this.opts.logger.warn(`Server discovery failed: ${describeFailure(err).reason}`)
          return this.lastFound.get(d) ?? []
        }
      }),
    )
    const seen = new Set<string>()
    const merged: FoundServer[] = []
    for (const f of lists.flat()) {
      if (f.urls.length === 0) continue
      if (seen.has(f.id)) {
        this.opts.logger.warn(`Server ${f.id} was found twice; keeping the first`)
        continue
      }
      seen.add(f.id)
      merged.push(f)
    }
    return merged
  }

  /** Applies a new discovery result: adds, updates and removes servers, keeping known state. */
  private reconcile(all: FoundServer[]): void {
    const found = this.withoutConfiguredTwins(all)
    const next = new Map<string, ServerState>()
    for (const f of found) {
      if (f.trusted) this.trustedIds.delete(f.id)
      const old = this.states.get(f.id)
      if (old) {
        const currentUrl = old.found.urls[old.urlIndex]
        old.found = { ...f, urls: [...f.urls] }
        // Stryker disable next-line UnaryOperator: currentUrl is never undefined (urls is never empty)
        const kept = currentUrl === undefined ? -1 : f.urls.indexOf(currentUrl)
        old.urlIndex = Math.max(kept, 0)
        // The address we resolved belonged to the URL that is gone: never dial it for the new one.
        if (kept < 0) old.resolved = null
        next.set(f.id, old)
      } else {
        next.set(f.id, this.newState(f))
      }
    }
    for (const [id, old] of this.states) {
      if (next.has(id)) continue
      old.removed = true
      this.clearTimer(old)
    }
    this.states.clear()
    for (const [id, s] of next) this.states.set(id, s)
    this.changed()
  }

  /**
   * A box found over mDNS at an address a configured server already uses is that configured server:
   * listing it twice would split its in-flight count and offer to "trust" what is already in use.
   */
  private withoutConfiguredTwins(found: FoundServer[]): FoundServer[] {
    const configured = new Set<string>()
    for (const f of found) {
      if (f.source !== 'mdns') for (const url of f.urls) configured.add(hostPortOf(url))
    }
    for (const s of this.states.values()) {
      if (s.found.source !== 'mdns' && s.resolved) configured.add(hostPortOf(s.resolved.dialUrl))
    }
    return found.filter((f) => {
      const twin = f.source === 'mdns' && f.urls.some((url) => configured.has(hostPortOf(url)))
      if (twin)
        this.opts.logger.debug(`Discovered ${f.name} is a configured server: not listed twice`)
      return !twin
    })
  }

  private newState(found: FoundServer): ServerState {
    return {
      found: { ...found, urls: [...found.urls] },
      urlIndex: 0,
      resolved: null,
      health: { kind: 'probing', since: this.now() },
      latencyMs: null,
      version: null,
      inFlight: 0,
      failures: 0,
      tags: [],
      ps: [],
      shows: new Map(),
      models: [],
      speeds: new Map(),
      timer: null,
      probing: null,
      // Stryker disable next-line ArrayDeclaration: probe() sets it before anything reads it
      probingUrls: [],
      removed: false,
    }
  }

  // ---- probing ----

  /** One probe round of a server; concurrent callers share the round in flight. */
  private probe(state: ServerState): Promise<void> {
    if (state.probing) return state.probing
    state.probingUrls = [...state.found.urls]
    const round = this.probeRound(state).finally(() => {
      state.probing = null
    })
    state.probing = round
    return round
  }

  /**
   * A probe of the server's URLs as configured now: a round in flight for URLs the config has
   * replaced since is waited out, then a fresh round runs (refresh must not report old data).
   */
  private async probeCurrentUrls(state: ServerState): Promise<void> {
    const inFlight = state.probing
    if (inFlight && !sameUrls(state.probingUrls, state.found.urls)) {
      await inFlight
      if (this.stopped || state.removed) return
    }
    await this.probe(state)
  }

  private async probeRound(state: ServerState): Promise<void> {
    const timeoutMs = this.provider.timeouts.probe_ms
    const signal = this.abort.signal
    const urls = [...state.found.urls]
    // The URL that answered last goes first; the others follow in configured order.
    const order = [state.urlIndex, ...urls.map((_, i) => i).filter((i) => i !== state.urlIndex)]
    let firstError: ProbeError | null = null
    for (const index of order) {
      const url = urls[index]
      if (url === undefined) continue
      const attempt = await this.probeUrl(url, timeoutMs, signal)
      if (this.stopped || state.removed) return
      if (attempt.result.ok) {
        await this.applySuccess(state, url, attempt.resolved, attempt.result, timeoutMs)
        return
      }
      firstError ??= attempt.result.error
    }
    if (!sameUrls(urls, state.found.urls)) {
      // The config replaced these URLs meanwhile: their failure says nothing about the new ones.
      this.schedule(state, 0)
      return
    }
    if (firstError) this.markOffline(state, firstError)
  }

  /**
   * Probes one URL, through its resolved address when the resolver handles its host. A resolved
   * address that does not answer is forgotten and the name asked once more, so a box whose
   * address changed is followed within the same round.
   */
  private async probeUrl(
    url: string,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<{ result: ProbeResult; resolved: ServerState['resolved'] }> {
    const resolver = this.opts.resolver
    if (!resolver) return { result: await probeServer(url, { timeoutMs, signal }), resolved: null }
    const resolveMs = Math.min(timeoutMs, 2000)
    let last: { address: string; error: ProbeError } | null = null
    // Stryker disable next-line StringLiteral: only read after a 'failed' answer, which sets it
    let unresolved = 'no address'
    let tried: string | null = null
    for (let pass = 0; pass < 2; pass++) {
      const how = await resolver.resolveUrl(url, { timeoutMs: resolveMs, signal })
      if (how.kind === 'direct') {
        if (last) break
        return { result: await probeServer(url, { timeoutMs, signal }), resolved: null }
      }
      if (how.kind === 'failed') {
        unresolved = how.reason
        break
      }
      if (how.address === tried) break
      tried = how.address
      const result = await probeServer(how.dialUrl, { timeoutMs, signal })
      if (result.ok) return { result, resolved: { address: how.address, dialUrl: how.dialUrl } }
      last = { address: how.address, error: result.error }
      resolver.forget(url)
    }
    const error = last
      ? new ProbeError(url, last.error.status, {
          kind: last.error.kind,
          reason: `${last.error.message} (at ${last.address})`,
          cause: last.error,
        })
      : new ProbeError(url, null, { kind: 'dns', reason: unresolved })
    return { result: { ok: false, url, error }, resolved: null }
  }

  private async applySuccess(
    state: ServerState,
    url: string,
    resolved: ServerState['resolved'],
    result: ProbeSuccess,
    timeoutMs: number,
  ): Promise<void> {
    // /api/tags failed (degraded): the models are unknown this round, so the known ones stay.
    const shows =
      result.tags === null
        ? null
        : await this.showCache.capabilities(result.url, result.tags, {
            timeoutMs,
            signal: this.abort.signal,
          })
    if (this.stopped || state.removed) return
    const index = state.found.urls.indexOf(url)
    if (index < 0) {
      // The config changed while this probe ran; the next round uses the new URLs. Not
      // reprobeSoon: this round is still `probing`, which would make it do nothing.
      this.schedule(state, 0)
      return
    }
    state.urlIndex = index
    state.resolved = resolved
    state.latencyMs = ewma(state.latencyMs, result.latencyMs)
    if (result.version !== null) state.version = result.version
    state.failures = 0
    if (result.tags !== null && shows !== null) {
      state.tags = result.tags
      state.shows = shows
    }
    state.ps = result.ps
    this.rebuildModels(state)

    const slowAfter = this.opts.degradedLatencyMs ?? Math.round(timeoutMs / 2)
    const reason =
      result.problems.length > 0
        ? result.problems.join('; ')
        : result.latencyMs > slowAfter
          ? `slow: ${result.latencyMs} ms`
          : null
    const previous = state.health
    state.health =
      reason === null
        ? {
            kind: 'online',
            since: previous.kind === 'online' ? previous.since : this.now(),
            latencyMs: result.latencyMs,
          }
        : {
            kind: 'degraded',
            since: previous.kind === 'degraded' ? previous.since : this.now(),
            latencyMs: result.latencyMs,
            reason,
          }
    this.schedule(state, Math.max(1, this.provider.health_check_interval_s) * 1000)
    if (previous.kind === 'offline' && this.discovering === 0) {
      this.opts.logger.info(
        `Server ${state.found.name} (${url}): back online, ${state.models.length} models, ${result.latencyMs}ms`,
      )
    }
    this.changed()
  }

  private markOffline(state: ServerState, error: ProbeError): void {
    state.failures += 1
    // An offline server is re-probed at least as often as an online one is checked: a box back from
    // a long outage is used again within one health interval, not after a grown backoff.
    const interval = Math.max(1, this.provider.health_check_interval_s) * 1000
    const delay = Math.min(backoffDelayMs(state.failures, this.backoff), interval)
    const now = this.now()
    const previous = state.health
    if (previous.kind !== 'offline' && this.discovering === 0) {
      // Stryker disable next-line LogicalOperator: the failed URL is the one in use (rounds start with it), so both give the same text
      const url = state.found.urls[state.urlIndex] ?? error.serverUrl
      this.opts.logger.warn(`Server ${state.found.name} (${url}): offline (${error.message})`)
    }
    state.health = {
      kind: 'offline',
      since: previous.kind === 'offline' ? previous.since : now,
      error: error.message,
      nextProbeAt: now + delay,
    }
    // What was loaded is unknown now; the model list stays as last seen for the UI.
    state.ps = []
    this.rebuildModels(state)
    this.schedule(state, delay)
    this.changed()
  }

  private rebuildModels(state: ServerState): void {
    state.models = buildModelEntries(
      state.found.id,
      state.tags,
      state.ps,
      state.shows,
      this.provider.tier_rules,
      state.speeds,
    )
  }

  // ---- timers and events ----

  private reprobeSoon(state: ServerState): void {
    if (state.probing || this.stopped) return
    this.schedule(state, 0)
  }

  private schedule(state: ServerState, ms: number): void {
    this.clearTimer(state)
    // Stryker disable next-line ConditionalExpression,LogicalOperator: defensive; every caller has just checked stopped and removed, with no await in between
    if (this.stopped || state.removed) return
    state.timer = this.timers.setTimeout(() => {
      state.timer = null
      void this.probe(state)
    }, ms)
  }

  private clearTimer(state: ServerState): void {
    // Stryker disable next-line ConditionalExpression: clearing no timer is a no-op
    if (state.timer !== null) this.timers.clearTimeout(state.timer)
    state.timer = null
  }

  private changed(): void {
    if (this.notifyPending || this.stopped) return
    this.notifyPending = true
    // Coalesce a burst of changes (a probe round, many tokens) into one event per turn.
    setImmediate(() => {
      this.notifyPending = false
      if (!this.stopped) this.changes.fire(this.snapshot())
    })
  }

  private viewOf(state: ServerState): ServerView {
    const { found } = state
    // Stryker disable next-line StringLiteral: urls is never empty and urlIndex always points into it
    const url = found.urls[state.urlIndex] ?? found.urls[0] ?? ''
    return {
      id: found.id,
      name: found.name,
      url,
      ...(state.resolved ? { dialUrl: state.resolved.dialUrl } : {}),
      urls: found.urls,
      resolvedAddress:
        state.resolved?.address ??
        (state.urlIndex === 0 ? found.resolvedAddress : null) ??
        ipLiteralOf(url) ??
        null,
      priority: found.priority,
      source: state.urlIndex > 0 ? 'fallback_url' : found.source,
      trusted: found.trusted || this.trustedIds.has(found.id),
      health: state.health,
      latencyMs: state.latencyMs === null ? null : Math.round(state.latencyMs),
      version: state.version,
      inFlight: state.inFlight,
      breaker: this.opts.breaker.state(found.id),
      models: state.models,
    }
  }
}

function sameUrls(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((url, i) => url === b[i])
}

/**
 * One controller whose signal every probe of a round listens to (and lets go of when done): with many
 * servers that is many listeners at once by design, not a leak, so Node's warning at 11 is lifted.
 */
function sharedAbortController(): AbortController {
  const controller = new AbortController()
  setMaxListeners(0, controller.signal)
  return controller
}

/** `host:port` of a URL, lower-cased, for telling two spellings of one address apart; the URL itself if unparsable. */
function hostPortOf(url: string): string {
  try {
    // Stryker disable next-line MethodExpression: WHATWG URL already lower-cases http hosts, and both sides go through here
    return new URL(url).host.toLowerCase()
  } catch {
    return url
  }
}

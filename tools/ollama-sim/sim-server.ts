import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { performance } from 'node:perf_hooks'
import { parseFault } from './fault'
import { frames, openAiError, type Api, type Piece, type Stats } from './frames'
import { parseKeepAlive, type KeepAlive } from './keep-alive'
import { normalizeModelName, resolveModel, type ResolvedModel } from './model-catalog'
import { embeddingFor, replyPieces } from './reply-text'
import {
  readFormat,
  readOptions,
  type OutputFormat,
  type RequestOptions,
  type RunnerOptions,
} from './request-options'
import { Scheduler, type Lease } from './scheduler'
import { chooseToolCall, structuredText, textPieces, type SimToolCall } from './structured'
import type {
  Fault,
  SimModelSpec,
  SimRequestRecord,
  SimServer,
  SimServerOptions,
  SimState,
} from './types'
import {
  abortOnClose,
  isAbort,
  JSON_TYPE,
  NDJSON_TYPE,
  readJsonBody,
  sendJson,
  sendText,
  sleep,
  SSE_TYPE,
  waitForAbort,
  writeFrame,
} from './wire'

export { openAiError } from './frames'

/** What /api/version reports: a current release of the line whose behaviour is simulated. */
const DEFAULT_VERSION = '0.33.3'
const DEFAULT_REPLY_WORDS = 24
const DEFAULT_MAX_QUEUE = 512
/** Ollama's default num_ctx (OLLAMA_CONTEXT_LENGTH), what /api/ps reports unless asked otherwise. */
const DEFAULT_NUM_CTX = 4096
/** load_duration of a request to a model that is already warm (Ollama reports a few ms at most). */
const WARM_LOAD_NS = 250_000
/** Prompt processing is this many times faster than generation unless a fleet says otherwise. */
const PROMPT_SPEEDUP = 20
/** How often a frozen stream looks whether the fault was lifted. */
const FROZEN_POLL_MS = 20

/** Ollama's own error texts for the failures the simulator reproduces. */
const MESSAGES = {
  queueFull: 'server busy, please try again.  maximum pending requests exceeded',
  runnerCrashed: 'llama runner process has terminated: exit status 2',
  modelError: 'an error was encountered while running the model: unexpected EOF',
  modelRequired: 'model is required',
  promptTooLong: 'the prompt is longer than the context length',
  unauthorized: 'unauthorized',
}

/** What a method/path pair resolves to. */
type RouteName =
  | 'root'
  | 'version'
  | 'tags'
  | 'ps'
  | 'show'
  | 'chat'
  | 'generate'
  | 'embed'
  | 'v1-models'
  | 'v1-model'
  | 'v1-chat'

const ROUTES: Record<string, { route: RouteName; method: 'GET' | 'POST' }> = {
  '/': { route: 'root', method: 'GET' },
  '/api/version': { route: 'version', method: 'GET' },
  '/api/tags': { route: 'tags', method: 'GET' },
  '/api/ps': { route: 'ps', method: 'GET' },
  '/api/show': { route: 'show', method: 'POST' },
  '/api/chat': { route: 'chat', method: 'POST' },
  '/api/generate': { route: 'generate', method: 'POST' },
  '/api/embed': { route: 'embed', method: 'POST' },
  '/v1/models': { route: 'v1-models', method: 'GET' },
  '/v1/chat/completions': { route: 'v1-chat', method: 'POST' },
}

/** A chat, generate or OpenAI chat request after validation. */
interface Generation {
  api: Api
  model: ResolvedModel
  /** The model name as the client wrote it; Ollama echoes it back. */
  requested: string
  prompt: string
  promptTokens: number
  stream: boolean
  /** null = the request gave none (a loaded model keeps its own). */
  keepAlive: KeepAlive | null
  options: RequestOptions
  format: OutputFormat
  think: boolean
  toolCall: SimToolCall | null
  includeUsage: boolean
  /** Empty messages / prompt: only load (or, with keep_alive 0, unload) the model. */
  loadOnly: boolean
}

/** A request validation failure: status and message, rendered in the route's error form. */
class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
    this.name = 'RequestError'
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Rough token count: ~4 characters a token plus a few for the chat template. */
function tokenCount(text: string): number {
  return Math.ceil(text.length / 4) + 4
}

/** Text of an OpenAI message content: a string or an array of parts. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content
  if (Array.isArray(content)) {
    return content
      .map((p) => (isRecord(p) && typeof p['text'] === 'string' ? p['text'] : ''))
      .join(' ')
  }
  return ''
}

/** `think` as Ollama reads it: absent = on for models that can think; `false` = off. */
function thinkOf(value: unknown, canThink: boolean): { asked: boolean; on: boolean } {
  if (value === undefined || value === null) return { asked: false, on: canThink }
  const on = value !== false && value !== 'none'
  return { asked: on, on }
}

/** `response_format` of the OpenAI API as the Ollama `format` it maps to. */
function openAiFormat(value: unknown): unknown {
  if (!isRecord(value)) return undefined
  if (value['type'] === 'json_object') return 'json'
  if (value['type'] === 'json_schema') {
    const schema = isRecord(value['json_schema']) ? value['json_schema']['schema'] : undefined
    return isRecord(schema) ? schema : 'json'
  }
  return undefined
}

/** Starts one simulated Ollama server; `port: 0` picks a free port. */
export async function startSimServer(opts: SimServerOptions): Promise<SimServer> {
  const server = new OllamaSimServer(opts)
  await server.start()
  return server
}

/** A simulated Ollama server over real HTTP (node:http). */
export class OllamaSimServer implements SimServer {
  readonly name: string
  readonly host: string
  readonly requests: SimRequestRecord[] = []
  private boundPort: number
  private http: Server | null = null
  private readonly sockets = new Set<Socket>()
  private currentFault: Fault
  private models = new Map<string, ResolvedModel>()
  private readonly scheduler: Scheduler
  /** stop() was called: lifting a `stopped` fault must not bring the server back. */
  private stoppedByOwner = false
  /** Listener changes run one after another, so setFault races cannot open two listeners. */
  private transition: Promise<void> = Promise.resolve()
  private completionSeq = 0

  constructor(private readonly opts: SimServerOptions) {
    if (!opts.name?.trim()) throw new Error('SimServerOptions.name must not be empty')
    this.name = opts.name
    this.host = opts.host ?? '127.0.0.1'
    this.boundPort = opts.port ?? 11434
    this.currentFault = parseFault(opts.fault ?? { kind: 'none' })
    for (const [key, value] of Object.entries({
      loadMs: opts.loadMs,
      diskMBps: opts.diskMBps,
      vramBytes: opts.vramBytes,
      maxLoadedModels: opts.maxLoadedModels,
      numParallel: opts.numParallel,
      contextLength: opts.contextLength,
      tokensPerSecond: opts.tokensPerSecond,
      promptTokensPerSecond: opts.promptTokensPerSecond,
      timeScale: opts.timeScale,
      replyWords: opts.replyWords,
      maxQueue: opts.maxQueue,
    })) {
      if (
        value !== undefined &&
        !(typeof value === 'number' && value >= 0 && Number.isFinite(value))
      ) {
        throw new Error(
          `SimServerOptions.${key} must be a number >= 0, got ${JSON.stringify(value)}`,
        )
      }
    }
    if (opts.keepAlive !== undefined && !parseKeepAlive(opts.keepAlive).ok) {
      throw new Error(
        `SimServerOptions.keepAlive is not a duration: ${JSON.stringify(opts.keepAlive)}`,
      )
    }
    this.scheduler = new Scheduler({
      now: opts.clock ?? Date.now,
      waitLoad: (ms, signal) =>
        this.isWedged() ? waitForAbort(signal) : sleep(ms * this.timeScale(), signal),
      loadMs: (model) => this.loadMsOf(model),
      vramBytes: opts.vramBytes,
      maxLoadedModels: opts.maxLoadedModels,
      numParallel: opts.numParallel ?? 1,
    })
    this.setModels(opts.models)
  }

  get port(): number {
    return this.boundPort
  }

  get url(): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host
    return `http://${host}:${this.boundPort}`
  }

  fault(): Fault {
    return this.currentFault
  }

  loaded(): string[] {
    return this.scheduler.list().map((m) => m.name)
  }

  state(): SimState {
    const requestCounts: Record<string, number> = {}
    for (const r of this.requests) requestCounts[r.path] = (requestCounts[r.path] ?? 0) + 1
    return {
      name: this.name,
      url: this.url,
      fault: this.currentFault,
      models: [...this.models.keys()],
      loaded: this.scheduler.list(),
      loading: this.scheduler.loading,
      queued: this.scheduler.queued,
      loads: Object.fromEntries(this.scheduler.loads),
      requestCounts,
    }
  }

  setModels(models: (SimModelSpec | string)[]): void {
    if (!Array.isArray(models)) throw new Error(`${this.name}: models must be an array`)
    const next = new Map<string, ResolvedModel>()
    models.forEach((spec, i) => {
      let model: ResolvedModel
      try {
        model = resolveModel(spec)
      } catch (err) {
        throw new Error(`${this.name}: models[${i}]: ${(err as Error).message}`)
      }
      next.set(model.name, model)
    })
    this.models = next
    this.scheduler.retain((name) => next.has(name))
  }

  async setFault(fault: Fault): Promise<void> {
    const next = parseFault(fault)
    this.currentFault = next
    await this.changeListener(async () => {
      if (next.kind === 'stopped') await this.closeListener()
      else if (!this.stoppedByOwner) await this.listen()
    })
  }

  async start(): Promise<void> {
    this.stoppedByOwner = false
    await this.changeListener(async () => {
      if (this.currentFault.kind !== 'stopped') return this.listen()
      // Stopped from the start: with port 0 bind once so the server owns a real port to come back on.
      if (this.boundPort === 0) {
        await this.listen()
        await this.closeListener()
      }
    })
  }

  async stop(): Promise<void> {
    this.stoppedByOwner = true
    await this.changeListener(() => this.closeListener())
  }

  private changeListener(change: () => Promise<void>): Promise<void> {
    const run = this.transition.then(change)
    this.transition = run.catch(() => undefined)
    return run
  }

  private listen(): Promise<void> {
    if (this.http) return Promise.resolve()
    const server = createServer((req, res) => this.handle(req, res))
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket)
      socket.on('close', () => this.sockets.delete(socket))
    })
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        reject(
          new Error(
            `sim server ${this.name}: cannot listen on ${this.url}: ${err.code ?? err.message}`,
            {
              cause: err,
            },
          ),
        )
      }
      server.once('error', onError)
      server.listen(this.boundPort, this.host, () => {
        server.off('error', onError)
        this.boundPort = (server.address() as AddressInfo).port
        this.http = server
        resolve()
      })
    })
  }

  private closeListener(): Promise<void> {
    const server = this.http
    if (!server) return Promise.resolve()
    this.http = null
    return new Promise((resolve) => {
      server.close(() => resolve())
      // Hung and streaming requests would keep close() waiting forever: cut every socket.
      server.closeAllConnections()
      for (const socket of this.sockets) socket.destroy()
      this.sockets.clear()
    })
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://sim').pathname
    if (path.startsWith('/_sim/')) {
      void this.control(req, res, path).catch((err: unknown) =>
        sendJson(res, 500, { error: (err as Error).message }),
      )
      return
    }
    const record: SimRequestRecord = { method: req.method ?? 'GET', path, at: Date.now() }
    this.requests.push(record)
    // A frozen box accepted the connection and will never say a word.
    if (this.isFrozen()) return
    void this.dispatch(req, res, path, record).catch((err: unknown) => {
      if (isAbort(err)) return
      const message = err instanceof Error ? err.message : String(err)
      if (path.startsWith('/v1/')) sendJson(res, 500, openAiError(500, message))
      else sendJson(res, 500, { error: message })
    })
  }

  private async dispatch(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    record: SimRequestRecord,
  ): Promise<void> {
    const method = req.method ?? 'GET'
    let entry = ROUTES[path]
    if (!entry && path.startsWith('/v1/models/')) entry = { route: 'v1-model', method: 'GET' }
    if (!entry) return sendText(res, 404, '404 page not found')
    const allowed = entry.method === 'GET' ? ['GET', 'HEAD'] : ['POST']
    if (!allowed.includes(method)) {
      return sendText(res, 405, '405 method not allowed', { Allow: allowed.join(', ') })
    }
    switch (entry.route) {
      case 'root':
        return sendText(res, 200, 'Ollama is running')
      case 'version':
        return sendJson(res, 200, { version: this.opts.version ?? DEFAULT_VERSION })
      case 'tags':
        return sendJson(res, 200, { models: this.tags() })
      case 'ps':
        return sendJson(res, 200, { models: this.ps() })
      case 'v1-models':
        return sendJson(res, 200, {
          object: 'list',
          data: [...this.models.values()].map(openAiModel),
        })
      case 'v1-model': {
        const id = decodeURIComponent(path.slice('/v1/models/'.length))
        const model = this.findModel(id)
        if (!model) return sendJson(res, 404, openAiError(404, `model "${id}" not found`))
        return sendJson(res, 200, openAiModel(model))
      }
      case 'show':
        return this.show(req, res, record)
      case 'embed':
        return this.embed(req, res, record)
      case 'chat':
      case 'generate':
        return this.generation(entry.route, req, res, record)
      case 'v1-chat':
        return this.generation('openai', req, res, record)
    }
  }

  private isFrozen(): boolean {
    const kind = this.currentFault.kind
    return kind === 'frozen' || kind === 'hang'
  }

  private isWedged(): boolean {
    return this.currentFault.kind === 'wedged'
  }

  /** A frozen box sends nothing more, also on streams already running, until the fault is lifted. */
  private async whileFrozen(signal: AbortSignal): Promise<void> {
    while (this.isFrozen()) await sleep(FROZEN_POLL_MS, signal)
  }

  private findModel(name: string): ResolvedModel | undefined {
    return this.models.get(normalizeModelName(name))
  }

  private tags(): unknown[] {
    // Ollama lists the most recently modified model first.
    return [...this.models.values()]
      .sort((a, b) => b.modifiedAt.localeCompare(a.modifiedAt))
      .map((m) => ({
        name: m.name,
        model: m.name,
        ...(m.remote ? { remote_model: m.remote.model, remote_host: m.remote.host } : {}),
        modified_at: m.modifiedAt,
        size: m.sizeBytes,
        digest: m.digest,
        details: details(m),
        capabilities: m.capabilities,
      }))
  }

  private ps(): unknown[] {
    return this.scheduler.list().flatMap((entry) => {
      const m = this.models.get(entry.name)
      if (!m) return []
      return [
        {
          name: m.name,
          model: m.name,
          size: m.sizeBytes,
          digest: m.digest,
          details: details(m),
          expires_at: this.scheduler.expiresAtIso(entry),
          size_vram: entry.sizeVram,
          context_length: entry.contextLength,
        },
      ]
    })
  }

  private async show(req: IncomingMessage, res: ServerResponse, record: SimRequestRecord) {
    const body = await readJsonBody(req)
    if (!body.ok) return sendJson(res, 400, { error: body.error })
    const name = body.value['model'] ?? body.value['name']
    if (typeof name !== 'string' || name === '')
      return sendJson(res, 400, { error: MESSAGES.modelRequired })
    record.model = name
    const m = this.findModel(name)
    if (!m) return sendJson(res, 404, { error: `model '${name}' not found` })
    const arch = m.family
    return sendJson(res, 200, {
      license: 'Simulated model: no license text.',
      modelfile: `# Modelfile generated by "ollama show"\nFROM ${m.name}\nTEMPLATE {{ .Prompt }}\n`,
      parameters: 'temperature 0.7',
      template: '{{ .Prompt }}',
      details: details(m),
      model_info: {
        'general.architecture': arch,
        'general.parameter_count': Math.round(m.parametersB * 1e9),
        'general.file_type': 15,
        'general.quantization_version': 2,
        [`${arch}.context_length`]: m.contextLength,
        [`${arch}.embedding_length`]: m.embeddingLength,
      },
      capabilities: m.capabilities,
      ...(m.remote ? { remote_model: m.remote.model, remote_host: m.remote.host } : {}),
      modified_at: m.modifiedAt,
    })
  }

  private async embed(req: IncomingMessage, res: ServerResponse, record: SimRequestRecord) {
    const signal = abortOnClose(res)
    const body = await readJsonBody(req)
    if (await this.preambleFault(res, 'chat', signal)) return
    if (!body.ok) return sendJson(res, 400, { error: body.error })
    const v = body.value
    const name = v['model']
    if (typeof name !== 'string' || name === '')
      return sendJson(res, 400, { error: MESSAGES.modelRequired })
    record.model = name
    const model = this.findModel(name)
    if (!model)
      return sendJson(res, 404, { error: `model "${name}" not found, try pulling it first` })
    if (model.remote) return this.unauthorized(res, 'chat')
    const input = v['input']
    let texts: string[]
    if (input === undefined || input === null) texts = []
    else if (typeof input === 'string') texts = input === '' ? [] : [input]
    else if (Array.isArray(input) && input.every((i) => typeof i === 'string'))
      texts = input as string[]
    else return sendJson(res, 400, { error: 'invalid input type' })
    const keepAlive = this.keepAliveOf(v['keep_alive'])
    if (!keepAlive.ok) return sendJson(res, 400, { error: keepAlive.error })
    const options = readOptions(isRecord(v['options']) ? v['options'] : {}, this.ctxDefaults(model))
    if (!options.ok) return sendJson(res, 500, { error: options.error })
    if (texts.length === 0) return sendJson(res, 200, { model: name, embeddings: [] })
    const lease = await this.lease(model, options.value.runner, keepAlive.value, signal, () =>
      sendJson(res, 503, { error: MESSAGES.queueFull }),
    )
    if (!lease) return
    try {
      if (this.isWedged()) await waitForAbort(signal)
      const promptTokens = texts.reduce((n, t) => n + tokenCount(t), 0)
      const fault = this.currentFault
      if (fault.kind === 'drop-after') return void res.socket?.destroy()
      if (fault.kind === 'malformed-chunk') {
        res.writeHead(200, { 'Content-Type': JSON_TYPE })
        return void res.end(`{"model":"${name}","embeddings":[[0.1,`)
      }
      if (fault.kind === 'http-error')
        return sendJson(res, fault.status, { error: errorText(fault.status) })
      if (fault.kind === 'crash') {
        lease.crash()
        return sendJson(res, 500, { error: MESSAGES.modelError })
      }
      const loadNs = lease.loadMs > 0 ? lease.loadMs * 1e6 : WARM_LOAD_NS
      sendJson(res, 200, {
        model: name,
        embeddings: texts.map((t) => embeddingFor(model.name, t, model.embeddingLength)),
        total_duration: loadNs + promptTokens * 200_000,
        load_duration: loadNs,
        prompt_eval_count: promptTokens,
      })
    } catch (err) {
      if (!isAbort(err)) throw err
    } finally {
      lease.release()
    }
  }

  /**
   * Faults that act before a model-serving route answers at all. Returns true when the request was
   * answered (or dropped) by the fault.
   */
  private async preambleFault(
    res: ServerResponse,
    api: Api,
    signal: AbortSignal,
  ): Promise<boolean> {
    const fault = this.currentFault
    if (fault.kind === 'slow-first-byte') await sleep(fault.ms, signal)
    const now = this.currentFault
    if (now.kind === 'http-error' && now.afterChunks === undefined) {
      this.fail(res, api, now.status, errorText(now.status))
      return true
    }
    return false
  }

  private fail(res: ServerResponse, api: Api, status: number, message: string): void {
    sendJson(res, status, api === 'openai' ? openAiError(status, message) : { error: message })
  }

  /** A cloud model without an ollama.com sign-in: Ollama's 401 with the sign-in link. */
  private unauthorized(res: ServerResponse, api: Api): void {
    const signinUrl = `https://ollama.com/connect?name=${encodeURIComponent(this.name)}`
    if (api === 'openai') return this.fail(res, api, 401, MESSAGES.unauthorized)
    sendJson(res, 401, { error: MESSAGES.unauthorized, signin_url: signinUrl })
  }

  /** keep_alive of a request: null when it gave none. */
  private keepAliveOf(
    value: unknown,
  ): { ok: true; value: KeepAlive | null } | { ok: false; error: string } {
    if (value === undefined || value === null) return { ok: true, value: null }
    return parseKeepAlive(value)
  }

  private defaultKeepAlive(): KeepAlive {
    const parsed = parseKeepAlive(this.opts.keepAlive ?? '5m')
    // The constructor refused an invalid keepAlive.
    return parsed.ok ? parsed.value : { kind: 'ms', ms: 300_000 }
  }

  private ctxDefaults(model: ResolvedModel): { numCtx: number; trainedContext: number } {
    return {
      numCtx: this.opts.contextLength ?? DEFAULT_NUM_CTX,
      trainedContext: model.contextLength,
    }
  }

  /** Simulated cold-load time: the model's own, else the fixed part plus size / disk speed. */
  private loadMsOf(model: ResolvedModel): number {
    if (model.loadMs !== null) return model.loadMs
    const disk = this.opts.diskMBps
    const readMs = disk ? (model.sizeBytes / (disk * 1e6)) * 1000 : 0
    return Math.round((this.opts.loadMs ?? 0) + readMs)
  }

  /**
   * Schedules a request: 503 when too many already wait to be scheduled, else waits for the model
   * (loaded with these options) and one of its slots. Null when the client left or the 503 went out.
   */
  private async lease(
    model: ResolvedModel,
    options: RunnerOptions,
    keepAlive: KeepAlive | null,
    signal: AbortSignal,
    onFull: () => void,
  ): Promise<Lease | null> {
    if (this.scheduler.queued >= (this.opts.maxQueue ?? DEFAULT_MAX_QUEUE)) {
      onFull()
      return null
    }
    try {
      return await this.scheduler.acquire(
        model,
        options,
        keepAlive,
        this.defaultKeepAlive(),
        signal,
      )
    } catch (err) {
      if (isAbort(err)) return null
      throw err
    }
  }

  private timeScale(): number {
    return this.opts.timeScale ?? 1
  }

  private async generation(
    api: Api,
    req: IncomingMessage,
    res: ServerResponse,
    record: SimRequestRecord,
  ): Promise<void> {
    const signal = abortOnClose(res)
    const body = await readJsonBody(req)
    if (await this.preambleFault(res, api, signal)) return
    if (!body.ok) return this.fail(res, api, 400, body.error)
    if (typeof body.value['model'] === 'string') record.model = body.value['model']
    let g: Generation
    try {
      g = this.parseGeneration(api, body.value)
    } catch (err) {
      if (err instanceof RequestError) return this.fail(res, api, err.status, err.message)
      throw err
    }
    if (g.model.remote) return this.unauthorized(res, api)
    if (g.loadOnly && g.keepAlive?.kind === 'ms' && g.keepAlive.ms === 0) {
      this.scheduler.unloadSoon(g.model.name)
      return sendJson(res, 200, this.loadOnlyAnswer(g, 'unload'))
    }
    const lease = await this.lease(g.model, g.options.runner, g.keepAlive, signal, () =>
      this.fail(res, api, 503, MESSAGES.queueFull),
    )
    if (!lease) return
    try {
      // A wedged runner never starts: no token, no error, until the client gives up.
      if (this.isWedged()) await waitForAbort(signal)
      if (g.loadOnly) return sendJson(res, 200, this.loadOnlyAnswer(g, 'load'))
      if (g.promptTokens > g.options.runner.numCtx) {
        return this.fail(res, api, 400, MESSAGES.promptTooLong)
      }
      await this.emit(res, g, lease, signal)
    } catch (err) {
      if (!isAbort(err)) throw err
    } finally {
      lease.release()
    }
  }

  private parseGeneration(api: Api, v: Record<string, unknown>): Generation {
    const requested = v['model']
    if (requested === undefined || requested === '')
      throw new RequestError(400, MESSAGES.modelRequired)
    if (typeof requested !== 'string') throw new RequestError(400, 'model must be a string')
    const model = this.findModel(requested)
    if (!model) throw new RequestError(404, `model "${requested}" not found, try pulling it first`)

    let prompt = ''
    let promptTokens = 0
    let loadOnly = false
    let last: { role: string; text: string } | undefined
    if (api === 'generate') {
      const p = v['prompt'] ?? ''
      if (typeof p !== 'string') throw new RequestError(400, 'prompt must be a string')
      const system = typeof v['system'] === 'string' ? v['system'] : ''
      prompt = p
      promptTokens = tokenCount(system + p)
      loadOnly = p === ''
    } else {
      const messages = v['messages'] ?? []
      if (!Array.isArray(messages)) throw new RequestError(400, 'messages must be an array')
      messages.forEach((m, i) => {
        if (!isRecord(m) || typeof m['role'] !== 'string') {
          throw new RequestError(400, `messages[${i}] must be an object with a string "role"`)
        }
        if (api === 'chat' && m['content'] !== undefined && typeof m['content'] !== 'string') {
          throw new RequestError(400, `messages[${i}].content must be a string`)
        }
      })
      if (api === 'openai' && messages.length === 0) {
        throw new RequestError(400, 'messages must be a non-empty array')
      }
      const typed = messages as Record<string, unknown>[]
      const lastUser = [...typed].reverse().find((m) => m['role'] === 'user')
      prompt = contentText(lastUser?.['content'])
      promptTokens = typed.reduce((n, m) => n + tokenCount(contentText(m['content'])), 0)
      loadOnly = messages.length === 0
      const tail = typed.at(-1)
      if (tail) last = { role: String(tail['role']), text: contentText(tail['content']) }
    }

    if (!model.capabilities.includes('completion')) {
      const what = api === 'generate' ? 'generate' : 'chat'
      throw new RequestError(400, `"${requested}" does not support ${what}`)
    }
    const tools = v['tools']
    const hasTools = Array.isArray(tools) && tools.length > 0
    if (hasTools && !model.capabilities.includes('tools')) {
      throw new RequestError(400, `registry.ollama.ai/library/${model.name} does not support tools`)
    }
    const think = thinkOf(
      api === 'openai' ? (v['reasoning_effort'] ?? v['think']) : v['think'],
      model.capabilities.includes('thinking'),
    )
    if (think.asked && !model.capabilities.includes('thinking')) {
      throw new RequestError(400, `"${requested}" does not support thinking`)
    }

    const streamValue = v['stream']
    if (streamValue !== undefined && typeof streamValue !== 'boolean') {
      throw new RequestError(400, 'stream must be a boolean')
    }
    // Ollama streams by default; the OpenAI API does not.
    const stream = streamValue ?? api !== 'openai'
    const keepAlive = this.keepAliveOf(v['keep_alive'])
    if (!keepAlive.ok) throw new RequestError(400, keepAlive.error)

    const rawOptions = v['options'] ?? {}
    if (!isRecord(rawOptions)) throw new RequestError(400, 'options must be an object')
    // A mistyped option is a 500 in Ollama (handleScheduleError), not a 400.
    const options = readOptions(rawOptions, this.ctxDefaults(model))
    if (!options.ok) throw new RequestError(500, options.error)
    if (api === 'openai') {
      const limit = v['max_completion_tokens'] ?? v['max_tokens']
      options.value.numPredict = typeof limit === 'number' && limit > 0 ? Math.floor(limit) : null
    }
    const format = readFormat(api === 'openai' ? openAiFormat(v['response_format']) : v['format'])
    if (!format.ok) throw new RequestError(500, format.error)
    const streamOptions = v['stream_options']
    const includeUsage = isRecord(streamOptions) && streamOptions['include_usage'] === true

    return {
      api,
      model,
      requested,
      prompt,
      promptTokens,
      stream,
      keepAlive: keepAlive.value,
      options: options.value,
      format: format.value,
      think: think.on,
      toolCall: hasTools && api !== 'generate' ? chooseToolCall(tools, last) : null,
      includeUsage,
      loadOnly,
    }
  }

  private loadOnlyAnswer(g: Generation, reason: 'load' | 'unload'): unknown {
    const head = { model: g.requested, created_at: new Date().toISOString() }
    if (g.api === 'generate') return { ...head, response: '', done: true, done_reason: reason }
    return { ...head, message: { role: 'assistant', content: '' }, done_reason: reason, done: true }
  }

  /** The pieces of the answer, in order: thinking, then a tool call, JSON or text. */
  private plan(g: Generation): Piece[] {
    const words = this.opts.replyWords ?? DEFAULT_REPLY_WORDS
    const reply = replyPieces(g.model.name, this.name, g.prompt, words)
    const pieces: Piece[] = g.think
      ? replyPieces(g.model.name, this.name, `thinking ${g.prompt}`, 6)
          .slice(1)
          .map((text) => ({ kind: 'thinking', text }))
      : []
    if (g.toolCall) {
      const tokens = tokenCount(JSON.stringify(g.toolCall.function))
      pieces.push({ kind: 'tool', call: g.toolCall, tokens })
    } else if (g.format.kind !== 'text') {
      const json = structuredText(g.format, reply.join(''))
      for (const text of textPieces(json)) pieces.push({ kind: 'content', text })
    } else {
      for (const text of reply) pieces.push({ kind: 'content', text })
    }
    return pieces
  }

  /**
   * Answers at the model's pace: prompt processing first (no bytes), then the pieces, streamed or
   * whole, honouring mid-answer faults.
   */
  private async emit(res: ServerResponse, g: Generation, lease: Lease, signal: AbortSignal) {
    let pieces = this.plan(g)
    let doneReason = g.toolCall && g.api === 'openai' ? 'tool_calls' : 'stop'
    const limit = g.options.numPredict
    if (limit !== null && limit < pieces.length) {
      pieces = pieces.slice(0, limit)
      doneReason = 'length'
    }
    const tokensOf = (p: Piece): number => (p.kind === 'tool' ? p.tokens : 1)
    const tps = this.opts.tokensPerSecond ?? g.model.tokensPerSecond
    const promptTps =
      this.opts.promptTokensPerSecond ?? g.model.promptTokensPerSecond ?? tps * PROMPT_SPEEDUP
    const loadNs = lease.loadMs > 0 ? lease.loadMs * 1e6 : WARM_LOAD_NS
    const promptEvalNs = Math.round((g.promptTokens / promptTps) * 1e9)
    const evalCount = pieces.reduce((n, p) => n + tokensOf(p), 0)
    const evalNs = Math.round((evalCount / tps) * 1e9)
    const stats: Stats = {
      total_duration: loadNs + promptEvalNs + evalNs + 1_000_000,
      load_duration: loadNs,
      prompt_eval_count: g.promptTokens,
      prompt_eval_duration: promptEvalNs,
      eval_count: evalCount,
      eval_duration: evalNs,
    }
    const format = frames(g.api, g.requested, this.nextCompletionId(), g.includeUsage)
    const contentType = g.api === 'openai' ? SSE_TYPE : NDJSON_TYPE
    const scale = this.timeScale()
    // Prompt processing: the client sees nothing until the first token.
    await sleep((promptEvalNs / 1e6) * scale, signal)
    const perTokenMs = (1000 / tps) * scale
    const started = performance.now()
    let last = started
    let tokens = 0

    for (let i = 0; i <= pieces.length; i++) {
      await this.whileFrozen(signal)
      const fault = this.currentFault
      if (fault.kind === 'crash' && i >= fault.afterChunks) {
        lease.crash()
        if (!g.stream || !res.headersSent) return this.fail(res, g.api, 500, MESSAGES.modelError)
        await writeFrame(res, contentType, format.crash(MESSAGES.modelError))
        return void res.end()
      }
      if (fault.kind === 'no-done' && i >= fault.afterChunks) {
        if (g.stream) {
          // Headers still go out when no chunk did: a 200 with an empty body.
          if (!res.headersSent) await writeFrame(res, contentType, '')
          return void res.end()
        }
        return sendJson(res, 200, format.whole(wholeOf(pieces.slice(0, i), null, null)))
      }
      const piece = pieces[i]
      if (!piece) break
      if (fault.kind === 'drop-after' && i >= fault.chunks) return this.drop(res)
      if (fault.kind === 'malformed-chunk' && i >= fault.after) {
        await writeFrame(res, g.stream ? contentType : JSON_TYPE, format.malformed)
        return void res.end()
      }
      if (
        fault.kind === 'http-error' &&
        fault.afterChunks !== undefined &&
        i >= fault.afterChunks
      ) {
        if (!g.stream || !res.headersSent)
          return this.fail(res, g.api, fault.status, errorText(fault.status))
        await writeFrame(res, contentType, format.error(fault.status, errorText(fault.status)))
        return void res.end()
      }
      tokens += tokensOf(piece)
      const target =
        fault.kind === 'trickle'
          ? i === 0
            ? last
            : last + fault.msPerChunk
          : started + tokens * perTokenMs
      await sleep(target - performance.now(), signal)
      last = performance.now()
      if (g.stream) await writeFrame(res, contentType, format.piece(piece, i === 0))
    }
    await this.whileFrozen(signal)
    if (g.stream) {
      await writeFrame(res, contentType, format.final(doneReason, stats))
      res.end()
      return
    }
    sendJson(res, 200, format.whole(wholeOf(pieces, doneReason, stats)))
  }

  private nextCompletionId(): string {
    this.completionSeq += 1
    return `chatcmpl-${this.completionSeq}`
  }

  /** Cuts the connection mid-answer, after the bytes already written reached the socket. */
  private drop(res: ServerResponse): void {
    res.socket?.destroy()
    res.destroy()
  }

  private async control(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const method = req.method ?? 'GET'
    if (path === '/_sim/state' && (method === 'GET' || method === 'HEAD')) {
      return sendJson(res, 200, this.state())
    }
    if ((path === '/_sim/fault' || path === '/_sim/models') && method === 'POST') {
      const body = await readJsonBody(req)
      if (!body.ok) return sendJson(res, 400, { error: body.error })
      try {
        if (path === '/_sim/models') {
          const models = body.value['models']
          if (!Array.isArray(models)) throw new Error('models: expected an array')
          this.setModels(models as (SimModelSpec | string)[])
          return sendJson(res, 200, { models: [...this.models.keys()] })
        }
        const fault = parseFault(body.value)
        // Answer first: a `stopped` fault closes this very connection.
        sendJson(res, 200, { fault })
        res.once('finish', () => void this.setFault(fault).catch(() => undefined))
        return
      } catch (err) {
        return sendJson(res, 400, { error: (err as Error).message })
      }
    }
    if (path === '/_sim/state' || path === '/_sim/fault' || path === '/_sim/models') {
      return sendText(res, 405, '405 method not allowed')
    }
    return sendText(res, 404, '404 page not found')
  }
}

/** The whole answer made of these pieces. */
function wholeOf(pieces: Piece[], doneReason: string | null, stats: Stats | null) {
  const text = (kind: 'content' | 'thinking'): string =>
    pieces.map((p) => (p.kind === kind ? p.text : '')).join('')
  return {
    content: text('content'),
    thinking: text('thinking'),
    toolCalls: pieces.flatMap((p) => (p.kind === 'tool' ? [p.call] : [])),
    doneReason,
    stats,
  }
}

/** Ollama's error text for the status an `http-error` fault answers with. */
function errorText(status: number): string {
  return status === 503 ? MESSAGES.queueFull : MESSAGES.runnerCrashed
}

function details(m: ResolvedModel): Record<string, unknown> {
  return {
    parent_model: '',
    format: 'gguf',
    family: m.family,
    families: [m.family],
    parameter_size: m.parameterSize,
    quantization_level: m.quantization,
  }
}

function openAiModel(m: ResolvedModel): Record<string, unknown> {
  return {
    id: m.name,
    object: 'model',
    created: Math.floor(Date.parse(m.modifiedAt) / 1000),
    owned_by: 'library',
  }
}

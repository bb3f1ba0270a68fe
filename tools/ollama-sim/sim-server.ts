import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { embedding } from './embeddings'
import { parseFault } from './fault'
import { openAiError } from './frames'
import { generation } from './generation'
import { parseKeepAlive } from './keep-alive'
import { normalizeModelName, resolveModel, type ResolvedModel } from './model-catalog'
import { openAiModel, ps, show, tags } from './model-info'
import { Scheduler } from './scheduler'
import { DEFAULT_VERSION, type SimContext } from './serving'
import type {
  Fault,
  SimModelSpec,
  SimRequestRecord,
  SimServer,
  SimServerOptions,
  SimState,
} from './types'
import { isAbort, readJsonBody, sendJson, sendText, sleep, waitForAbort } from './wire'

export { openAiError } from './frames'

/** How often a frozen stream looks whether the fault was lifted. */
const FROZEN_POLL_MS = 20

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
  | 'embeddings'
  | 'v1-models'
  | 'v1-model'
  | 'v1-chat'
  | 'v1-completions'
  | 'v1-embeddings'

type Method = 'GET' | 'HEAD' | 'POST'

/** The routes and their methods as server/routes.go `GenerateRoutes` registers them. */
const ROUTES: Record<string, { route: RouteName; methods: Method[] }> = {
  '/': { route: 'root', methods: ['GET', 'HEAD'] },
  '/api/version': { route: 'version', methods: ['GET', 'HEAD'] },
  '/api/tags': { route: 'tags', methods: ['GET', 'HEAD'] },
  '/api/ps': { route: 'ps', methods: ['GET'] },
  '/api/show': { route: 'show', methods: ['POST'] },
  '/api/chat': { route: 'chat', methods: ['POST'] },
  '/api/generate': { route: 'generate', methods: ['POST'] },
  '/api/embed': { route: 'embed', methods: ['POST'] },
  '/api/embeddings': { route: 'embeddings', methods: ['POST'] },
  '/v1/models': { route: 'v1-models', methods: ['GET'] },
  '/v1/chat/completions': { route: 'v1-chat', methods: ['POST'] },
  '/v1/completions': { route: 'v1-completions', methods: ['POST'] },
  '/v1/embeddings': { route: 'v1-embeddings', methods: ['POST'] },
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
  /** What the route handlers see of this server. */
  private readonly ctx: SimContext

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
    const scheduler = this.scheduler
    this.ctx = {
      name: this.name,
      opts,
      scheduler,
      fault: () => this.currentFault,
      findModel: (name) => this.findModel(name),
      models: () => [...this.models.values()],
      whileFrozen: (signal) => this.whileFrozen(signal),
    }
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
    if (!entry && path.startsWith('/v1/models/')) entry = { route: 'v1-model', methods: ['GET'] }
    if (!entry) return sendText(res, 404, '404 page not found')
    const allowed: string[] = entry.methods
    if (!allowed.includes(method)) {
      return sendText(res, 405, '405 method not allowed', { Allow: allowed.join(', ') })
    }
    switch (entry.route) {
      case 'root':
        return sendText(res, 200, 'Ollama is running')
      case 'version':
        return sendJson(res, 200, { version: this.opts.version ?? DEFAULT_VERSION })
      case 'tags':
        return sendJson(res, 200, { models: tags(this.ctx) })
      case 'ps':
        return sendJson(res, 200, { models: ps(this.ctx) })
      case 'v1-models':
        return sendJson(res, 200, {
          object: 'list',
          data: [...this.models.values()].map(openAiModel),
        })
      case 'v1-model': {
        const id = decodeURIComponent(path.slice('/v1/models/'.length))
        const model = this.findModel(id)
        // RetrieveMiddleware over ShowHandler: show's 404 text in the OpenAI error form.
        if (!model) return sendJson(res, 404, openAiError(404, `model '${id}' not found`))
        return sendJson(res, 200, openAiModel(model))
      }
      case 'show':
        return show(this.ctx, req, res, record)
      case 'embed':
        return embedding(this.ctx, 'embed', req, res, record)
      case 'embeddings':
        return embedding(this.ctx, 'embeddings', req, res, record)
      case 'v1-embeddings':
        return embedding(this.ctx, 'openai', req, res, record)
      case 'v1-completions':
        return generation(this.ctx, 'completions', req, res, record)
      case 'chat':
      case 'generate':
        return generation(this.ctx, entry.route, req, res, record)
      case 'v1-chat':
        return generation(this.ctx, 'openai', req, res, record)
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

  /** Simulated cold-load time: the model's own, else the fixed part plus size / disk speed. */
  private loadMsOf(model: ResolvedModel): number {
    if (model.loadMs !== null) return model.loadMs
    const disk = this.opts.diskMBps
    const readMs = disk ? (model.sizeBytes / (disk * 1e6)) * 1000 : 0
    return Math.round((this.opts.loadMs ?? 0) + readMs)
  }

  private timeScale(): number {
    return this.opts.timeScale ?? 1
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

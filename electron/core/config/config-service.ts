import { watch as fsWatch, type FSWatcher } from 'node:fs'
import { mkdirSync } from 'node:fs'
import { basename, dirname } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import type { ConfigSetResult } from '../../../shared/contract'
import type { AillmConfig, ConfigIssue, ConfigView } from '../../../shared/types'
import { Emitter, type Disposable } from '../emitter'
import type { Logger } from '../logger'
import { ENV_OVERRIDES, type EnvOverrideName } from './config-env'
import { ConfigError, formatConfigIssue } from './config-issues'
import { configSchema, DEFAULT_CONFIG } from './config-schema'
import { renderConfigText, writeFileAtomic } from './config-writer'
import { describeLiveChanges, liveRefusals, restartNeeded, type ApiBinding } from './live-changes'
import { readConfigText } from './load-config'
import { analyseConfigText } from './parse-config'

/**
 * A file that was a real config and is now empty is almost always a save caught half-way (editors
 * truncate, then write) or an accident; the defaults would drop every server. Deleting the file, or
 * writing `{}`, is how to ask for the defaults.
 */
export const EMPTY_FILE_MESSAGE =
  'the file is empty (a save still in progress, or it was cleared): keeping the last good config; ' +
  'write {} (or delete the file) to use the defaults'

/** One read of the file: its text, the config (null when it has issues) and the issues. */
interface LoadedText {
  text: string
  config: AillmConfig | null
  issues: ConfigIssue[]
  /** The file exists but could not be read. */
  unreadable: boolean
}

/** Options of {@link ConfigService}. */
export interface ConfigServiceOptions {
  path: string
  logger: Logger
  /** For the `AILLM_API_*` overrides; default `process.env`. */
  env?: NodeJS.ProcessEnv
  /** Quiet time before a burst of file events is read; default 100 ms. */
  debounceMs?: number
  /** Throw a {@link ConfigError} when the file is invalid at start (`serve`); default false = run on defaults and report. */
  failOnInvalid?: boolean
  /** Where the local API listens when that is not `api.host` (`serve --host`); judges token removals. */
  apiHost?: string
}

/**
 * The config in force, as "snapshot, then events" (style.md point 3): holds the last good config,
 * hot-reloads the file, and writes it back keeping the user's comments.
 */
export class ConfigService {
  private readonly path: string
  private readonly logger: Logger
  private readonly env: NodeJS.ProcessEnv
  private readonly debounceMs: number
  private readonly changed = new Emitter<ConfigView>()
  private current: AillmConfig
  private text: string
  private issues: ConfigIssue[]
  /** The text of the config in force (an empty file later does not replace it). */
  private goodText = ''
  /** `api.host`/`api.port` as the process started: changing them needs a restart. */
  private readonly started: ApiBinding
  /** Where the local API listens; null while the constructor reads the file for the first time. */
  private listenHost: string | null = null
  private watcher: FSWatcher | null = null
  private timer: NodeJS.Timeout | null = null
  private writing: Promise<unknown> = Promise.resolve()

  /** Fires with the new view after every reload that changed something and after every write. */
  readonly onDidChange: (listener: (view: ConfigView) => void) => Disposable = this.changed.event

  constructor(opts: ConfigServiceOptions) {
    this.path = opts.path
    this.logger = opts.logger
    this.env = opts.env ?? process.env
    this.debounceMs = opts.debounceMs ?? 100
    const loaded = this.read()
    if (loaded.config === null && opts.failOnInvalid)
      throw new ConfigError(this.path, loaded.issues)
    this.text = loaded.text
    this.issues = loaded.issues
    this.current = loaded.config ?? this.fallbackConfig()
    if (loaded.config !== null) this.goodText = loaded.text
    this.started = { host: this.current.api.host, port: this.current.api.port }
    this.listenHost = opts.apiHost ?? this.current.api.host
    this.report(loaded.issues, 'using the defaults until it is fixed')
  }

  /** The snapshot the UI shows. */
  view(): ConfigView {
    return {
      path: this.path,
      text: this.text,
      config: this.current,
      issues: this.issues,
      restartNeeded: restartNeeded(this.started, this.current),
    }
  }

  /** The config in force (the last good one while the file has errors). */
  get config(): AillmConfig {
    return this.current
  }

  /**
   * Starts hot reload. Watches the folder, not the file: editors that save by writing a new file
   * and renaming it over the old one, and a file created later, both show up there.
   */
  watch(): void {
    if (this.watcher !== null) return
    const dir = dirname(this.path)
    const name = basename(this.path)
    try {
      mkdirSync(dir, { recursive: true })
      this.watcher = fsWatch(dir, { persistent: false }, (_event, filename) => {
        if (filename === null || filename.toString() === name) this.scheduleReload()
      })
      this.watcher.on('error', (err) => {
        this.logger.warn(`Config watcher for ${this.path} stopped: ${err.message}`)
        this.stopWatching()
      })
    } catch (err) {
      this.logger.warn(`Cannot watch ${this.path} for changes: ${(err as Error).message}`)
    }
  }

  /** Reads the file now; returns true when the view changed (and onDidChange fired). */
  reload(): boolean {
    return this.apply(this.read())
  }

  /**
   * Validates `config`, then writes it into the file keeping comments and key order, atomically.
   * Refused (nothing written) when invalid, and when the file on disk has problems of its own
   * (saving would overwrite what the user is typing). When the file was edited since the config in
   * force was read, the edit is loaded first and `config`'s own changes are laid over it, so a save
   * from the app never undoes an external edit. Values that come from `AILLM_API_*` are not copied
   * into the file; the file keeps its own.
   */
  write(config: AillmConfig): Promise<ConfigSetResult> {
    return this.serialised(() => {
      const base = this.current
      const refused = this.catchUpWithFile()
      if (refused !== null) return Promise.resolve(refused)
      return this.doWrite(this.current === base ? config : rebase(config, base, this.current))
    })
  }

  /**
   * Applies `mutator` to a copy of the config in force and writes the result. The copy is taken
   * when earlier writes are done and the file has been read again, so neither concurrent updates
   * nor an external edit are overwritten; refused like {@link write} while the file has problems.
   */
  updateConfig(mutator: (draft: AillmConfig) => void): Promise<ConfigSetResult> {
    return this.serialised(() => {
      const refused = this.catchUpWithFile()
      if (refused !== null) return Promise.resolve(refused)
      const draft = structuredClone(this.current)
      mutator(draft)
      return this.doWrite(draft)
    })
  }

  /** Stops watching and drops listeners. */
  dispose(): void {
    this.stopWatching()
    this.changed.dispose()
  }

  private serialised(task: () => Promise<ConfigSetResult>): Promise<ConfigSetResult> {
    const run = this.writing.then(task)
    this.writing = run.catch(() => undefined)
    return run
  }

  /**
   * Reads the file again before a write: an edit the watcher has not delivered yet (debounce, or no
   * watch) is loaded first. Returns the refusal when the file cannot be read or does not validate,
   * since writing then would replace the user's file with the last good (or default) config.
   */
  private catchUpWithFile(): ConfigSetResult | null {
    const loaded = this.read()
    if (loaded.text !== this.text || !isDeepStrictEqual(loaded.issues, this.issues))
      this.apply(loaded)
    // Judged without the environment: an AILLM_API_* problem is not the file's, and doWrite reports it.
    const fileIssues = loaded.unreadable ? loaded.issues : analyseConfigText(loaded.text).issues
    if (fileIssues.length === 0) return null
    const name = basename(this.path)
    const message =
      `${name} has ${fileIssues.length} problem(s); fix ${name} first, then save again ` +
      '(nothing was written, so the file keeps what you typed)'
    return { ok: false, issues: [...fileIssues, { key: '', line: null, column: null, message }] }
  }

  private async doWrite(config: AillmConfig): Promise<ConfigSetResult> {
    const parsed = configSchema.safeParse(config, { reportInput: true })
    if (!parsed.success) {
      // Validate as text so the messages match the file's; there are no lines for an in-memory value.
      const issues = analyseConfigText(JSON.stringify(config)).issues.map((i) => ({
        ...i,
        line: null,
        column: null,
      }))
      return { ok: false, issues }
    }
    const read = readConfigText(this.path)
    if (read.issue !== null) return { ok: false, issues: [read.issue] }
    const fileBaseline = analyseConfigText(read.text).config ?? DEFAULT_CONFIG
    const target = this.withoutEnv(parsed.data, fileBaseline)
    const rendered = renderConfigText(read.exists ? read.text : null, target)
    if (!rendered.ok) return { ok: false, issues: rendered.issues }
    const inForce = analyseConfigText(rendered.text, this.env)
    if (inForce.config === null) return { ok: false, issues: inForce.issues }
    const refusals = this.liveRefusals(inForce.config)
    if (refusals.length > 0) return { ok: false, issues: refusals }
    try {
      await writeFileAtomic(this.path, rendered.text)
    } catch (err) {
      const message = `cannot write the file: ${(err as Error).message}`
      return { ok: false, issues: [{ key: '', line: null, column: null, message }] }
    }
    // Remember our own text first, so the watcher's event for this write reads as "no change".
    const before = this.current
    this.text = rendered.text
    this.goodText = rendered.text
    this.issues = []
    this.current = inForce.config
    this.logger.info(`Config saved to ${this.path}`)
    this.logLiveChanges(before, inForce.config)
    const view = this.view()
    this.changed.fire(view)
    return { ok: true, view }
  }

  /** Keeps an env-supplied value out of the file: where `config` still shows it, the file's own value stays. */
  private withoutEnv(config: AillmConfig, file: AillmConfig): AillmConfig {
    const out = structuredClone(config)
    for (const name of Object.keys(ENV_OVERRIDES) as EnvOverrideName[]) {
      const text = this.env[name]?.trim()
      if (!text) continue
      const key = ENV_OVERRIDES[name][1]
      const envValue = key === 'port' ? Number(text) : text
      if (out.api[key] === envValue) Object.assign(out.api, { [key]: file.api[key] })
    }
    return out
  }

  private read(): LoadedText {
    const read = readConfigText(this.path)
    if (read.issue !== null) {
      return { text: read.text, config: null, issues: [read.issue], unreadable: true }
    }
    if (read.exists && read.text.trim() === '' && this.goodText.trim() !== '') {
      const issue = { key: '', line: null, column: null, message: EMPTY_FILE_MESSAGE }
      return { text: read.text, config: null, issues: [issue], unreadable: false }
    }
    const { config, issues } = analyseConfigText(read.text, this.env)
    const refusals = config === null ? [] : this.liveRefusals(config)
    if (refusals.length > 0) {
      return { text: read.text, config: null, issues: refusals, unreadable: false }
    }
    return { text: read.text, config, issues, unreadable: false }
  }

  /** Nothing is running yet while the constructor reads the file: no refusals then. */
  private liveRefusals(next: AillmConfig): ConfigIssue[] {
    return this.listenHost === null ? [] : liveRefusals(next, this.listenHost)
  }

  private logLiveChanges(before: AillmConfig, after: AillmConfig): void {
    const { info, warn } = describeLiveChanges(before, after, this.started, this.path)
    for (const line of info) this.logger.info(line)
    for (const line of warn) this.logger.warn(line)
  }

  /** A token edited in the file does nothing while AILLM_API_TOKEN is set: say so, or it looks applied. */
  private noteEnvToken(beforeText: string, afterText: string): void {
    if (!this.env['AILLM_API_TOKEN']?.trim()) return
    const fileToken = (text: string) => analyseConfigText(text).config?.api.token ?? null
    if (fileToken(beforeText) === fileToken(afterText)) return
    this.logger.warn(
      `api.token changed in ${this.path}, but the AILLM_API_TOKEN environment variable is set and stays in force`,
    )
  }

  /** Takes a fresh read as the view; returns true when it changed (and onDidChange fired). */
  private apply(loaded: LoadedText): boolean {
    if (loaded.text === this.text && isDeepStrictEqual(loaded.issues, this.issues)) return false
    this.text = loaded.text
    this.issues = loaded.issues
    if (loaded.config !== null) {
      const before = this.current
      const beforeText = this.goodText
      this.current = loaded.config
      this.goodText = loaded.text
      this.logger.info(`Config reloaded from ${this.path}`)
      this.logLiveChanges(before, loaded.config)
      this.noteEnvToken(beforeText, loaded.text)
    } else {
      this.report(loaded.issues, 'keeping the last good config')
    }
    this.changed.fire(this.view())
    return true
  }

  /** The defaults, with the environment when that alone is valid. */
  private fallbackConfig(): AillmConfig {
    return analyseConfigText('', this.env).config ?? DEFAULT_CONFIG
  }

  private report(issues: ConfigIssue[], consequence: string): void {
    if (issues.length === 0) return
    for (const issue of issues) this.logger.warn(formatConfigIssue(this.path, issue))
    this.logger.warn(`Config ${this.path} has ${issues.length} problem(s); ${consequence}`)
  }

  private scheduleReload(): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timer = null
      this.reload()
    }, this.debounceMs)
  }

  private stopWatching(): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
    this.watcher?.close()
    this.watcher = null
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * Three-way merge of a config the caller edited (`mine`, made from `base`) onto `theirs` (the file
 * as it is now): what the caller changed wins, everything else comes from `theirs`. Lists and
 * scalars are whole values.
 */
function rebase<T>(mine: T, base: unknown, theirs: T): T {
  return merge(mine, base, theirs) as T
}

function merge(mine: unknown, base: unknown, theirs: unknown): unknown {
  if (isDeepStrictEqual(mine, base)) return structuredClone(theirs)
  if (!isPlainObject(mine) || !isPlainObject(base) || !isPlainObject(theirs)) return mine
  const out: Record<string, unknown> = {}
  for (const key of new Set([...Object.keys(mine), ...Object.keys(theirs)])) {
    // A key the caller deleted stays deleted; one only `theirs` has (added by the edit) is kept.
    if (!(key in mine) && key in base) continue
    const value = key in mine ? merge(mine[key], base[key], theirs[key]) : theirs[key]
    if (value !== undefined) out[key] = structuredClone(value)
  }
  return out
}

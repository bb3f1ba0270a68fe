import { appendFileSync } from 'node:fs'
import { basename, dirname } from 'node:path'
import {
  ensurePrivateDirSync,
  privateFileMode,
  tightenFileSync,
  tightenFilesInSync,
} from './private-files'

export type LogLevel = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR'

const ORDER: Record<LogLevel, number> = { DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40 }

/** One log record, for sinks and tests. */
export interface LogRecord {
  level: LogLevel
  message: string
  at: number
}

/**
 * The core's logger. Lines read `INFO - <message>` exactly as the product spec shows them.
 * Prompt text must never be passed at INFO or above (issue 3 point 7): use `debug` for that.
 */
export interface Logger {
  debug(message: string): void
  info(message: string): void
  warn(message: string): void
  error(message: string): void
}

export interface LoggerOptions {
  /** Lowest level written; default INFO. */
  level?: LogLevel
  /** Write lines to stdout (default true). */
  stdout?: boolean
  /** Also append lines to this file (created with its folder, both owner-only: logs name servers and models). */
  file?: string | null
  /** Receives every record at or above `level` (tests, the UI's log view). */
  sink?: (record: LogRecord) => void
}

/** Formats a record the way the spec's log excerpt does: `INFO - Discovery complete: …`. */
export function formatLogLine(record: LogRecord): string {
  return `${record.level} - ${record.message}`
}

/** Creates a logger writing to stdout and, optionally, a log file. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const min = ORDER[options.level ?? 'INFO']
  const toStdout = options.stdout ?? true
  const file = options.file ?? null
  const mode = privateFileMode()
  if (file) {
    ensurePrivateDirSync(dirname(file))
    // Logs an older version left 0644 (this file and its older copies beside it, `aillm.log.1`, …) are
    // made private now, at start-up, rather than never (appending does not change a file's mode).
    tightenFileSync(file)
    const name = basename(file)
    tightenFilesInSync(dirname(file), (n) => n.startsWith(name) || n.endsWith('.log'))
  }
  const write = (level: LogLevel, message: string): void => {
    if (ORDER[level] < min) return
    const record: LogRecord = { level, message, at: Date.now() }
    const line = formatLogLine(record)
    if (toStdout) process.stdout.write(`${line}\n`)
    if (file) {
      try {
        appendFileSync(file, `${new Date(record.at).toISOString()} ${line}\n`, {
          ...(mode !== undefined ? { mode } : {}),
        })
      } catch {
        // A log file that cannot be written must not break routing; stdout still has the line.
      }
    }
    options.sink?.(record)
  }
  return {
    debug: (m) => write('DEBUG', m),
    info: (m) => write('INFO', m),
    warn: (m) => write('WARNING', m),
    error: (m) => write('ERROR', m),
  }
}

/** A logger that keeps records in memory, for tests. */
export function createMemoryLogger(level: LogLevel = 'DEBUG'): Logger & { records: LogRecord[] } {
  const records: LogRecord[] = []
  const logger = createLogger({ level, stdout: false, sink: (r) => records.push(r) })
  return Object.assign(logger, { records })
}

/**
 * A child process spoken to in JSON lines: requests `{id, cmd, ...}` on stdin, replies
 * `{id, ok, result | error}` and events `{event, ...}` on stdout. The responder and the serve
 * driver of the virtual-LAN tests speak it.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'

/** One line a child printed. */
export type JsonLine = Record<string, unknown>

/** A running child with a JSON-lines protocol. */
export class JsonLinesProcess {
  private readonly child: ChildProcess
  private readonly lines: JsonLine[] = []
  private readonly waiters = new Set<() => void>()
  private nextId = 1
  private exited: { code: number | null; signal: string | null } | null = null
  /** Everything the child printed that was not JSON, and its stderr (for failure messages). */
  readonly transcript: string[] = []

  constructor(
    readonly label: string,
    argv: string[],
  ) {
    const [command, ...args] = argv
    if (command === undefined) throw new Error(`${label}: empty command line`)
    this.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] })
    createInterface({ input: this.child.stdout! }).on('line', (line) => this.onLine(line))
    createInterface({ input: this.child.stderr! }).on('line', (line) => {
      this.transcript.push(`[stderr] ${line}`)
    })
    this.child.on('exit', (code, signal) => {
      this.exited = { code, signal }
      this.wake()
    })
    this.child.on('error', (err) => {
      this.transcript.push(`[spawn error] ${err.message}`)
      this.exited = { code: null, signal: null }
      this.wake()
    })
  }

  /** The child's pid (undefined when spawning failed). */
  get pid(): number | undefined {
    return this.child.pid
  }

  /** Sends a command and waits for its reply; rejects with the child's error or on timeout. */
  async request(
    cmd: string,
    args: Record<string, unknown> = {},
    timeoutMs = 10_000,
  ): Promise<unknown> {
    const id = this.nextId++
    this.child.stdin!.write(`${JSON.stringify({ id, cmd, ...args })}\n`)
    const reply = await this.waitFor((l) => l['id'] === id, timeoutMs, `reply to ${cmd}`)
    if (reply['ok'] !== true) throw new Error(`${this.label} ${cmd}: ${String(reply['error'])}`)
    return reply['result']
  }

  /** Waits for a line matching `match` (already printed or still to come). */
  waitFor(match: (line: JsonLine) => boolean, timeoutMs: number, what: string): Promise<JsonLine> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const hit = this.lines.find(match)
        if (hit) {
          done()
          resolve(hit)
          return true
        }
        if (this.exited) {
          done()
          reject(
            new Error(
              `${this.label} exited (${JSON.stringify(this.exited)}) before ${what}\n${this.tail()}`,
            ),
          )
          return true
        }
        return false
      }
      const timer = setTimeout(() => {
        done()
        reject(new Error(`${this.label}: no ${what} within ${timeoutMs} ms\n${this.tail()}`))
      }, timeoutMs)
      const done = (): void => {
        clearTimeout(timer)
        this.waiters.delete(waiter)
      }
      const waiter = (): void => {
        check()
      }
      if (!check()) this.waiters.add(waiter)
    })
  }

  /** Waits for a printed line (JSON or not) matching `pattern`. */
  waitForText(pattern: RegExp, timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const hit = this.transcript.find((l) => !l.startsWith('[stderr]') && pattern.test(l))
        if (hit !== undefined) {
          done()
          resolve(hit)
          return true
        }
        if (this.exited) {
          done()
          reject(new Error(`${this.label} exited before printing ${pattern}\n${this.tail()}`))
          return true
        }
        return false
      }
      const timer = setTimeout(() => {
        done()
        reject(
          new Error(
            `${this.label}: no line matching ${pattern} within ${timeoutMs} ms\n${this.tail()}`,
          ),
        )
      }, timeoutMs)
      const waiter = (): void => {
        check()
      }
      const done = (): void => {
        clearTimeout(timer)
        this.waiters.delete(waiter)
      }
      if (!check()) this.waiters.add(waiter)
    })
  }

  /** Stops the child (SIGTERM, then SIGKILL after `graceMs`) and waits for it to exit. */
  async stop(graceMs = 3000): Promise<void> {
    if (this.exited || this.child.pid === undefined) return
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()))
    this.child.kill('SIGTERM')
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs)
    await gone
    clearTimeout(timer)
  }

  /** The last lines printed, for error messages. */
  tail(n = 30): string {
    return this.transcript.slice(-n).join('\n')
  }

  private onLine(line: string): void {
    this.transcript.push(line)
    if (!line.startsWith('{')) {
      this.wake()
      return
    }
    try {
      const parsed: unknown = JSON.parse(line)
      if (typeof parsed === 'object' && parsed !== null) this.lines.push(parsed as JsonLine)
    } catch {
      return
    }
    this.wake()
  }

  private wake(): void {
    for (const w of [...this.waiters]) w()
  }
}

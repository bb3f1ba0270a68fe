/**
 * Benchmark 8: the HTTP edge under abuse (issue 13), `serve` in a child process with its real limits so
 * its RSS is its own. (a) 20 stalled bodies: each announces ~15 MB and sends 14 MB of it slowly, then
 * stops. (b) A stalled reader: a client asks for a large streamed answer (~90 MB upstream), reads 64 kB
 * and stops reading. Goal for both: RSS within 50 MB of idle. `npm run bench -- --only edge`.
 */
import type { ChildProcess } from 'node:child_process'
import { request } from 'node:http'
import { connect, type Socket } from 'node:net'
import { join } from 'node:path'
import { Ollama } from 'ollama'
import { startSimServer, type SimServer } from '../tools/ollama-sim'
import { EDGE_LIMITS } from '../electron/core/api/edge-limits'
import { benchConfigYaml, benchDir } from './harness'
import type { GoalRow } from './report'
import { buildChild, nextMessage, spawnChild, stopChild } from './resources-bench'
import { round } from './stats'

/** Options of the edge benchmark. */
export interface EdgeBenchOptions {
  bodies: number
  /** Content-Length each stalled body announces, bytes. */
  announcedBytes: number
  /** Bytes each one sends before it stops. */
  sentBytes: number
  /** Each body's pace while sending, bytes per second. */
  bytesPerSecond: number
  /** Words of the large answer (~90 bytes of NDJSON each upstream). */
  answerWords: number
  /** `timeouts.stall_ms` of the child: how long a stalled reader is waited for. */
  stallMs: number
}

/** Result of the edge benchmark (MB, ms). */
export interface EdgeBenchResult {
  idleRssMb: number
  stalledBodies: {
    count: number
    announcedMb: number
    sentMb: number
    maxRssMb: number
    /** How the server ended them: status → count (0 = closed without an answer). */
    answers: Record<string, number>
    /** From the first byte until every one was closed. */
    allClosedMs: number | null
    requestTimeoutMs: number
    budgetMb: number
  }
  stalledReader: {
    answerMb: number
    readKb: number
    maxRssMb: number
    /** From the client's last read until the server ended the answer. */
    endedAfterMs: number | null
    stallMs: number
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The child's RSS (MB) and its API's requests in progress. */
async function sample(child: ChildProcess): Promise<{ rssMb: number; inFlight: number }> {
  const reply = nextMessage(child, 'memory')
  child.send({ kind: 'memory' })
  const m = await reply
  if (m.kind !== 'memory') throw new Error('unexpected reply')
  return { rssMb: round(m.rss / 2 ** 20, 1), inFlight: m.inFlight }
}

/** Samples the child every 250 ms until `done` says so; the highest RSS. */
async function maxRssUntil(
  child: ChildProcess,
  done: (s: { rssMb: number; inFlight: number }) => boolean,
): Promise<number> {
  let max = 0
  for (;;) {
    const s = await sample(child)
    max = Math.max(max, s.rssMb)
    if (done(s)) return max
    await sleep(250)
  }
}

/** One stalled body; resolves with the status it was answered (0: none) once the server closed it. */
function stalledBody(url: string, o: EdgeBenchOptions): Promise<number> {
  const u = new URL(url)
  return new Promise((resolve) => {
    const socket: Socket = connect(Number(u.port), u.hostname)
    let received = ''
    let sent = 0
    const chunk = Buffer.alloc(64 * 1024, 0x20)
    const every = Math.max(1, Math.round((chunk.length / o.bytesPerSecond) * 1000))
    let timer: NodeJS.Timeout | null = null
    socket.on('connect', () => {
      socket.write(
        `POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1:${u.port}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${o.announcedBytes}\r\n\r\n{"model":"auto","pad":"`,
      )
      timer = setInterval(() => {
        if (sent >= o.sentBytes || socket.destroyed) return
        socket.write(chunk)
        sent += chunk.length
      }, every)
    })
    socket.on('data', (c: Buffer) => (received += c.toString('latin1')))
    socket.on('error', () => undefined)
    socket.on('close', () => {
      if (timer) clearInterval(timer)
      const m = /^HTTP\/1\.1 (\d{3})/.exec(received)
      resolve(m ? Number(m[1]) : 0)
    })
  })
}

/** Asks for a streamed answer, reads 64 kB and stops reading. */
function stalledReader(url: string): {
  read: () => number
  pausedAt: () => number
  stop: () => void
} {
  const u = new URL(url)
  let read = 0
  let pausedAt = 0
  const req = request(
    {
      host: u.hostname,
      port: u.port,
      path: '/api/chat',
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
    },
    (res) => {
      res.on('data', (c: Buffer) => {
        read += c.length
        if (read > 64 * 1024 && !res.isPaused()) {
          res.pause()
          pausedAt = Date.now()
        }
      })
    },
  )
  req.on('error', () => undefined)
  req.end(
    JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'Tell me a story' }] }),
  )
  return { read: () => read, pausedAt: () => pausedAt, stop: () => req.destroy() }
}

/** Runs benchmark 8. */
export async function runEdgeBench(o: EdgeBenchOptions): Promise<EdgeBenchResult> {
  await buildChild()
  const sim: SimServer = await startSimServer({
    name: 'remote',
    port: 0,
    models: ['gemma3:12b'],
    timeScale: 0,
    replyWords: o.answerWords,
    numParallel: 4,
  })
  const d = benchDir(
    benchConfigYaml([{ name: 'remote', url: sim.url, priority: 'PRIMARY' }], {
      primaryFirst: true,
      timeouts: { stall_ms: o.stallMs },
    }),
  )
  let child: ChildProcess | null = null
  try {
    child = spawnChild([d.configPath, join(d.dir, 'data')])
    const listening = await nextMessage(child, 'listening')
    if (listening.kind !== 'listening') throw new Error('unexpected reply')
    const url = listening.url
    // One short answer first, so idle is measured with everything loaded.
    await new Ollama({ host: url }).chat({
      model: 'auto',
      messages: [{ role: 'user', content: 'Hi!' }],
      options: { num_predict: 8 },
    })
    await sleep(500)
    const idleRssMb = (await sample(child)).rssMb

    const started = Date.now()
    let closed = false
    const bodies = Promise.all(Array.from({ length: o.bodies }, () => stalledBody(url, o)))
    void bodies.then(() => (closed = true))
    const bodiesMax = await maxRssUntil(child, () => closed)
    const statuses = await bodies
    const answers: Record<string, number> = {}
    for (const s of statuses) answers[String(s)] = (answers[String(s)] ?? 0) + 1
    const allClosedMs = Date.now() - started

    await sleep(500)
    const reader = stalledReader(url)
    // A paused client does not notice the server closing (it reads nothing): the server's side says.
    let endedAt = 0
    const readerMax = await maxRssUntil(child, (s) => {
      if (reader.pausedAt() === 0 || s.inFlight > 0) return false
      endedAt = Date.now()
      return true
    })
    reader.stop()
    return {
      idleRssMb,
      stalledBodies: {
        count: o.bodies,
        announcedMb: round(o.announcedBytes / 2 ** 20, 1),
        sentMb: round(o.sentBytes / 2 ** 20, 1),
        maxRssMb: bodiesMax,
        answers,
        allClosedMs,
        requestTimeoutMs: EDGE_LIMITS.requestTimeoutMs,
        budgetMb: round(EDGE_LIMITS.maxBodyBytesInFlight / 2 ** 20, 1),
      },
      stalledReader: {
        answerMb: round((o.answerWords * 90) / 2 ** 20, 1),
        readKb: round(reader.read() / 1024, 1),
        maxRssMb: readerMax,
        endedAfterMs: reader.pausedAt() > 0 ? endedAt - reader.pausedAt() : null,
        stallMs: o.stallMs,
      },
    }
  } finally {
    await stopChild(child)
    await sim.stop()
    d.dispose()
  }
}

/** The report's rows for benchmark 8. */
export function edgeGoalRows(e: EdgeBenchResult): GoalRow[] {
  const b = e.stalledBodies
  const r = e.stalledReader
  const answers = Object.entries(b.answers)
    .map(([status, n]) => `${n} × ${status === '0' ? 'closed' : status}`)
    .join(', ')
  const within = (mb: number) => round(mb - e.idleRssMb, 1)
  return [
    {
      section: '8 edge',
      measure: `idle RSS / under ${b.count} stalled bodies (${b.announcedMb} MB announced, ${b.sentMb} MB sent slowly each)`,
      value: `${e.idleRssMb} MB / ${b.maxRssMb} MB (+${within(b.maxRssMb)} MB)`,
      goal: 'within 50 MB of idle',
      met: within(b.maxRssMb) <= 50,
    },
    {
      section: '8 edge',
      measure: `stalled bodies: answers; all closed after (request timeout ${b.requestTimeoutMs} ms, body budget ${b.budgetMb} MB)`,
      value: `${answers}; ${b.allClosedMs === null ? '—' : `${b.allClosedMs} ms`}`,
      goal: `all closed by the request timeout`,
      met: b.allClosedMs !== null && b.allClosedMs <= b.requestTimeoutMs + 5000,
    },
    {
      section: '8 edge',
      measure: `RSS under a stalled reader of a ${r.answerMb} MB answer (read ${r.readKb} kB)`,
      value: `${r.maxRssMb} MB (+${within(r.maxRssMb)} MB)`,
      goal: 'within 50 MB of idle',
      met: within(r.maxRssMb) <= 50,
    },
    {
      section: '8 edge',
      measure: `stalled reader: answer ended after (stall_ms ${r.stallMs})`,
      value: r.endedAfterMs === null ? '—' : `${r.endedAfterMs} ms`,
      goal: '≈ stall_ms',
      met: r.endedAfterMs !== null && r.endedAfterMs <= r.stallMs + 5000,
    },
  ]
}

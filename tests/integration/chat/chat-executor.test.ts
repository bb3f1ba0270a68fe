import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Ollama } from 'ollama'
import { ChatFailedError, ChatRequestError } from '../../../electron/core/chat/chat-errors'
import type { ChatMessage, TimeoutsConfig } from '../../../shared/types'
import { startSimServer, type Fault, type SimServer } from '../../../tools/ollama-sim/index'
import { TIMEOUTS, decision, executor, sink, target } from './executor-fixtures'
import { recordingProxy, type RecordingProxy } from './recording-proxy'

// ---- servers --------------------------------------------------------------------------------

const MODELS = ['gemma3:1b', 'qwen2.5:1.5b', 'gemma3:12b', 'qwen2.5-coder:14b']
let alpha: SimServer
let beta: SimServer
let betaProxy: RecordingProxy

const HISTORY: ChatMessage[] = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Explain the Singleton pattern' },
  { role: 'assistant', content: 'One instance, global access.' },
  { role: 'user', content: 'And its drawbacks?' },
]

beforeAll(async () => {
  const common = { port: 0, models: MODELS, tokensPerSecond: 400, replyWords: 16 }
  alpha = await startSimServer({ name: 'alpha', ...common })
  beta = await startSimServer({ name: 'beta', ...common })
  betaProxy = await recordingProxy(beta)
})

afterEach(async () => {
  await alpha.setFault({ kind: 'none' })
  await beta.setFault({ kind: 'none' })
  betaProxy.chatBodies.length = 0
  betaProxy.chatReplies.length = 0
})

afterAll(async () => {
  await betaProxy?.stop()
  await alpha?.stop()
  await beta?.stop()
})

const balanced = (s: { name: string; url: string }) => target(s, 'gemma3:12b', 'balanced')

/** The message after a partial answer: the user asking, in words, to continue it where it stopped. */
function expectContinueRequest(message: ChatMessage | undefined, partial: string): void {
  expect(message?.role).toBe('user')
  const text = message?.content ?? ''
  expect(text.trim().length).toBeGreaterThan(20)
  // It refers to the answer above and asks to go on with it.
  expect(text).toMatch(/\b(answer|reply|response)\b/i)
  expect(text).toMatch(/\bcontinu/i)
  expect(text).not.toBe(partial)
  expect(HISTORY.map((m) => m.content)).not.toContain(text)
}

// ---- tests ----------------------------------------------------------------------------------

describe('ChatExecutor against the simulator', () => {
  it('streams a healthy answer with the spec metadata', async () => {
    const { exec, feedback } = executor()
    const out = sink()
    const d = decision([target(alpha, 'gemma3:1b', 'fast'), balanced(beta)], 'fast')
    const result = await exec.run(d, [{ role: 'user', content: 'Hi!' }], out)

    expect(result.content.startsWith('[gemma3:1b@alpha]')).toBe(true)
    expect(out.text()).toBe(result.content)
    expect(out.events.filter((e) => e.kind === 'token').length).toBeGreaterThan(3)
    expect(result.metadata).toMatchObject({
      model: 'gemma3:1b',
      provider: 'ollama',
      distributed_routing: true,
      server_used: alpha.url,
      server_name: 'alpha',
      complexity_level: 'moderate',
      task_type: 'explanation',
      used_fast_model: true,
      fallback: false,
      warning: null,
      continued: false,
      decision_id: d.id,
    })
    expect(result.metadata.attempts).toMatchObject([{ outcome: 'ok', serverName: 'alpha' }])
    expect(result.metadata.tokens_per_second).toBeGreaterThan(0)
    expect(feedback.successes).toEqual([
      { serverId: 'alpha', model: 'gemma3:1b', tps: result.metadata.tokens_per_second },
    ])
    expect(feedback.inFlight.get('alpha')).toBe(0)
  })

  it.each<[string, Fault | null, string]>([
    ['stopped server', { kind: 'stopped' }, 'connect-failed'],
    ['hung server', { kind: 'hang' }, 'first-token-timeout'],
    ['HTTP 500', { kind: 'http-error', status: 500 }, 'upstream-error'],
    ['HTTP 503 (queue full)', { kind: 'http-error', status: 503 }, 'upstream-error'],
    [
      'first byte after the deadline',
      { kind: 'slow-first-byte', ms: 2_000 },
      'first-token-timeout',
    ],
    ['model lost (404)', null, 'model-not-found'],
  ])('before the first token: %s → next target, no seam', async (_name, fault, reason) => {
    // Loaded for real, as the target says (else a slow first byte is a load, and waited for).
    await new Ollama({ host: alpha.url }).generate({ model: 'gemma3:12b', prompt: '' })
    if (fault) await alpha.setFault(fault)
    const { exec, feedback } = executor()
    const out = sink()
    const first = fault ? balanced(alpha) : target(alpha, 'llama3.3:70b', 'balanced')
    const result = await exec.run(decision([first, balanced(betaProxy)]), HISTORY, out)

    expect(result.content.startsWith('[gemma3:12b@beta]')).toBe(true)
    expect(out.seams()).toEqual([])
    expect(result.metadata.continued).toBe(false)
    expect(result.metadata.server_used).toBe(betaProxy.url)
    expect(result.metadata.attempts.map((a) => [a.serverName, a.outcome, a.reason])).toEqual([
      ['alpha', 'failed-before-first-token', reason],
      ['beta', 'ok', null],
    ])
    expect(result.metadata.attempts[0]?.chars).toBe(0)
    expect(feedback.failures.map((f) => f.serverId)).toEqual(['alpha'])
    // The history reaches the new server unchanged, with nothing added.
    expect(betaProxy.chatBodies.at(-1)?.messages).toEqual(HISTORY)
    expect(feedback.inFlight.get('alpha')).toBe(0)
    expect(feedback.inFlight.get('beta')).toBe(0)
  })

  it.each<[string, Fault, string, Partial<TimeoutsConfig>]>([
    ['connection dropped', { kind: 'drop-after', chunks: 3 }, 'stream-dropped', {}],
    ['malformed chunk', { kind: 'malformed-chunk', after: 3 }, 'malformed-chunk', {}],
    [
      'streamed error line',
      { kind: 'http-error', status: 500, afterChunks: 3 },
      'upstream-error',
      {},
    ],
    ['stall between tokens', { kind: 'trickle', msPerChunk: 1_600 }, 'stall-timeout', {}],
  ])(
    'after the first token: %s → visible seam, continued on the next server',
    async (_name, fault, reason, timeouts) => {
      await alpha.setFault(fault)
      const { exec, feedback } = executor(timeouts)
      const out = sink()
      const result = await exec.run(decision([balanced(alpha), balanced(betaProxy)]), HISTORY, out)

      const [interrupted, ok] = result.metadata.attempts
      expect(interrupted).toMatchObject({ serverName: 'alpha', outcome: 'interrupted', reason })
      expect(ok).toMatchObject({ serverName: 'beta', outcome: 'ok' })
      expect(result.metadata.continued).toBe(true)
      expect(result.metadata.server_name).toBe('beta')
      expect(out.seams()).toEqual([
        `— answer interrupted on alpha (${reason}); continuing on gemma3:12b @ beta —`,
      ])

      // The caller got alpha's partial text, then the seam, then beta's continuation.
      const seamAt = out.events.findIndex((e) => e.kind === 'seam')
      const partial = out.events
        .slice(0, seamAt)
        .map((e) => (e.kind === 'token' ? e.text : ''))
        .join('')
      expect(partial.startsWith('[gemma3:12b@alpha]')).toBe(true)
      expect(interrupted?.chars).toBe(partial.length)
      expect(result.content).toBe(out.text())
      expect(result.content.slice(partial.length).startsWith('[gemma3:12b@beta]')).toBe(true)

      // Beta was asked to continue: the whole history, the partial answer as its own turn, then a
      // request to continue that answer (not to start over).
      const sent = betaProxy.chatBodies.at(-1)?.messages ?? []
      expect(sent.slice(0, HISTORY.length)).toEqual(HISTORY)
      expect(sent.slice(HISTORY.length, -1)).toEqual([{ role: 'assistant', content: partial }])
      expectContinueRequest(sent.at(-1), partial)
      expect(feedback.failures.map((f) => f.serverId)).toEqual(['alpha'])
      expect(feedback.successes.map((s) => s.serverId)).toEqual(['beta'])
    },
  )

  it('gives a cold model the longer first-token deadline', async () => {
    const cold = await startSimServer({
      name: 'cold',
      port: 0,
      models: ['gemma3:12b'],
      loadMs: 1_800,
      tokensPerSecond: 400,
      replyWords: 8,
    })
    try {
      const { exec } = executor()
      const result = await exec.run(decision([target(cold, 'gemma3:12b', 'balanced', false)]), [
        { role: 'user', content: 'Explain the Singleton pattern' },
      ])
      expect(result.content.startsWith('[gemma3:12b@cold]')).toBe(true)
      expect(result.metadata.attempts).toMatchObject([{ outcome: 'ok' }])
      expect(result.metadata.attempts[0]?.ms).toBeGreaterThanOrEqual(TIMEOUTS.first_token_ms)

      // The router thought it loaded, but it was evicted since: /api/ps does not list it, so the
      // wait is a load (issue 12: an evicted model is not treated as warm), and the person is told.
      cold.setModels([])
      cold.setModels(['gemma3:12b'])
      expect(cold.loaded()).toEqual([])
      const again = executor()
      const progress: string[] = []
      const evicted = await again.exec.run(
        decision([target(cold, 'gemma3:12b', 'balanced', true)]),
        [{ role: 'user', content: 'x' }],
        { onProgress: (p) => progress.push(p.text) },
      )
      expect(evicted.metadata.attempts).toMatchObject([{ outcome: 'ok' }])
      expect(evicted.metadata.attempts[0]?.ms).toBeGreaterThanOrEqual(TIMEOUTS.first_token_ms)
      expect(progress).toContain('Loading gemma3:12b on cold — it had been unloaded')
    } finally {
      await cold.stop()
    }
  })

  it('throws ChatFailedError listing every attempt when the chain is exhausted', async () => {
    await alpha.setFault({ kind: 'stopped' })
    await beta.setFault({ kind: 'http-error', status: 500 })
    const { exec, feedback } = executor()
    const out = sink()
    const err = await exec
      .run(decision([balanced(alpha), balanced(beta)]), HISTORY, out)
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ChatFailedError)
    const failed = err as ChatFailedError
    expect(failed.message).toMatch(
      /^all 2 servers failed: alpha: connection refused; beta: HTTP 500: .+/,
    )
    expect(failed.attempts.map((a) => a.outcome)).toEqual([
      'failed-before-first-token',
      'failed-before-first-token',
    ])
    expect(failed.partialContent).toBe('')
    expect(out.events).toEqual([])
    expect(feedback.failures.map((f) => f.serverId)).toEqual(['alpha', 'beta'])
  })

  it.each<[string, Fault]>([
    ['refusing connections', { kind: 'stopped' }],
    ['hung', { kind: 'hang' }],
  ])(
    'skips the other models of a server that is %s: one failure per dead box',
    async (_, fault) => {
      await alpha.setFault(fault)
      const { exec } = executor()
      const chain = [
        target(alpha, 'gemma3:12b'),
        target(alpha, 'qwen3:14b'),
        target(alpha, 'llama3.3:70b'),
        target(beta, 'gemma3:1b', 'fast'),
      ]
      const result = await exec.run(decision(chain), HISTORY, sink())
      expect(result.metadata.server_name).toBe('beta')
      expect(result.metadata.attempts.map((a) => `${a.model}@${a.serverName}`)).toEqual([
        'gemma3:12b@alpha',
        'gemma3:1b@beta',
      ])
    },
  )

  it('a model that lacks a capability (HTTP 400) hands over to the next model, held against no server', async () => {
    const { exec, feedback } = executor()
    const tools = [{ type: 'function', function: { name: 'f', description: 'x', parameters: {} } }]
    // gemma3 takes no tools: the simulator answers 400 like Ollama does; qwen2.5 does take them.
    const result = await exec.run(
      decision([target(alpha, 'gemma3:1b', 'fast'), target(betaProxy, 'qwen2.5:1.5b', 'fast')]),
      HISTORY,
      { tools: tools as never },
    )
    expect(result.metadata).toMatchObject({ model: 'qwen2.5:1.5b' })
    expect(result.metadata.attempts).toMatchObject([
      {
        model: 'gemma3:1b',
        reason: 'model-refused',
        error: expect.stringContaining('does not support tools'),
      },
      { model: 'qwen2.5:1.5b', outcome: 'ok' },
    ])
    expect(feedback.failures).toEqual([])
  })

  it('when no model accepts it, the caller gets the refusal itself (400), not a failure of all servers', async () => {
    const { exec, feedback } = executor()
    const tools = [{ type: 'function', function: { name: 'f', description: 'x', parameters: {} } }]
    const err = await exec
      .run(decision([target(alpha, 'gemma3:1b', 'fast')]), HISTORY, { tools: tools as never })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ChatRequestError)
    expect((err as ChatRequestError).status).toBe(400)
    expect((err as ChatRequestError).message).toContain('does not support tools')
    expect(feedback.failures).toEqual([])
  })

  it('a request the server refuses as such (HTTP 400) is not retried elsewhere nor held against the server', async () => {
    const { exec, feedback } = executor()
    const before = betaProxy.chatBodies.length
    const err = await exec
      .run(
        decision([target(alpha, 'gemma3:1b', 'fast'), target(betaProxy, 'qwen2.5:1.5b', 'fast')]),
        HISTORY,
        { keepAlive: 'forever' },
      )
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ChatRequestError)
    expect((err as ChatRequestError).status).toBe(400)
    expect(feedback.failures).toEqual([])
    expect(betaProxy.chatBodies.length).toBe(before)
  })

  it('keeps the partial text when the last target breaks mid-answer', async () => {
    await beta.setFault({ kind: 'drop-after', chunks: 2 })
    const { exec } = executor()
    const out = sink()
    const err = (await exec
      .run(decision([balanced(beta)]), HISTORY, out)
      .catch((e: unknown) => e)) as ChatFailedError
    expect(err).toBeInstanceOf(ChatFailedError)
    expect(err.attempts).toMatchObject([{ outcome: 'interrupted', reason: 'stream-dropped' }])
    expect(err.partialContent).toBe(out.text())
    expect(err.partialContent.startsWith('[gemma3:12b@beta]')).toBe(true)
  })

  it('cancellation aborts the upstream request at once and does not fail over', async () => {
    await beta.setFault({ kind: 'trickle', msPerChunk: 100 })
    const { exec, feedback } = executor({ stall_ms: 5_000 })
    const controller = new AbortController()
    const out = sink()
    const closedBefore = betaProxy.closedEarly
    const run = exec.run(decision([balanced(betaProxy), balanced(alpha)]), HISTORY, {
      signal: controller.signal,
      onToken: (t) => {
        out.onToken(t)
        controller.abort()
      },
    })
    const err = await run.catch((e: unknown) => e)
    expect((err as Error).name).toBe('AbortError')
    expect((err as { attempts: unknown[] }).attempts).toMatchObject([
      { serverName: 'beta', outcome: 'cancelled', reason: 'cancelled' },
    ])
    // The upstream request ended: the server side saw the client go away.
    await expect.poll(() => betaProxy.closedEarly).toBe(closedBefore + 1)
    await expect.poll(() => betaProxy.open).toBe(0)
    expect(feedback.inFlight.get('beta')).toBe(0)
    expect(feedback.inFlight.has('alpha')).toBe(false)
    expect(feedback.failures).toEqual([])
  })

  it('cancellation while the server has not answered yet rejects promptly', async () => {
    await alpha.setFault({ kind: 'hang' })
    const { exec } = executor({ first_token_ms: 10_000 })
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 50)
    const err = await exec
      .run(decision([balanced(alpha), balanced(beta)]), HISTORY, { signal: controller.signal })
      .catch((e: unknown) => e)
    expect((err as Error).name).toBe('AbortError')
    const pre = executor()
    const already = await pre.exec
      .run(decision([balanced(beta)]), HISTORY, { signal: AbortSignal.abort() })
      .catch((e: unknown) => e)
    expect((already as Error).name).toBe('AbortError')
    expect(pre.feedback.inFlight.size).toBe(0)
  })

  it("a throwing onToken is the caller's bug: it surfaces as is, with no failover", async () => {
    const { exec, feedback } = executor()
    const bug = new Error('renderer went away')
    const err = await exec
      .run(decision([balanced(alpha), balanced(beta)]), HISTORY, {
        onToken: () => {
          throw bug
        },
      })
      .catch((e: unknown) => e)
    expect(err).toBe(bug)
    expect(feedback.failures).toEqual([])
    expect(feedback.inFlight.get('alpha')).toBe(0)
    expect(feedback.inFlight.has('beta')).toBe(false)
  })

  it('marks a lower-tier answer as a fallback with the warning', async () => {
    await alpha.setFault({ kind: 'stopped' })
    const { exec } = executor()
    const d = decision(
      [target(alpha, 'qwen2.5-coder:14b', 'balanced'), target(beta, 'qwen2.5:1.5b', 'fast')],
      'powerful',
    )
    const result = await exec.run(d, [{ role: 'user', content: 'Write an auth system' }])
    expect(result.metadata).toMatchObject({
      model: 'qwen2.5:1.5b',
      server_name: 'beta',
      used_fast_model: true,
      fallback: true,
      warning: 'A simplified model is being used: qwen2.5:1.5b @ beta',
    })
  })

  it('passes Ollama request options through to the server', async () => {
    const { exec } = executor()
    await exec.run(decision([balanced(betaProxy)]), HISTORY, {
      options: { temperature: 0.1, num_ctx: 4096 },
      keepAlive: '10m',
      format: 'json',
    })
    expect(betaProxy.chatBodies.at(-1)).toMatchObject({
      model: 'gemma3:12b',
      stream: true,
      options: { temperature: 0.1, num_ctx: 4096 },
      keep_alive: '10m',
      format: 'json',
    })
  })
})

describe('ChatExecutor on the raw wire', () => {
  /** A server that sends a broken line in the middle of an otherwise complete stream. */
  it('does not let a malformed line vanish silently inside a complete stream', async () => {
    const lines = [
      { message: { role: 'assistant', content: 'Hello' }, done: false },
      'NOT JSON',
      { message: { role: 'assistant', content: ' world' }, done: false },
      { message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop' },
    ]
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/x-ndjson' })
      res.end(lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n')
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      const { exec } = executor()
      const out = sink()
      const err = (await exec
        .run(decision([target({ name: 'raw', url }, 'gemma3:1b')]), HISTORY, out)
        .catch((e: unknown) => e)) as ChatFailedError
      expect(err).toBeInstanceOf(ChatFailedError)
      expect(err.attempts).toMatchObject([{ outcome: 'interrupted', reason: 'malformed-chunk' }])
      expect(out.text()).toBe('Hello')
    } finally {
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
    }
  })
})

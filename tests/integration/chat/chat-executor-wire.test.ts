/**
 * The executor judged by what crosses the wire: the request bodies each server received (recorded by
 * a pass-through proxy in front of the simulator), which (model, server) pair ends up answering,
 * what the caller gets back, and how long each attempt is said to have taken.
 */
import { getEventListeners } from 'node:events'
import net from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ChatAttemptError, ChatFailedError } from '../../../electron/core/chat/chat-errors'
import { describeFailure, isUnreachable } from '../../../electron/core/discovery/probe-error'
import type { ChatMessage } from '../../../shared/types'
import { startSimServer, type Fault, type SimServer } from '../../../tools/ollama-sim/index'
import { TIMEOUTS, decision, executor, sink, target } from './executor-fixtures'
import { blackHole } from './black-hole'
import { ndjson, recordingProxy, wireText, type RecordingProxy } from './recording-proxy'

const MODELS = ['gemma3:1b', 'gemma3:12b', 'qwen3:14b', 'qwen2.5:1.5b']
const sims: SimServer[] = []
let alpha: RecordingProxy
let beta: RecordingProxy
let gamma: RecordingProxy
let alphaSim: SimServer
let betaSim: SimServer
let gammaSim: SimServer

/** A conversation with everything a message can carry: an image, a tool call and its result. */
const RICH_HISTORY: ChatMessage[] = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'What is in this picture?', images: ['iVBORw0KGgoAAAANSUhEUgAAAAE='] },
  { role: 'assistant', content: 'A weather map of Paris.' },
  { role: 'user', content: 'And the weather there now?' },
  {
    role: 'assistant',
    content: '',
    tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Paris', unit: 'C' } } }],
  },
  { role: 'tool', content: '{"temperature": 21}', tool_name: 'get_weather' },
  { role: 'user', content: 'Summarise it for me' },
]

const HISTORY: ChatMessage[] = [{ role: 'user', content: 'Explain the Singleton pattern' }]

const TOOLS = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Current weather of a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  },
]

beforeAll(async () => {
  const common = { port: 0, models: MODELS, tokensPerSecond: 400, replyWords: 16 }
  alphaSim = await startSimServer({ name: 'alpha', ...common })
  betaSim = await startSimServer({ name: 'beta', ...common })
  gammaSim = await startSimServer({ name: 'gamma', ...common })
  sims.push(alphaSim, betaSim, gammaSim)
  alpha = await recordingProxy(alphaSim)
  beta = await recordingProxy(betaSim)
  gamma = await recordingProxy(gammaSim)
})

afterEach(async () => {
  for (const sim of sims) await sim.setFault({ kind: 'none' })
  for (const proxy of [alpha, beta, gamma]) {
    proxy.chatBodies.length = 0
    proxy.chatReplies.length = 0
    proxy.intercept = null
  }
})

afterAll(async () => {
  for (const proxy of [alpha, beta, gamma]) await proxy?.stop()
  for (const sim of sims) await sim.stop()
})

const pair = (a: { model: string; serverName: string }) => `${a.model}@${a.serverName}`
const models = (proxy: RecordingProxy) => proxy.chatBodies.map((b) => b.model)

/** The message after a partial answer: the user asking, in words, to continue it where it stopped. */
function expectContinueRequest(message: ChatMessage | undefined, partial: string): void {
  expect(message?.role).toBe('user')
  const text = message?.content ?? ''
  expect(text.trim().length).toBeGreaterThan(20)
  expect(text).toMatch(/\b(answer|reply|response)\b/i)
  expect(text).toMatch(/\bcontinu/i)
  expect(text).not.toBe(partial)
}

describe('what reaches the server', () => {
  it('every message keeps its images, tool calls and tool name, on the first try and on a continuation', async () => {
    await alphaSim.setFault({ kind: 'drop-after', chunks: 3 })
    const { exec } = executor()
    const out = sink()
    const history = structuredClone(RICH_HISTORY)
    const result = await exec.run(
      decision([target(alpha, 'gemma3:12b'), target(beta, 'gemma3:12b')]),
      history,
      out,
    )

    expect(result.metadata.attempts.map((a) => [pair(a), a.outcome])).toEqual([
      ['gemma3:12b@alpha', 'interrupted'],
      ['gemma3:12b@beta', 'ok'],
    ])
    expect(alpha.chatBodies.map((b) => b.messages)).toEqual([RICH_HISTORY])
    const continuation = beta.chatBodies[0]?.messages ?? []
    expect(continuation.slice(0, RICH_HISTORY.length)).toEqual(RICH_HISTORY)
    expect(continuation.slice(RICH_HISTORY.length, -1)).toEqual([
      { role: 'assistant', content: out.before(0) },
    ])
    // The caller's own messages are left as they were.
    expect(history).toEqual(RICH_HISTORY)
  })

  it.each<[string, boolean | 'high']>([
    ['think: true', true],
    ['think: "high"', 'high'],
  ])(
    'forwards %s and the tools; the reasoning comes back apart from the answer text',
    async (_name, think) => {
      const { exec } = executor()
      const out = sink()
      const result = await exec.run(decision([target(beta, 'qwen3:14b')]), HISTORY, {
        ...out,
        think,
        tools: TOOLS as never,
      })

      expect(beta.chatBodies).toHaveLength(1)
      expect(beta.chatBodies[0]).toMatchObject({ model: 'qwen3:14b', think, tools: TOOLS })
      const wire = wireText(beta.chatReplies[0] ?? '')
      expect(wire.thinking.length).toBeGreaterThan(0)
      expect(wire.content.length).toBeGreaterThan(0)
      // What the server reasoned is the run's thinking, never part of the answer or its tokens.
      expect(result.thinking).toBe(wire.thinking)
      expect(result.content).toBe(wire.content)
      expect(out.text()).toBe(wire.content)
      expect(result.content).not.toContain(wire.thinking.trim())
    },
  )

  it('a request without think or tools sends neither', async () => {
    const { exec } = executor()
    const result = await exec.run(decision([target(beta, 'gemma3:12b')]), HISTORY)
    expect(Object.keys(beta.chatBodies[0] ?? {}).sort()).toEqual(['messages', 'model', 'stream'])
    expect(result.thinking).toBe('')
    expect(result.toolCalls).toEqual([])
  })

  it("tells why the answer ended: 'length' when num_predict cut it, 'stop' otherwise", async () => {
    const { exec } = executor()
    const cut = await exec.run(decision([target(beta, 'gemma3:12b')]), HISTORY, {
      options: { num_predict: 3 },
    })
    const whole = await exec.run(decision([target(beta, 'gemma3:12b')]), HISTORY)
    expect(beta.chatBodies[0]?.options).toEqual({ num_predict: 3 })
    expect([cut.doneReason, whole.doneReason]).toEqual(['length', 'stop'])
    expect(cut.content.length).toBeLessThan(whole.content.length)
  })
})

describe('answers with no text for a while', () => {
  const chunk = (message: Record<string, unknown>, done = false) =>
    ndjson({ model: 'qwen3:14b', message: { role: 'assistant', content: '', ...message }, done })
  const final = ndjson({
    model: 'qwen3:14b',
    message: { role: 'assistant', content: '' },
    done: true,
    done_reason: 'stop',
    eval_count: 10,
    eval_duration: 100_000_000,
  })
  // Pieces every 100 ms for 0.8 s or more: longer than the first-token deadline, each gap far under
  // the stall one.
  const timeouts = { first_token_ms: 600, stall_ms: 600 }

  it('reasoning counts as a sign of life: a long think before the first word is not a timeout', async () => {
    const thoughts = ['Let me ', 'think ', 'about ', 'single ', 'instances ', 'and ', 'globals. ']
    beta.intercept = () => ({
      status: 200,
      contentType: 'application/x-ndjson',
      body: [
        ...thoughts.map((t) => ({ afterMs: 100, text: chunk({ thinking: t }) })),
        { afterMs: 100, text: chunk({ content: 'One instance.' }) },
        { afterMs: 10, text: final },
      ],
    })
    const { exec } = executor(timeouts)
    const out = sink()
    const result = await exec.run(decision([target(beta, 'qwen3:14b')]), HISTORY, {
      ...out,
      think: true,
    })
    expect(result.metadata.attempts.map((a) => a.outcome)).toEqual(['ok'])
    expect(result.thinking).toBe(thoughts.join(''))
    expect(result.content).toBe('One instance.')
    expect(out.text()).toBe('One instance.')
    expect(result.metadata.tokens_per_second).toBe(100)
  })

  it('tool calls count as a sign of life and all of them come back, in order', async () => {
    const calls = ['Paris', 'Lyon', 'Nice', 'Lille', 'Brest', 'Dijon', 'Metz'].map((city) => ({
      function: { name: 'get_weather', arguments: { city } },
    }))
    beta.intercept = () => ({
      status: 200,
      contentType: 'application/x-ndjson',
      body: [
        ...calls.map((c) => ({ afterMs: 100, text: chunk({ tool_calls: [c] }) })),
        { afterMs: 100, text: final },
      ],
    })
    const { exec } = executor(timeouts)
    const out = sink()
    const result = await exec.run(decision([target(beta, 'qwen3:14b')]), RICH_HISTORY, {
      ...out,
      tools: TOOLS as never,
    })
    expect(result.metadata.attempts.map((a) => a.outcome)).toEqual(['ok'])
    expect(result.toolCalls).toEqual(calls)
    expect(result.content).toBe('')
    expect(out.events).toEqual([])
  })

  it('chunks with nothing in them are no sign of life: the first-token deadline still holds', async () => {
    beta.intercept = () => ({
      status: 200,
      contentType: 'application/x-ndjson',
      body: Array.from({ length: 12 }, () => ({ afterMs: 100, text: chunk({}) })),
    })
    const { exec } = executor(timeouts)
    const err = await exec
      .run(decision([target(beta, 'qwen3:14b')]), HISTORY)
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ChatFailedError)
    expect((err as ChatFailedError).attempts).toMatchObject([
      { outcome: 'failed-before-first-token', reason: 'first-token-timeout' },
    ])
  })
})

describe('which (model, server) pair answers after a failure', () => {
  it('a stream that ends without its final chunk was dropped: the answer continues elsewhere', async () => {
    beta.intercept = () => ({
      status: 200,
      contentType: 'application/x-ndjson',
      body: ndjson(
        { model: 'gemma3:12b', message: { role: 'assistant', content: 'One ' }, done: false },
        { model: 'gemma3:12b', message: { role: 'assistant', content: 'instance' }, done: false },
      ),
    })
    const { exec } = executor()
    const out = sink()
    const result = await exec.run(
      decision([target(beta, 'gemma3:12b'), target(gamma, 'gemma3:12b')]),
      HISTORY,
      out,
    )
    expect(result.metadata.attempts.map((a) => [pair(a), a.outcome, a.reason])).toEqual([
      ['gemma3:12b@beta', 'interrupted', 'stream-dropped'],
      ['gemma3:12b@gamma', 'ok', null],
    ])
    expect(out.before(0)).toBe('One instance')
    expect(result.metadata.attempts[0]?.error).toMatch(/\bended\b.*\bdone\b/)
    expect(out.seams()).toHaveLength(1)
  })

  it("a model the server lost (404) is that model's failure: the same server's next model answers", async () => {
    const { exec, feedback } = executor()
    const chain = [
      target(alpha, 'llama3.3:70b'),
      target(alpha, 'gemma3:12b'),
      target(beta, 'gemma3:12b'),
    ]
    const result = await exec.run(decision(chain), HISTORY)
    expect(result.metadata.attempts.map((a) => [pair(a), a.reason])).toEqual([
      ['llama3.3:70b@alpha', 'model-not-found'],
      ['gemma3:12b@alpha', null],
    ])
    expect(result.metadata.attempts[0]?.error).toMatch(/llama3\.3:70b.*not found.*404/)
    expect(result.content.startsWith('[gemma3:12b@alpha]')).toBe(true)
    expect(models(alpha)).toEqual(['llama3.3:70b', 'gemma3:12b'])
    expect(models(beta)).toEqual([])
    expect(feedback.failures.map((f) => f.serverId)).toEqual(['alpha'])
  })

  it("an HTTP 500 from one model (its runner crashed) is that model's failure: the next model on the same server answers", async () => {
    alpha.intercept = (body) =>
      body.model === 'qwen3:14b'
        ? { status: 500, body: JSON.stringify({ error: 'llama runner process has terminated' }) }
        : null
    const { exec } = executor()
    const chain = [
      target(alpha, 'qwen3:14b'),
      target(alpha, 'gemma3:12b'),
      target(beta, 'gemma3:12b'),
    ]
    const result = await exec.run(decision(chain), HISTORY)
    expect(result.metadata.attempts.map((a) => [pair(a), a.reason])).toEqual([
      ['qwen3:14b@alpha', 'upstream-error'],
      ['gemma3:12b@alpha', null],
    ])
    expect(result.metadata.attempts[0]?.error).toContain('llama runner process has terminated')
    expect(models(beta)).toEqual([])
  })

  it.each<[string, Fault, string, { stall_ms?: number; first_token_ms?: number }]>([
    ['the connection dropped', { kind: 'drop-after', chunks: 3 }, 'stream-dropped', {}],
    ['the stream stalled', { kind: 'trickle', msPerChunk: 1_600 }, 'stall-timeout', {}],
  ])(
    'when %s mid-answer the whole server is skipped: its other models are not tried',
    async (_name, fault, reason, timeouts) => {
      await alphaSim.setFault(fault)
      const { exec } = executor(timeouts)
      const out = sink()
      const chain = [
        target(alpha, 'gemma3:12b'),
        target(alpha, 'qwen3:14b'),
        target(beta, 'gemma3:1b', 'fast'),
      ]
      const result = await exec.run(decision(chain), HISTORY, out)
      expect(result.metadata.attempts.map((a) => [pair(a), a.reason])).toEqual([
        ['gemma3:12b@alpha', reason],
        ['gemma3:1b@beta', null],
      ])
      expect(models(alpha)).toEqual(['gemma3:12b'])
      expect(out.seams()).toEqual([
        `— answer interrupted on alpha (${reason}); continuing on gemma3:1b @ beta —`,
      ])
    },
  )

  it('a server that accepts the connection and resets it is not said to refuse connections', async () => {
    const resetting = net.createServer((socket) => socket.resetAndDestroy())
    await new Promise<void>((r) => resetting.listen(0, '127.0.0.1', () => r()))
    const url = `http://127.0.0.1:${(resetting.address() as net.AddressInfo).port}`
    try {
      const { exec } = executor()
      const result = await exec.run(
        decision([target({ name: 'reset', url }, 'gemma3:12b'), target(beta, 'gemma3:12b')]),
        HISTORY,
      )
      const [failed] = result.metadata.attempts
      expect(failed).toMatchObject({ reason: 'connect-failed' })
      expect(failed?.error).toContain('ECONNRESET')
      expect(failed?.error).not.toContain('refused')
    } finally {
      await new Promise((r) => resetting.close(r))
    }
  })

  it('a malformed chunk and a streamed error line are reported with what went wrong', async () => {
    await alphaSim.setFault({ kind: 'malformed-chunk', after: 2 })
    beta.intercept = () => ({
      status: 200,
      contentType: 'application/x-ndjson',
      body: ndjson(
        { model: 'gemma3:12b', message: { role: 'assistant', content: 'One ' }, done: false },
        { error: 'CUDA error: out of memory' },
      ),
    })
    const { exec } = executor()
    const result = await exec.run(
      decision([
        target(alpha, 'gemma3:12b'),
        target(beta, 'gemma3:12b'),
        target(gamma, 'gemma3:12b'),
      ]),
      HISTORY,
    )
    const [malformed, errorLine] = result.metadata.attempts
    expect(malformed).toMatchObject({ reason: 'malformed-chunk', outcome: 'interrupted' })
    expect(malformed?.error).toMatch(/malformed/)
    expect(errorLine).toMatchObject({ reason: 'upstream-error', outcome: 'interrupted' })
    expect(errorLine?.error).toContain('CUDA error: out of memory')
  })

  it('chunks without a content field add nothing to the answer', async () => {
    beta.intercept = () => ({
      status: 200,
      contentType: 'application/x-ndjson',
      body: ndjson(
        { model: 'gemma3:12b', message: { role: 'assistant', content: 'Hi.' }, done: false },
        { model: 'gemma3:12b', message: { role: 'assistant' }, done: false },
        { model: 'gemma3:12b', done: true, done_reason: 'stop' },
      ),
    })
    const { exec } = executor()
    const out = sink()
    const result = await exec.run(decision([target(beta, 'gemma3:12b')]), HISTORY, out)
    expect(result.content).toBe('Hi.')
    expect(out.text()).toBe('Hi.')
    expect(result.thinking).toBe('')
    expect(result.doneReason).toBe('stop')
  })

  it('a box that never completes the handshake: connect timeout after connect_ms, its other models skipped', async () => {
    const hole = await blackHole()
    try {
      const { exec, feedback } = executor({ connect_ms: 300 })
      const chain = [
        target(hole, 'gemma3:12b'),
        target(hole, 'qwen3:14b'),
        target(beta, 'gemma3:12b'),
      ]
      const result = await exec.run(decision(chain), HISTORY)
      expect(result.metadata.attempts.map((a) => [pair(a), a.reason])).toEqual([
        ['gemma3:12b@hole', 'connect-timeout'],
        ['gemma3:12b@beta', null],
      ])
      const [timedOut] = result.metadata.attempts
      expect(timedOut?.error).toContain('300 ms')
      expect(timedOut?.ms).toBeGreaterThanOrEqual(299)
      // Unreachable: the registry takes it offline at once.
      expect(isUnreachable(describeFailure(feedback.failures[0]?.error).kind)).toBe(true)
    } finally {
      hole.stop()
    }
  })

  it('the log names the failed pair, the reason and the pair tried next, skipping a dead server', async () => {
    await alphaSim.setFault({ kind: 'stopped' })
    await betaSim.setFault({ kind: 'http-error', status: 500 })
    const { exec, logger } = executor()
    const chain = [
      target(alpha, 'gemma3:12b'),
      target(alpha, 'qwen3:14b'),
      target(beta, 'gemma3:1b', 'fast'),
    ]
    const err = (await exec
      .run(decision(chain), HISTORY)
      .catch((e: unknown) => e)) as ChatFailedError
    expect(err).toBeInstanceOf(ChatFailedError)
    const warnings = logger.records.filter((r) => r.level === 'WARNING').map((r) => r.message)
    expect(warnings).toEqual([
      `Chat failed on gemma3:12b @ alpha (connect-failed): ${err.attempts[0]?.error}; trying gemma3:1b @ beta`,
      `Chat failed on gemma3:1b @ beta (upstream-error): ${err.attempts[1]?.error}`,
    ])
    expect(err.attempts.map((a) => a.error)).toEqual([
      expect.stringMatching(/^connection (refused|failed)/),
      expect.stringMatching(/^HTTP 500: ./),
    ])
  })

  it('the log tells an interrupted answer from a failed one', async () => {
    await alphaSim.setFault({ kind: 'drop-after', chunks: 3 })
    const { exec, logger } = executor()
    await exec.run(decision([target(alpha, 'gemma3:12b'), target(beta, 'gemma3:12b')]), HISTORY)
    const warnings = logger.records.filter((r) => r.level === 'WARNING').map((r) => r.message)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(
      /^Chat interrupted on gemma3:12b @ alpha \(stream-dropped\): .+; trying gemma3:12b @ beta$/,
    )
  })
})

describe('what the registry is told', () => {
  it.each<[string, Fault, string, { stall_ms?: number; first_token_ms?: number }]>([
    ['hung before the first token', { kind: 'hang' }, 'first-token-timeout', {}],
    ['stalled mid-answer', { kind: 'trickle', msPerChunk: 1_600 }, 'stall-timeout', {}],
  ])(
    'a server %s is reported as slow, neither as the caller cancelling nor as unreachable',
    async (_name, fault, reason, timeouts) => {
      await alphaSim.setFault(fault)
      const { exec, feedback } = executor(timeouts)
      await exec.run(decision([target(alpha, 'gemma3:12b'), target(beta, 'gemma3:12b')]), HISTORY)
      expect(feedback.failures).toHaveLength(1)
      const error = feedback.failures[0]?.error
      expect(error).toBeInstanceOf(ChatAttemptError)
      expect((error as ChatAttemptError).reason).toBe(reason)
      // The registry ignores cancels and takes a server offline when it is unreachable; a server
      // that is only slow gets neither treatment (it is re-probed soon instead).
      const described = describeFailure(error)
      expect(described.kind).not.toBe('cancelled')
      expect(isUnreachable(described.kind)).toBe(false)
      // The detail names the limit that ran out.
      const limit = { ...TIMEOUTS, ...timeouts }[
        reason === 'stall-timeout' ? 'stall_ms' : 'first_token_ms'
      ]
      expect((error as ChatAttemptError).detail).toContain(`${limit} ms`)
      expect((error as ChatAttemptError).detail).not.toContain('not loaded')
    },
  )

  it('a cold model that misses its longer deadline is said to be not loaded', async () => {
    const cold = await startSimServer({
      name: 'cold',
      port: 0,
      models: ['gemma3:12b'],
      loadMs: 1_500,
    })
    try {
      const { exec, feedback } = executor({ cold_first_token_ms: 400 })
      const err = await exec
        .run(decision([target(cold, 'gemma3:12b', 'balanced', false)]), HISTORY)
        .catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ChatFailedError)
      expect((err as ChatFailedError).attempts).toMatchObject([{ reason: 'first-token-timeout' }])
      const detail = (feedback.failures[0]?.error as ChatAttemptError).detail
      expect(detail).toContain('400 ms')
      expect(detail).toContain('not loaded')
    } finally {
      await cold.stop()
    }
  })
})

describe('the caller going away', () => {
  it('a cancel that comes while failing over stops the run: the next server answers nothing', async () => {
    await alphaSim.setFault({ kind: 'stopped' })
    const { exec, feedback } = executor()
    const controller = new AbortController()
    const recordFailure = feedback.recordFailure
    // The user presses stop just as the first server is found dead.
    feedback.recordFailure = (id, error) => {
      recordFailure(id, error)
      controller.abort()
    }
    const out = sink()
    const err = await exec
      .run(decision([target(alpha, 'gemma3:12b'), target(beta, 'gemma3:12b')]), HISTORY, {
        ...out,
        signal: controller.signal,
      })
      .catch((e: unknown) => e)
    expect((err as Error).name).toBe('AbortError')
    expect(beta.chatBodies).toEqual([])
    expect(out.events).toEqual([])
    expect(feedback.successes).toEqual([])
    expect(feedback.failures.map((f) => f.serverId)).toEqual(['alpha'])
  })

  it('runs sharing one long-lived signal leave no listeners on it', async () => {
    await alphaSim.setFault({ kind: 'drop-after', chunks: 2 })
    const { exec } = executor()
    const controller = new AbortController()
    const { signal } = controller
    await exec.run(decision([target(beta, 'gemma3:12b')]), HISTORY, { signal })
    await exec.run(decision([target(alpha, 'gemma3:12b'), target(beta, 'gemma3:12b')]), HISTORY, {
      signal,
    })
    expect(getEventListeners(signal, 'abort')).toHaveLength(0)
  })

  it("a throwing onToken (the caller's bug) still ends the upstream request", async () => {
    await betaSim.setFault({ kind: 'trickle', msPerChunk: 50 })
    const { exec } = executor({ stall_ms: 5_000 })
    const closedBefore = beta.closedEarly
    const bug = new Error('renderer went away')
    const err = await exec
      .run(decision([target(beta, 'gemma3:12b'), target(gamma, 'gemma3:12b')]), HISTORY, {
        onToken: () => {
          throw bug
        },
      })
      .catch((e: unknown) => e)
    expect(err).toBe(bug)
    await expect.poll(() => beta.closedEarly).toBe(closedBefore + 1)
    await expect.poll(() => beta.open).toBe(0)
    expect(gamma.chatBodies).toEqual([])
  })
})

describe('continuing an interrupted answer', () => {
  it('each further server gets everything streamed so far, and each seam names where it broke', async () => {
    await alphaSim.setFault({ kind: 'drop-after', chunks: 3 })
    await betaSim.setFault({ kind: 'drop-after', chunks: 2 })
    const { exec } = executor()
    const out = sink()
    const chain = [
      target(alpha, 'gemma3:12b'),
      target(beta, 'gemma3:12b'),
      target(gamma, 'gemma3:1b'),
    ]
    const result = await exec.run(decision(chain), HISTORY, out)

    expect(out.seams()).toEqual([
      '— answer interrupted on alpha (stream-dropped); continuing on gemma3:12b @ beta —',
      '— answer interrupted on beta (stream-dropped); continuing on gemma3:1b @ gamma —',
    ])
    const fromAlpha = out.before(0)
    const upToBeta = out.before(1)
    expect(fromAlpha.startsWith('[gemma3:12b@alpha]')).toBe(true)
    expect(upToBeta.slice(fromAlpha.length).startsWith('[gemma3:12b@beta]')).toBe(true)

    const toBeta = beta.chatBodies[0]?.messages ?? []
    expect(toBeta.slice(0, -1)).toEqual([...HISTORY, { role: 'assistant', content: fromAlpha }])
    expectContinueRequest(toBeta.at(-1), fromAlpha)
    // One partial answer (all of it) and one request to continue, not one pair per interruption.
    const toGamma = gamma.chatBodies[0]?.messages ?? []
    expect(toGamma.slice(0, -1)).toEqual([...HISTORY, { role: 'assistant', content: upToBeta }])
    expectContinueRequest(toGamma.at(-1), upToBeta)

    expect(result.content).toBe(out.text())
    expect(result.metadata.continued).toBe(true)
    expect(result.metadata.attempts.map((a) => [a.serverName, a.outcome, a.chars])).toEqual([
      ['alpha', 'interrupted', fromAlpha.length],
      ['beta', 'interrupted', upToBeta.length - fromAlpha.length],
      ['gamma', 'ok', result.content.length - upToBeta.length],
    ])
  })

  it('a server failing before its first token does not move the seam: it still names where the answer broke', async () => {
    await alphaSim.setFault({ kind: 'drop-after', chunks: 3 })
    await betaSim.setFault({ kind: 'http-error', status: 503 })
    const { exec } = executor()
    const out = sink()
    const chain = [
      target(alpha, 'gemma3:12b'),
      target(beta, 'gemma3:12b'),
      target(gamma, 'gemma3:12b'),
    ]
    const result = await exec.run(decision(chain), HISTORY, out)

    expect(result.metadata.attempts.map((a) => [a.serverName, a.outcome])).toEqual([
      ['alpha', 'interrupted'],
      ['beta', 'failed-before-first-token'],
      ['gamma', 'ok'],
    ])
    expect(out.seams()).toEqual([
      '— answer interrupted on alpha (stream-dropped); continuing on gemma3:12b @ gamma —',
    ])
    // Beta was asked to continue too (it just could not): the partial answer went to both.
    const partial = out.before(0)
    for (const proxy of [beta, gamma]) {
      const sent = proxy.chatBodies[0]?.messages ?? []
      expect(sent.slice(0, -1)).toEqual([...HISTORY, { role: 'assistant', content: partial }])
      expectContinueRequest(sent.at(-1), partial)
    }
    expect(result.metadata.continued).toBe(true)
  })
})

describe('how long attempts took', () => {
  it('an answer whose first byte came late: first token and attempt time both after the delay, within the run', async () => {
    const delay = 300
    await betaSim.setFault({ kind: 'slow-first-byte', ms: delay })
    const { exec } = executor({ first_token_ms: 3_000 })
    let firstTokenAt: number | null = null
    const startedAt = Date.now()
    const result = await exec.run(decision([target(beta, 'gemma3:12b')]), HISTORY, {
      onToken: () => {
        firstTokenAt ??= Date.now()
      },
    })
    const elapsed = Date.now() - startedAt

    const [attempt] = result.metadata.attempts
    expect(firstTokenAt).not.toBeNull()
    expect((firstTokenAt ?? 0) - startedAt).toBeGreaterThanOrEqual(delay)
    expect(attempt?.ms).toBeGreaterThanOrEqual(delay)
    expect(attempt?.ms).toBeGreaterThanOrEqual((firstTokenAt ?? 0) - startedAt - 5)
    expect(attempt?.ms).toBeLessThanOrEqual(elapsed)
  })

  it('a first-token timeout takes its whole deadline, and attempts add up to no more than the run', async () => {
    await alphaSim.setFault({ kind: 'hang' })
    const deadline = 800
    const { exec } = executor({ first_token_ms: deadline })
    const startedAt = Date.now()
    const result = await exec.run(
      decision([target(alpha, 'gemma3:12b'), target(beta, 'gemma3:12b')]),
      HISTORY,
    )
    const elapsed = Date.now() - startedAt

    const [failed, ok] = result.metadata.attempts
    expect(failed).toMatchObject({ reason: 'first-token-timeout' })
    expect(failed?.error).toContain(`${deadline} ms`)
    expect(failed?.ms).toBeGreaterThanOrEqual(deadline)
    expect(ok?.ms).toBeGreaterThanOrEqual(0)
    expect((failed?.ms ?? 0) + (ok?.ms ?? 0)).toBeLessThanOrEqual(elapsed)
  })
})

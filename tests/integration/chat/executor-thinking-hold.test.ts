/**
 * A caller that takes its time over a piece of reasoning holds the stream, as it does for text: the
 * next piece waits for it, and the server is not blamed for the silence meanwhile. A caller whose
 * reasoning callback fails gets its own error back, and no server is marked as failing for it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startSimServer, type SimServer } from '../../../tools/ollama-sim/index'
import { decision, executor, target } from './executor-fixtures'
import { ndjson, recordingProxy, type RecordingProxy } from './recording-proxy'

let sim: SimServer
let beta: RecordingProxy

beforeAll(async () => {
  sim = await startSimServer({
    name: 'beta',
    port: 0,
    models: ['qwen3:14b'],
    tokensPerSecond: 400,
    replyWords: 8,
  })
  beta = await recordingProxy(sim)
  const chunk = (message: Record<string, unknown>, done = false) =>
    ndjson({ model: 'qwen3:14b', message: { role: 'assistant', content: '', ...message }, done })
  beta.intercept = () => ({
    status: 200,
    contentType: 'application/x-ndjson',
    body:
      chunk({ thinking: 'Weighing globals. ' }) +
      chunk({ content: 'One instance.' }) +
      ndjson({
        model: 'qwen3:14b',
        message: { role: 'assistant', content: '' },
        done: true,
        done_reason: 'stop',
        eval_count: 2,
        eval_duration: 20_000_000,
      }),
  })
})

afterAll(async () => {
  await beta?.stop()
  await sim?.stop()
})

const ask = [{ role: 'user' as const, content: 'Explain the Singleton pattern' }]

it('a held reasoning piece holds the text behind it, longer than the stall limit, without a failure', async () => {
  const { exec, feedback } = executor({ stall_ms: 300, first_token_ms: 1_000 })
  const events: string[] = []
  const result = await exec.run(decision([target(beta, 'qwen3:14b')]), ask, {
    think: true,
    onThinking: async (t) => {
      events.push(`think:${t}`)
      await new Promise((r) => setTimeout(r, 900))
      events.push('released')
    },
    onToken: (t) => void events.push(`text:${t}`),
  })
  expect(events).toEqual(['think:Weighing globals. ', 'released', 'text:One instance.'])
  expect(result.metadata.attempts.map((a) => a.outcome)).toEqual(['ok'])
  expect(feedback.failures).toEqual([])
})

it('a reasoning callback that fails ends the run with its own error and blames no server', async () => {
  const { exec, feedback } = executor()
  const bug = new Error('the caller broke')
  await expect(
    exec.run(decision([target(beta, 'qwen3:14b')]), ask, {
      think: true,
      onThinking: () => Promise.reject(bug),
    }),
  ).rejects.toBe(bug)
  expect(feedback.failures).toEqual([])
})

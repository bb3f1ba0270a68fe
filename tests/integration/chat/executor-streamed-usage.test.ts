/**
 * A failed attempt sent no final counts: its usage is an estimate from what it streamed, one token per
 * chunk that carried reasoning or text. Chunks carrying neither (keep-alive empties) are not tokens.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startSimServer, type SimServer } from '../../../tools/ollama-sim/index'
import { decision, executor, sink, target } from './executor-fixtures'
import { ndjson, recordingProxy, type RecordingProxy } from './recording-proxy'

let betaSim: SimServer
let alphaSim: SimServer
let beta: RecordingProxy

beforeAll(async () => {
  const common = { port: 0, models: ['qwen3:14b'], tokensPerSecond: 400, replyWords: 8 }
  alphaSim = await startSimServer({ name: 'alpha', ...common })
  betaSim = await startSimServer({ name: 'beta', ...common })
  beta = await recordingProxy(betaSim)
})

afterAll(async () => {
  await beta?.stop()
  await betaSim?.stop()
  await alphaSim?.stop()
})

it('a stream cut before its final chunk counts each chunk of reasoning or text it received', async () => {
  const chunk = (message: Record<string, unknown>) =>
    ndjson({
      model: 'qwen3:14b',
      message: { role: 'assistant', content: '', ...message },
      done: false,
    })
  const thoughts = ['Weighing ', 'globals. ']
  const words = ['One ', 'instance, ', 'global ']
  const seen: string[] = []
  beta.intercept = () => ({
    status: 200,
    contentType: 'application/x-ndjson',
    // Reasoning, an empty chunk, text; then the stream ends with no `done`: the attempt failed.
    body: [
      ...thoughts.map((t) => chunk({ thinking: t })),
      chunk({}),
      ...words.map((w) => chunk({ content: w })),
    ].join(''),
  })
  const { exec } = executor()
  const out = sink()
  const result = await exec.run(
    decision([
      target(beta, 'qwen3:14b'),
      target({ name: 'alpha', url: alphaSim.url }, 'qwen3:14b'),
    ]),
    [{ role: 'user', content: 'Explain the Singleton pattern' }],
    { ...out, think: true, onThinking: (t) => void seen.push(t) },
  )
  const [cut, rest] = result.metadata.attempts
  expect(cut?.serverName).toBe('beta')
  expect(cut?.outcome).not.toBe('ok')
  expect(rest?.outcome).toBe('ok')
  // What the caller was handed from the cut attempt: two thoughts and three words, five chunks.
  expect(seen.slice(0, thoughts.length)).toEqual(thoughts)
  expect(cut?.usage).toMatchObject({
    source: 'streamed',
    eval_count: thoughts.length + words.length,
  })
})

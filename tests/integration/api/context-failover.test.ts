/**
 * A `/api/generate` request that brings back a `context` is kept on the (model, server) pair that made it
 * (issue 14 point 3). When that pair fails before answering — the box is down, the model is gone — the
 * request is answered elsewhere without the context and `X-AILLM-Context` says so, instead of failing.
 * Fresh boxes per test: the failure opens the failed box's breaker.
 */
import { afterEach, beforeEach, expect, it } from 'vitest'
import { Ollama } from 'ollama'
import { startSimServer, type SimServer } from '../../../tools/ollama-sim'
import {
  FAST_FAILOVER_EXTRA,
  type TwoBoxServe,
  startTwoBoxServe,
} from '../../helpers/two-box-serve'

const MODEL = 'gemma3:1b'

let first: SimServer
let second: SimServer
let box: TwoBoxServe

beforeEach(async () => {
  first = await startSimServer({ name: 'first', port: 0, models: [MODEL], timeScale: 0 })
  second = await startSimServer({ name: 'second', port: 0, models: [MODEL], timeScale: 0 })
  box = await startTwoBoxServe({
    primaryUrl: first.url,
    secondary: { name: 'second', url: second.url },
    ollamaExtra: FAST_FAILOVER_EXTRA,
  })
}, 30_000)

afterEach(async () => {
  await box?.close()
  await Promise.all([first?.stop(), second?.stop()])
})

/**
 * A first answer, its context and the box that made it (`made`: its name in AILLM, where the base_url
 * server is "primary"; the simulator names itself in its replies); the other box is `other`.
 */
async function contextFrom(): Promise<{
  context: number[]
  made: string
  maker: SimServer
  other: SimServer
}> {
  const r = await new Ollama({ host: box.serve.url }).generate({ model: MODEL, prompt: 'Cats?' })
  const made = (r as unknown as { metadata: { server_name: string } }).metadata.server_name
  const maker = made === 'second' ? second : first
  return { context: r.context, made, maker, other: maker === first ? second : first }
}

const ask = (context: number[], stream: boolean) =>
  fetch(`${box.serve.url}/api/generate`, {
    method: 'POST',
    body: JSON.stringify({ model: MODEL, prompt: 'And dogs?', context, stream }),
  })

it.each([
  ['the box is down', (s: SimServer) => s.setFault({ kind: 'stopped' })],
  ['the model is gone', (s: SimServer) => Promise.resolve(s.setModels(['qwen2.5:1.5b']))],
])(
  'when %s, the request is answered elsewhere without its context, and says so',
  async (_name, breakIt) => {
    const { context, made, maker, other } = await contextFrom()
    await breakIt(maker)
    const res = await ask(context, false)
    expect(res.status).toBe(200)
    expect(res.headers.get('x-aillm-context')).toMatch(
      new RegExp(
        `^dropped; ${MODEL} @ ${made}, which made it, failed \\(.+\\); answered elsewhere`,
      ),
    )
    const body = (await res.json()) as { response: string; context: number[] }
    expect(body.response).toMatch(new RegExp(`^\\[${MODEL}@${other.name}\\]`))
    // The old ids were not sent to the other box: its context does not lead with them.
    expect(body.context.slice(0, context.length)).not.toEqual(context)
  },
)

it('a streamed request does the same before its first byte', async () => {
  const { context, maker, other } = await contextFrom()
  await maker.setFault({ kind: 'stopped' })
  const res = await ask(context, true)
  expect(res.status).toBe(200)
  expect(res.headers.get('x-aillm-context')).toMatch(/^dropped; /)
  const lines = (await res.text())
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { response?: string; done?: boolean; error?: string })
  expect(lines.some((l) => l.error)).toBe(false)
  expect(lines.map((l) => l.response ?? '').join('')).toMatch(
    new RegExp(`^\\[${MODEL}@${other.name}\\]`),
  )
  expect(lines.at(-1)?.done).toBe(true)
})

it('a healthy pair still keeps the request (and the context) there', async () => {
  const { context, made } = await contextFrom()
  const res = await ask(context, false)
  expect(res.headers.get('x-aillm-context')).toBe(`kept; ${MODEL} @ ${made}`)
  const body = (await res.json()) as { context: number[] }
  expect(body.context.slice(0, context.length)).toEqual(context)
})

/**
 * A fill-in-the-middle answer cut mid-stream (issue 14, point 3): it continues on the next server as a
 * /api/generate whose prefix grew by what was already said, without a seam note in the code and without
 * a `context` (its ids would cover only the continuation).
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { Ollama } from 'ollama'
import { startSimServer, type SimServer } from '../../../tools/ollama-sim'
import type { Serve } from '../../../electron/serve/serve'
import { startTwoBoxServe, type TwoBoxServe } from '../../helpers/two-box-serve'

const CODER = 'qwen2.5-coder:7b'

let first: SimServer
let second: SimServer
let serve: Serve
let box: TwoBoxServe

beforeAll(async () => {
  first = await startSimServer({ name: 'first', port: 0, models: [CODER] })
  second = await startSimServer({ name: 'second', port: 0, models: [CODER] })
  box = await startTwoBoxServe({
    primaryUrl: first.url,
    secondary: { name: 'second', url: second.url },
  })
  serve = box.serve
}, 30_000)

afterAll(async () => {
  await box?.close()
  await Promise.all([first?.stop(), second?.stop()])
})

it('continues a cut fill-in-the-middle answer as a generate elsewhere, with no seam and no context', async () => {
  await first.setFault({ kind: 'crash', afterChunks: 3 })
  const r = await new Ollama({ host: serve.url }).generate({
    model: CODER,
    prompt: 'def add(a, b):\n    ',
    suffix: '\n',
    stream: false,
  })
  const meta = (r as unknown as { metadata: { continued: boolean; server_name: string } }).metadata
  expect(meta).toMatchObject({ continued: true, server_name: 'second' })
  expect(r.response).toMatch(/^\[qwen2\.5-coder:7b@first\]/)
  expect(r.response).toContain('[qwen2.5-coder:7b@second]')
  expect(r.response).not.toContain('answer interrupted')
  expect(r.context).toBeUndefined()
  const generated = (sim: SimServer) =>
    sim.requests
      .filter((q) => q.path === '/api/generate' || q.path === '/api/chat')
      .map((q) => q.path)
  expect(generated(first)).toEqual(['/api/generate'])
  expect(generated(second)).toEqual(['/api/generate'])
})

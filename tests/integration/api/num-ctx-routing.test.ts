/**
 * `num_ctx` is part of "loaded" (issue 12, item 5): Ollama reloads a runner whose context length differs
 * from the request's, so the router prefers the server where the model is loaded with the asked one. Two
 * simulated boxes hold the same model, loaded with different context lengths; requests go through `serve`
 * with the official `ollama` and `openai` clients.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Ollama } from 'ollama'
import { startSimServer, type SimServer } from '../../../tools/ollama-sim'
import type { Serve } from '../../../electron/serve/serve'
import { startTwoBoxServe, type TwoBoxServe } from '../../helpers/two-box-serve'

const MODEL = 'gemma3:12b'
const EXPLAIN = 'Explain the Singleton pattern'

interface ServerStatus {
  name: string
  models: { name: string; loaded: boolean; context_length: number | null }[]
}

let primary: SimServer
let secondary: SimServer
let serve: Serve
let box: TwoBoxServe

/** Waits (polling, bounded) until serve sees MODEL loaded on both boxes with the given contexts. */
async function untilSeen(want: Record<string, number>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms
  let last = ''
  while (Date.now() < end) {
    const res = await fetch(`${serve.url}/api/models/servers`)
    const { servers } = (await res.json()) as { servers: ServerStatus[] }
    const seen = Object.fromEntries(
      servers.map((s) => [s.name, s.models.find((m) => m.name === MODEL)?.context_length ?? null]),
    )
    last = JSON.stringify(seen)
    if (Object.entries(want).every(([name, n]) => seen[name] === n)) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`serve never saw ${JSON.stringify(want)}; last seen ${last}`)
}

beforeAll(async () => {
  primary = await startSimServer({ name: 'primary-box', port: 0, models: [MODEL] })
  secondary = await startSimServer({ name: 'second-box', port: 0, models: [MODEL] })
  // The same model, loaded with the default context on one box and with 8192 on the other.
  await new Ollama({ host: primary.url }).generate({ model: MODEL, prompt: 'hi', stream: false })
  await new Ollama({ host: secondary.url }).generate({
    model: MODEL,
    prompt: 'hi',
    stream: false,
    options: { num_ctx: 8192 },
  })
  box = await startTwoBoxServe({
    primaryUrl: primary.url,
    secondary: { name: 'second-box', url: secondary.url },
    ollamaExtra: '      health_check_interval_s: 1',
  })
  serve = box.serve
  await untilSeen({ primary: 4096, 'second-box': 8192 })
}, 30_000)

afterAll(async () => {
  await box?.close()
  await Promise.all([primary?.stop(), secondary?.stop()])
})

describe('num_ctx and the loaded runner', () => {
  it('the status route shows each runner’s context length', async () => {
    const res = await fetch(`${serve.url}/api/models/servers`)
    const { servers } = (await res.json()) as { servers: ServerStatus[] }
    const model = servers.find((s) => s.name === 'second-box')?.models.find((m) => m.name === MODEL)
    expect(model).toMatchObject({ loaded: true, context_length: 8192 })
  })

  it('the routing preview says why the PRIMARY box lost: its runner would reload', async () => {
    const preview = async (options?: Record<string, unknown>) => {
      const res = await fetch(`${serve.url}/api/route`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: EXPLAIN, ...(options ? { options } : {}) }),
      })
      expect(res.status).toBe(200)
      return (await res.json()) as {
        server_name: string
        candidates: { serverName: string; model: string; reasons: string[] }[]
      }
    }
    const reasonsOn = (d: Awaited<ReturnType<typeof preview>>, name: string) =>
      d.candidates.find((c) => c.serverName === name && c.model === MODEL)?.reasons ?? []

    const sized = await preview({ num_ctx: 8192 })
    expect(sized.server_name).toBe('second-box')
    expect(reasonsOn(sized, 'primary')).toContain('context-reload')
    expect(reasonsOn(sized, 'primary')).not.toContain('model-loaded')
    expect(reasonsOn(sized, 'second-box')).toContain('model-loaded')

    const plain = await preview()
    expect(plain.server_name).toBe('primary')
    expect(reasonsOn(plain, 'primary')).toContain('model-loaded')
  })

  it('with num_ctx 8192 the box loaded with 8192 answers, without it the PRIMARY box; nothing reloads', async () => {
    const ollama = new Ollama({ host: serve.url })
    const ask = async (options?: { num_ctx: number }) =>
      (
        await ollama.chat({
          model: 'auto',
          messages: [{ role: 'user', content: EXPLAIN }],
          ...(options ? { options } : {}),
        })
      ).message.content
    // Sized, plain, sized again: by the third both boxes have measured speeds, so only num_ctx decides.
    expect(await ask({ num_ctx: 8192 })).toMatch(new RegExp(`^\\[${MODEL}@second-box\\]`))
    expect(await ask()).toMatch(new RegExp(`^\\[${MODEL}@primary-box\\]`))
    expect(await ask({ num_ctx: 8192 })).toMatch(new RegExp(`^\\[${MODEL}@second-box\\]`))
    // Each was served by the runner already loaded with its context: no reload on either box.
    expect(primary.state().loads[MODEL]).toBe(1)
    expect(secondary.state().loads[MODEL]).toBe(1)
  })

  it('a mistyped num_ctx in the preview is a 400 that names it', async () => {
    const res = await fetch(`${serve.url}/api/route`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: EXPLAIN, options: { num_ctx: 'big' } }),
    })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: string }).error).toContain('num_ctx')
  })
})

/**
 * Issue 13 point 1: a body nested ~5,000 levels deep (~36 kB) used to overflow the `ollama` client's
 * JSON.stringify and count as a connect failure on every server. Wherever the nesting hides — `options`,
 * `format`, tool-call arguments (an object on the Ollama face, a JSON string on the OpenAI face),
 * `response_format`, `tools` — it is answered 400 naming the limit, no server is contacted and no breaker
 * opens. Sent over real sockets, written out by hand (JSON.stringify itself overflows on such a value).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_BODY_DEPTH } from '../../../electron/core/api/http-util'
import { startEdgeServe, type EdgeServe } from './edge-helpers'

const DEPTH = 5000
/** `{"a":{"a":…1…}}`, DEPTH levels. */
const NESTED = '{"a":'.repeat(DEPTH) + '1' + '}'.repeat(DEPTH)
const USER = '{"role":"user","content":"Explain the Singleton pattern"}'

let fx: EdgeServe

beforeAll(async () => {
  fx = await startEdgeServe({ replyWords: 8 })
})
afterAll(async () => {
  await fx?.close()
})

/** Requests that reached the simulator's generation routes. */
const generations = () =>
  fx.sim.requests.filter((r) => r.path === '/api/chat' || r.path.startsWith('/v1/')).length

describe('a body nested 5,000 levels deep', () => {
  it.each([
    [
      '/api/chat',
      'options',
      `{"model":"auto","stream":false,"messages":[${USER}],"options":{"deep":${NESTED}}}`,
    ],
    [
      '/api/chat',
      'format',
      `{"model":"auto","stream":false,"messages":[${USER}],"format":${NESTED}}`,
    ],
    [
      '/api/chat',
      'tool-call arguments',
      `{"model":"auto","stream":false,"messages":[${USER},{"role":"assistant","content":"","tool_calls":[{"function":{"name":"f","arguments":${NESTED}}}]}]}`,
    ],
    [
      '/api/chat',
      'tools',
      `{"model":"auto","stream":false,"messages":[${USER}],"tools":[{"type":"function","function":{"name":"f","parameters":${NESTED}}}]}`,
    ],
    [
      '/api/generate',
      'options',
      `{"model":"auto","stream":false,"prompt":"Hi","options":{"deep":${NESTED}}}`,
    ],
    [
      '/v1/chat/completions',
      'response_format',
      `{"model":"auto","messages":[${USER}],"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":${NESTED}}}}`,
    ],
    [
      '/v1/chat/completions',
      'tool-call arguments (a JSON string)',
      `{"model":"auto","messages":[${USER},{"role":"assistant","content":"","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":${JSON.stringify(NESTED)}}}]}]}`,
    ],
    [
      '/v1/chat/completions',
      'tools',
      `{"model":"auto","messages":[${USER}],"tools":[{"type":"function","function":{"name":"f","parameters":${NESTED}}}]}`,
    ],
  ])(
    '%s, in %s → 400 naming the limit; no server contacted, no breaker opened',
    async (path, _where, body) => {
      const before = generations()
      const res = await fetch(`${fx.serve.url}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body,
      })
      expect(res.status).toBe(400)
      const json = (await res.json()) as { error: string | { message: string } }
      const message = typeof json.error === 'string' ? json.error : json.error.message
      expect(message).toContain(`nested more than ${MAX_BODY_DEPTH} levels deep`)
      expect(generations()).toBe(before)
      for (const s of fx.serve.core.servers()) {
        expect(s.breaker, s.name).toBe('closed')
        expect(s.health.kind, s.name).not.toBe('offline')
      }
    },
  )

  it('after them the server still answers', async () => {
    const res = await fetch(`${fx.serve.url}/api/chat`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: `{"model":"auto","stream":false,"messages":[${USER}]}`,
    })
    expect(res.status).toBe(200)
  })
})

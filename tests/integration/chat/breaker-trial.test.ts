/**
 * Recovery as promised (issue 12 point 7): a half-open breaker lets one trial request reach the server,
 * not a burst; the others go elsewhere meanwhile. The real CircuitBreaker, the real executor, two
 * simulated servers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimServer, type SimServer } from '../../../tools/ollama-sim'
import { CircuitBreaker } from '../../../electron/core/routing/circuit-breaker'
import { ChatExecutor } from '../../../electron/core/chat/chat-executor'
import { createMemoryLogger } from '../../../electron/core/logger'
import { TIMEOUTS, decision, recorder, target } from './executor-fixtures'

let alpha: SimServer
let beta: SimServer

beforeAll(async () => {
  alpha = await startSimServer({ name: 'alpha', port: 0, models: ['gemma3:12b'] })
  beta = await startSimServer({ name: 'beta', port: 0, models: ['gemma3:12b'] })
})
afterAll(async () => {
  await Promise.all([alpha?.stop(), beta?.stop()])
})

describe('a half-open breaker', () => {
  it('sends one trial to the recovering server while the others are answered elsewhere', async () => {
    let now = 0
    const breaker = new CircuitBreaker({ now: () => now, timers: false, openMs: 1000 })
    breaker.recordFailure('alpha', { hard: true })
    expect(breaker.state('alpha')).toBe('open')
    now += 1000
    expect(breaker.state('alpha')).toBe('half-open')

    const feedback = { ...recorder(), mayTry: (id: string) => breaker.allow(id) }
    const exec = new ChatExecutor({
      feedback,
      logger: createMemoryLogger(),
      timeouts: () => TIMEOUTS,
    })
    // The trial is still out (a slow first byte) when the next two requests come.
    await alpha.setFault({ kind: 'slow-first-byte', ms: 400 })
    const chain = () => decision([target(alpha, 'gemma3:12b'), target(beta, 'gemma3:12b')])
    const history = [{ role: 'user' as const, content: 'Explain the Singleton pattern' }]
    const before = alpha.requests.filter((r) => r.path === '/api/chat').length
    const answers = await Promise.all([
      exec.run(chain(), history),
      exec.run(chain(), history),
      exec.run(chain(), history),
    ])
    await alpha.setFault({ kind: 'none' })
    const servers = answers.map((a) => a.metadata.server_name)
    expect(servers).toEqual(['alpha', 'beta', 'beta'])
    expect(alpha.requests.filter((r) => r.path === '/api/chat').length - before).toBe(1)
    // The others did not count against it: none was tried there.
    expect(answers[1]?.metadata.attempts).toHaveLength(1)
  })
})

/**
 * A request queued behind our own generation on the same model is a legitimate wait (issue 12): it is
 * waited for, and the person is told how many requests are ahead, not failed over as a hung server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { WaitProgress } from '../../../shared/types'
import { startSimServer, type SimServer } from '../../../tools/ollama-sim'
import { ChatExecutor } from '../../../electron/core/chat/chat-executor'
import { SchedulerModel } from '../../../electron/core/scheduler/scheduler-model'
import { createMemoryLogger } from '../../../electron/core/logger'
import { TIMEOUTS, decision, recorder, target } from './executor-fixtures'

let box: SimServer
let spare: SimServer

beforeAll(async () => {
  // One slot per model (OLLAMA_NUM_PARALLEL=1), and answers that take a while.
  box = await startSimServer({
    name: 'box',
    port: 0,
    models: ['gemma3:12b'],
    numParallel: 1,
    tokensPerSecond: 40,
    replyWords: 60,
    timeScale: 1,
  })
  spare = await startSimServer({ name: 'spare', port: 0, models: ['gemma3:12b'] })
})
afterAll(async () => {
  await Promise.all([box?.stop(), spare?.stop()])
})

describe('our own queue on a model', () => {
  it('the second request waits its turn on the same box, told it has one request ahead', async () => {
    const scheduler = new SchedulerModel({ defaultAnswerMs: 3000 })
    const exec = new ChatExecutor({
      feedback: recorder(),
      logger: createMemoryLogger(),
      // The first answer takes longer than first_token_ms: only the queue explains the wait.
      timeouts: () => ({ ...TIMEOUTS, first_token_ms: 800, wedge_margin_ms: 800 }),
      scheduler,
    })
    const chain = () => decision([target(box, 'gemma3:12b'), target(spare, 'gemma3:12b')])
    const history = [{ role: 'user' as const, content: 'Explain the Singleton pattern' }]
    const progress: WaitProgress[] = []
    const first = exec.run(chain(), history)
    await new Promise((r) => setTimeout(r, 50))
    const second = exec.run(chain(), history, { onProgress: (p) => progress.push(p) })
    const [a, b] = await Promise.all([first, second])
    expect(a.metadata.server_name).toBe('box')
    expect(b.metadata.server_name).toBe('box')
    expect(b.metadata.attempts).toHaveLength(1)
    expect(progress[0]).toMatchObject({ phase: 'queued', ahead: 1, serverName: 'box' })
    expect(progress[0]?.text).toMatch(/^1 request ahead on box — about \d+ s$/)
  })
})

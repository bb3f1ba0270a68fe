import { describe, expect, it } from 'vitest'
import {
  ModelMemory,
  ModelQueues,
  QueueAbortedError,
} from '../../../../tools/ollama-sim/model-memory'
import { embeddingFor, replyPieces } from '../../../../tools/ollama-sim/reply-text'

describe('ModelMemory', () => {
  it('keeps a model for keep_alive after its last request, never while in use', () => {
    let now = 1_000
    const memory = new ModelMemory(() => now)
    memory.begin('a', { kind: 'ms', ms: 100 })
    now += 500
    expect(memory.isLoaded('a')).toBe(true)
    memory.end('a', { kind: 'ms', ms: 100 })
    now += 99
    expect(memory.isLoaded('a')).toBe(true)
    now += 1
    expect(memory.isLoaded('a')).toBe(false)
  })

  it('orders by remaining time, forever first, and unloads at once on keep_alive 0', () => {
    const memory = new ModelMemory(() => 0)
    memory.load('short', { kind: 'ms', ms: 10 })
    memory.load('forever', { kind: 'forever' })
    memory.load('long', { kind: 'ms', ms: 1000 })
    memory.load('gone', { kind: 'ms', ms: 0 })
    expect(memory.list().map((m) => m.name)).toEqual(['forever', 'long', 'short'])
    memory.retain((name) => name !== 'long')
    expect(memory.list().map((m) => m.name)).toEqual(['forever', 'short'])
  })
})

describe('ModelQueues', () => {
  it('serves one request per model at a time, first come first served', async () => {
    const queues = new ModelQueues()
    const order: string[] = []
    const releaseA = await queues.acquire('m')
    const b = queues.acquire('m').then((r) => (order.push('b'), r))
    const c = queues.acquire('m').then((r) => (order.push('c'), r))
    const other = await queues.acquire('other')
    expect(queues.pending).toBe(4)
    expect(order).toEqual([])
    releaseA()
    ;(await b)()
    ;(await c)()
    other()
    expect(order).toEqual(['b', 'c'])
    expect(queues.pending).toBe(0)
  })

  it('drops a waiter whose client left, without blocking the next one', async () => {
    const queues = new ModelQueues()
    const release = await queues.acquire('m')
    const controller = new AbortController()
    const leaving = queues.acquire('m', controller.signal)
    const staying = queues.acquire('m')
    controller.abort()
    await expect(leaving).rejects.toBeInstanceOf(QueueAbortedError)
    release()
    ;(await staying)()
    expect(queues.pending).toBe(0)
  })
})

describe('reply text', () => {
  it('starts with [model@server], echoes the prompt, has the asked word count', () => {
    const pieces = replyPieces('gemma3:1b', 'laptop', 'Explain the Singleton pattern please', 20)
    const text = pieces.join('')
    expect(text.startsWith('[gemma3:1b@laptop] Explain the Singleton pattern ')).toBe(true)
    expect(text.split(' ').length - 1).toBe(20)
    expect(pieces.length).toBeGreaterThan(10)
    expect(replyPieces('gemma3:1b', 'laptop', 'Explain the Singleton pattern please', 20)).toEqual(
      pieces,
    )
  })

  it('gives unit embedding vectors that differ by text', () => {
    const a = embeddingFor('m', 'a', 384)
    expect(a).toHaveLength(384)
    expect(Math.hypot(...a)).toBeCloseTo(1, 5)
    expect(embeddingFor('m', 'b', 384)).not.toEqual(a)
  })
})

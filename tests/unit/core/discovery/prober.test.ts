import { afterEach, describe, expect, it } from 'vitest'
import { probeServer, ShowCache } from '../../../../electron/core/discovery/prober'
import { healthyRoutes, refusedUrl, startFakeOllama, type FakeOllama } from './fake-ollama'

const open: FakeOllama[] = []
async function fake(routes: Parameters<typeof startFakeOllama>[0]): Promise<FakeOllama> {
  const f = await startFakeOllama(routes)
  open.push(f)
  return f
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((f) => f.close()))
})

describe('probeServer', () => {
  it('reads version, tags and ps of a healthy server', async () => {
    const f = await fake(healthyRoutes(['gemma3:1b', 'qwen2.5:1.5b'], ['gemma3:1b']))
    const r = await probeServer(f.url, { timeoutMs: 2000 })
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.url).toBe(f.url)
    expect(r.version).toBe('0.12.3')
    expect(r.tags?.map((t) => t.name)).toEqual(['gemma3:1b', 'qwen2.5:1.5b'])
    expect(r.ps.map((p) => p.name)).toEqual(['gemma3:1b'])
    expect(r.problems).toEqual([])
    expect(r.latencyMs).toBeGreaterThanOrEqual(0)
    expect([...f.hits].sort()).toEqual(['GET /api/ps', 'GET /api/tags', 'GET /api/version'])
  })

  it('reports a refused connection as a value', async () => {
    const url = await refusedUrl()
    const r = await probeServer(url, { timeoutMs: 2000 })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.message).toBe('connection refused')
    expect(r.error.kind).toBe('refused')
    expect(r.error.serverUrl).toBe(url)
  })

  it('times out a hung server after the limit', async () => {
    const f = await fake({
      'GET /api/version': 'hang',
      'GET /api/tags': 'hang',
      'GET /api/ps': 'hang',
    })
    const r = await probeServer(f.url, { timeoutMs: 200 })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.message).toBe('timed out after 200 ms')
    expect(r.error.kind).toBe('timeout')
  })

  it('answers but lists the calls that failed (degraded)', async () => {
    const f = await fake({
      ...healthyRoutes(['a:1b']),
      'GET /api/tags': { status: 500, body: { error: 'disk on fire' } },
      'GET /api/ps': 'hang',
    })
    const r = await probeServer(f.url, { timeoutMs: 300 })
    expect(r).toMatchObject({
      ok: true,
      version: '0.12.3',
      // Unknown, not "no models": the registry keeps what it knew.
      tags: null,
      ps: [],
      problems: ['/api/tags: HTTP 500: disk on fire', '/api/ps: timed out after 300 ms'],
    })
  })

  it('fails with the HTTP error when neither version nor tags answer', async () => {
    const f = await fake({
      'GET /api/version': { status: 503, body: { error: 'busy' } },
      'GET /api/tags': { status: 503, body: { error: 'busy' } },
      'GET /api/ps': { status: 503, body: { error: 'busy' } },
    })
    const r = await probeServer(f.url, { timeoutMs: 2000 })
    expect(r.ok ? null : [r.error.message, r.error.status]).toEqual(['HTTP 503: busy', 503])
  })

  it('ignores junk entries in the lists', async () => {
    const f = await fake({
      ...healthyRoutes([]),
      'GET /api/tags': { body: { models: [{ name: 'ok:1b' }, { nope: 1 }, null, 'str'] } },
      'GET /api/ps': { body: { models: null } },
    })
    const r = await probeServer(f.url, { timeoutMs: 2000 })
    expect(r.ok && r.tags?.map((t) => t.name)).toEqual(['ok:1b'])
    expect(r.ok && r.ps).toEqual([])
  })

  it('is cancelled by the outer signal', async () => {
    const f = await fake({
      'GET /api/version': 'hang',
      'GET /api/tags': 'hang',
      'GET /api/ps': 'hang',
    })
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 50)
    const r = await probeServer(f.url, { timeoutMs: 5000, signal: controller.signal })
    expect(r.ok ? null : r.error.kind).toBe('cancelled')
  })
})

describe('ShowCache', () => {
  const show = (caps: string[]) => ({ body: { capabilities: caps, details: {}, model_info: {} } })

  it('asks /api/show once per (url, digest) and reuses the answer', async () => {
    const f = await fake({ 'POST /api/show': show(['completion', 'thinking']) })
    const cache = new ShowCache()
    const models = [
      { name: 'qwen3:14b', digest: 'd1' },
      { name: 'qwen3:latest', digest: 'd1' },
    ]
    const first = await cache.capabilities(f.url, models, { timeoutMs: 1000 })
    expect(first.get('qwen3:14b')).toEqual({ capabilities: ['completion', 'thinking'] })
    const showsAfterFirst = f.hits.length
    expect(showsAfterFirst).toBeLessThanOrEqual(2)
    const again = await cache.capabilities(f.url, models, { timeoutMs: 1000 })
    expect(again.get('qwen3:latest')).toEqual({ capabilities: ['completion', 'thinking'] })
    expect(f.hits.length).toBe(showsAfterFirst)
  })

  it('skips models whose tags already list capabilities', async () => {
    const f = await fake({ 'POST /api/show': show(['completion']) })
    const out = await new ShowCache().capabilities(
      f.url,
      [{ name: 'bge-m3:567m', capabilities: ['embedding'] }],
      { timeoutMs: 1000 },
    )
    expect(out.get('bge-m3:567m')).toEqual({ capabilities: ['embedding'] })
    expect(f.hits).toEqual([])
  })

  it('leaves capabilities unknown on errors and retries next time', async () => {
    const f = await fake({ 'POST /api/show': { status: 404, body: { error: 'not found' } } })
    const cache = new ShowCache()
    const out = await cache.capabilities(f.url, [{ name: 'gone:1b', digest: 'x' }], {
      timeoutMs: 1000,
    })
    expect(out.get('gone:1b')).toBeNull()
    expect(cache.size).toBe(0)
    await cache.capabilities(f.url, [{ name: 'gone:1b', digest: 'x' }], { timeoutMs: 1000 })
    expect(f.hits.length).toBe(2)
  })

  it('a hung server costs one timeout per worker, not one per model', async () => {
    const f = await fake({ 'POST /api/show': 'hang' })
    const models = Array.from({ length: 12 }, (_, i) => ({ name: `m${i}:1b`, digest: `d${i}` }))
    const out = await new ShowCache().capabilities(f.url, models, {
      timeoutMs: 150,
      concurrency: 2,
    })
    expect([...out.values()].every((v) => v === null)).toBe(true)
    expect(out.size).toBe(12)
    expect(f.hits.length).toBe(2)
  })
})

import { afterEach, describe, expect, it } from 'vitest'
import {
  hostPortOf,
  parseServerUrl,
  testConnection,
} from '../../../../electron/core/discovery/connection-test'
import { startSimServer, type SimServer } from '../../../../tools/ollama-sim'

const open: SimServer[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.stop()))
})

describe('testConnection', () => {
  it('says the version, the number of models and the latency of a server that answers', async () => {
    const sim = await startSimServer({
      name: 'box',
      port: 0,
      version: '0.33.9',
      models: ['gemma3:1b', 'qwen2.5:1.5b', 'llama3.2:3b'],
    })
    open.push(sim)
    const r = await testConnection(`${sim.url}/`)
    expect(r).toMatchObject({
      ok: true,
      url: sim.url,
      hostPort: `127.0.0.1:${sim.port}`,
      version: '0.33.9',
      models: 3,
    })
    if (r.ok) expect(r.latencyMs).toBeGreaterThanOrEqual(0)
  })

  it('names host:port and the cause when nothing listens there', async () => {
    const sim = await startSimServer({ name: 'gone', port: 0, models: ['gemma3:1b'] })
    const port = sim.port
    await sim.stop()
    const r = await testConnection(`http://127.0.0.1:${port}`)
    expect(r).toEqual({
      ok: false,
      url: `http://127.0.0.1:${port}`,
      hostPort: `127.0.0.1:${port}`,
      error: 'connection refused',
    })
  })

  it('says "timed out" for a frozen server', async () => {
    const sim = await startSimServer({ name: 'frozen', port: 0, models: ['gemma3:1b'] })
    open.push(sim)
    sim.setFault({ kind: 'frozen' })
    const r = await testConnection(sim.url, { timeoutMs: 300 })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error).toBe('timed out after 300 ms')
  })
})

describe('parseServerUrl', () => {
  it.each([
    ['', /Enter the server’s address first/],
    [
      '192.168.1.10:11434',
      /needs http:\/\/ or https:\/\/ in front, e.g. http:\/\/192\.168\.1\.10:11434/,
    ],
    ['http://', /"http:\/\/" is not a URL/],
    ['ftp://box:21', /"ftp:\/\/box:21" must start with http:\/\/ or https:\/\//],
  ])('refuses %j, saying what is wrong', (raw, message) => {
    expect(() => parseServerUrl(raw)).toThrow(message)
  })

  it.each([
    ['http://box', 'box:11434'],
    ['https://box', 'box:443'],
    ['http://10.0.0.2:8080/', '10.0.0.2:8080'],
  ])('%s is %s', (raw, hostPort) => {
    expect(hostPortOf(parseServerUrl(raw))).toBe(hostPort)
  })
})

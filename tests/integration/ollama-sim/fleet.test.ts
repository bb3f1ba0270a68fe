import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { Ollama } from 'ollama'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFleet, type Fleet } from '../../../tools/ollama-sim'
import { rejection } from './sim-fixture'

const SEED = resolve(__dirname, '../../../tools/ollama-sim/fleets/seed.yaml')
const CLI = resolve(__dirname, '../../../tools/ollama-sim/cli.ts')

// The seed topology on free loopback ports, with the waiting scaled away.
describe('ollama-sim seed fleet', () => {
  let fleet: Fleet
  beforeAll(async () => {
    fleet = await startFleet(SEED, { host: '127.0.0.1', port: 0, timeScale: 0 })
  })
  afterAll(() => fleet.stop())

  it.each([
    [
      'remote',
      ['gemma3:12b', 'llama3.3:70b', 'nomic-embed-text:latest', 'qwen2.5-coder:14b', 'qwen3:14b'],
    ],
    ['localhost', ['gemma3:1b', 'phi3:3b', 'qwen2.5:1.5b']],
  ])('%s lists its models', async (name, models) => {
    const { models: listed } = await new Ollama({ host: fleet.get(name).url }).list()
    expect(listed.map((m) => m.name).sort()).toEqual(models)
  })

  it.each([
    ['remote', 'llama3.3:70b'],
    ['remote', 'gemma3:12b'],
    ['remote', 'qwen2.5-coder:14b'],
    ['remote', 'qwen3:14b'],
    ['localhost', 'gemma3:1b'],
    ['localhost', 'qwen2.5:1.5b'],
    ['localhost', 'phi3:3b'],
  ])('%s answers with %s and says so', async (name, model) => {
    const server = fleet.get(name)
    const res = await new Ollama({ host: server.url }).chat({
      model,
      messages: [{ role: 'user', content: 'Hi!' }],
    })
    expect(res.message.content.startsWith(`[${model}@${name}] `)).toBe(true)
    expect(server.requests.at(-1)).toMatchObject({ path: '/api/chat', model })
  })

  it('keeps the CPU box out of VRAM and reports realistic speeds and load times', async () => {
    const local = new Ollama({ host: fleet.get('localhost').url })
    // The test above warmed it up: unload it so this request is a cold one.
    expect(
      (await local.generate({ model: 'phi3:3b', prompt: '', keep_alive: 0 })).done_reason,
    ).toBe('unload')
    const res = await local.generate({ model: 'phi3:3b', prompt: 'x' })
    expect((res.eval_count / res.eval_duration) * 1e9).toBeCloseTo(12, 5)
    // A truly cold load of a 2 GB model on a laptop takes seconds (10 s for llama3.2:3b on an M3 Pro).
    expect(res.load_duration).toBeGreaterThan(2e9)
    expect(res.load_duration).toBeLessThan(15e9)
    const [loaded] = (await local.ps()).models
    expect(loaded?.size_vram).toBe(0)
  })

  it('takes tens of seconds to load the 70B on the GPU box, a few for the 12B', async () => {
    const remote = fleet.get('remote')
    const client = new Ollama({ host: remote.url })
    for (const model of ['llama3.3:70b', 'gemma3:12b']) {
      await client.generate({ model, prompt: '', keep_alive: 0 })
    }
    const big = await client.generate({ model: 'llama3.3:70b', prompt: 'x' })
    const mid = await client.generate({ model: 'gemma3:12b', prompt: 'x' })
    expect(big.load_duration).toBeGreaterThan(15e9)
    expect(big.load_duration).toBeLessThan(60e9)
    expect(mid.load_duration).toBeGreaterThan(2e9)
    expect(mid.load_duration).toBeLessThan(big.load_duration / 3)
  })

  it('evicts on the GPU box when the 70B and another tier alternate, not between mid tiers', async () => {
    const remote = fleet.get('remote')
    const client = new Ollama({ host: remote.url })
    const names = async (): Promise<string[]> =>
      (await client.ps()).models.map((m) => m.name).sort()
    await client.generate({ model: 'llama3.3:70b', prompt: 'x' })
    await client.generate({ model: 'gemma3:12b', prompt: 'x' })
    expect(await names()).toEqual(['gemma3:12b'])
    const again = await client.generate({ model: 'llama3.3:70b', prompt: 'x' })
    expect(again.load_duration).toBeGreaterThan(1e9)
    expect(await names()).toEqual(['llama3.3:70b'])
    await client.generate({ model: 'gemma3:12b', prompt: 'x' })
    await client.generate({ model: 'qwen2.5-coder:14b', prompt: 'x' })
    await client.generate({ model: 'qwen3:14b', prompt: 'x' })
    expect(await names()).toEqual(['gemma3:12b', 'qwen2.5-coder:14b', 'qwen3:14b'])
  })

  it('names the missing server', () => {
    expect(() => fleet.get('nope')).toThrow(
      'no server "nope" in the fleet (have: remote, localhost)',
    )
  })
})

describe('npm run sim (cli)', () => {
  it('starts a fleet file, prints each server, applies --fault, stops on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ollama-sim-'))
    const file = join(dir, 'fleet.yaml')
    writeFileSync(
      file,
      [
        'servers:',
        '  - { name: one, host: 127.0.0.1, port: 0, tokensPerSecond: 5000, models: [gemma3:1b] }',
        '  - { name: two, host: 127.0.0.1, port: 0, models: [qwen3:14b, all-minilm] }',
      ].join('\n'),
    )
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', CLI, file, '--fault', 'two=http-error:503'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
    const lines: string[] = []
    const rl = createInterface({ input: child.stdout })
    for await (const line of rl) {
      lines.push(line)
      if (lines.length === 3) break
    }
    expect(lines[0]).toBe(`ollama-sim: fleet ${file}`)
    expect(lines[1]).toMatch(/^one http:\/\/127\.0\.0\.1:\d+ \(1 models\)$/)
    expect(lines[2]).toMatch(/^two http:\/\/127\.0\.0\.1:\d+ \(2 models\) \[fault: http-error\]$/)
    const url = (line: string | undefined): string => line?.split(' ')[1] ?? ''
    const res = await new Ollama({ host: url(lines[1]) }).chat({
      model: 'gemma3:1b',
      messages: [{ role: 'user', content: 'hey' }],
    })
    expect(res.message.content.startsWith('[gemma3:1b@one] hey')).toBe(true)
    const err = await rejection(
      new Ollama({ host: url(lines[2]) }).generate({ model: 'qwen3:14b', prompt: 'x' }),
    )
    expect(err['status_code']).toBe(503)
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
  })

  it('exits 1 naming the key of a bad fleet file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ollama-sim-'))
    const file = join(dir, 'bad.yaml')
    writeFileSync(file, 'servers:\n  - name: a\n    port: 99999\n    models: []\n')
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)))
    expect(code).toBe(1)
    expect(stderr).toContain(
      `${file}:3: servers[0].port: expected a port number 0-65535, got 99999`,
    )
  })
})

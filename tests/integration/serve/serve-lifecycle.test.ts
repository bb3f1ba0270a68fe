/**
 * `npm run serve` as a process — the esbuild bundle it runs, on plain Node: start, print where it listens,
 * bad config → non-zero with key/line/column, SIGTERM with a stream in flight → a clean, quick exit.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSimServer, type SimServer } from '../../../tools/ollama-sim'
import { REPO_ROOT } from '../../../electron/serve/serve'

const CLI = join(REPO_ROOT, 'out', 'serve', 'cli.mjs')

let dir: string
let sim: SimServer

beforeAll(async () => {
  const { buildServe } = (await import('../../../tools/build-serve.mjs')) as {
    buildServe(): Promise<void>
  }
  await buildServe()
  dir = mkdtempSync(join(tmpdir(), 'aillm-serve-'))
  // A slow trickle keeps a stream in flight long enough to send SIGTERM during it.
  sim = await startSimServer({
    name: 'solo',
    port: 0,
    models: ['gemma3:1b'],
    fault: { kind: 'trickle', msPerChunk: 200 },
  })
})
afterAll(async () => {
  await sim?.stop()
  rmSync(dir, { recursive: true, force: true })
})

function runServe(args: string[]): {
  child: ChildProcess
  output: () => string
  exit: Promise<number | null>
} {
  const child = spawn(process.execPath, [CLI, ...args, '--data-dir', join(dir, 'data')], {
    cwd: REPO_ROOT,
    env: { ...process.env, AILLM_CONFIG: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()))
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, output: () => out, exit }
}

async function waitForText(
  output: () => string,
  re: RegExp,
  ms = 30_000,
): Promise<RegExpMatchArray> {
  const end = Date.now() + ms
  for (;;) {
    const m = output().match(re)
    if (m) return m
    if (Date.now() > end) throw new Error(`timed out waiting for ${re}; output:\n${output()}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe('serve process', () => {
  it('exits 2 naming key, line and column on a bad config', async () => {
    const cfg = join(dir, 'bad.yaml')
    writeFileSync(
      cfg,
      'llm:\n  providers:\n    ollama:\n      additional_servers:\n        - name: box\n          url: http://127.0.0.1:1\n          priority: PRIMRY\n',
    )
    const run = runServe(['--config', cfg, '--port', '0'])
    const code = await run.exit
    expect(code).toBe(2)
    expect(run.output()).toMatch(/bad\.yaml:7:\d+/)
    expect(run.output()).toContain('priority')
    expect(run.output()).toMatch(/PRIMARY, SECONDARY or FALLBACK/)
  }, 60_000)

  it('prints its usage with --help', async () => {
    const run = runServe(['--help'])
    expect(await run.exit).toBe(0)
    expect(run.output()).toContain('Usage: npm run serve')
  }, 60_000)

  it('rejects a bad --port with usage', async () => {
    const run = runServe(['--port', 'eighty'])
    expect(await run.exit).toBe(2)
    expect(run.output()).toContain('--port must be a whole number')
  }, 60_000)

  it('prints where it listens and stops cleanly on SIGTERM with a stream in flight', async () => {
    const cfg = join(dir, 'good.yaml')
    writeFileSync(
      cfg,
      `llm:\n  providers:\n    ollama:\n      base_url: ${sim.url}\n      mdns:\n        enabled: false\n`,
    )
    const run = runServe(['--config', cfg, '--port', '0'])
    const [, url] = await waitForText(run.output, /listening on (http:\/\/127\.0\.0\.1:\d+)/)
    await waitForText(run.output, /Discovery complete: 1\/1 servers available/)
    const res = await fetch(`${url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'Hi!' }] }),
    })
    const reader = res.body!.getReader()
    await reader.read() // first chunk arrived: the stream is in flight
    const t0 = Date.now()
    run.child.kill('SIGTERM')
    const code = await run.exit
    expect(code).toBe(0)
    expect(Date.now() - t0).toBeLessThan(5000)
    expect(run.output()).toContain('Received SIGTERM')
    await reader.cancel().catch(() => undefined)
  }, 60_000)

  it('never prints the token: the dashboard URL comes without it, with where to find it', async () => {
    const cfg = join(dir, 'token.yaml')
    const token = 'do-not-print-me-4711'
    writeFileSync(
      cfg,
      `llm:\n  providers:\n    ollama:\n      base_url: ${sim.url}\n      mdns:\n        enabled: false\n` +
        `api:\n  token: ${token}\n`,
    )
    const run = runServe(['--config', cfg, '--port', '0'])
    const [, url] = await waitForText(run.output, /listening on (http:\/\/127\.0\.0\.1:\d+)/)
    await waitForText(run.output, /open .*#token=<token> once/)
    run.child.kill('SIGTERM')
    expect(await run.exit).toBe(0)
    const out = run.output()
    expect(out).not.toContain(token)
    expect(out).toContain(`Dashboard:          ${url}/ui/\n`)
    expect(out).toContain(`the API needs a token: it is api.token in ${cfg}`)
    // The same run's data dir and log file are the person's own (Windows: the profile's ACLs).
    if (process.platform !== 'win32') {
      expect(statSync(join(dir, 'data')).mode & 0o777).toBe(0o700)
      expect(statSync(join(dir, 'data', 'logs', 'aillm.log')).mode & 0o777).toBe(0o600)
    }
  }, 60_000)
})

// Small pure parts of the shell: failover notices, config path precedence, the config file starter and
// the Linux autostart entry.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Attempt, ChatChunk, ResponseMetadata, RoutingDecision } from '../../../shared/types'
import { CONFIG_EXAMPLE_YAML } from '../../../electron/core/config/config-example'
import { ensureConfigFile } from '../../../electron/main/config-file'
import { FailoverNotifier } from '../../../electron/main/failover-notice'
import { LaunchOptionError, resolveConfigPath } from '../../../electron/main/launch-options'
import {
  linuxAutostartEnabled,
  linuxAutostartEntry,
  linuxAutostartPath,
  setLinuxAutostart,
} from '../../../electron/main/login-item'

function metadata(extra: Partial<ResponseMetadata> = {}): ResponseMetadata {
  return {
    model: 'qwen2.5:1.5b',
    provider: 'ollama',
    distributed_routing: true,
    server_used: 'http://localhost:11434',
    complexity_level: 'complex',
    used_fast_model: true,
    server_name: 'localhost',
    task_type: 'code',
    fallback: false,
    warning: null,
    attempts: [],
    decision_id: 'd1',
    continued: false,
    tokens_per_second: null,
    ...extra,
  }
}

const attempt = (serverName: string, outcome: Attempt['outcome']): Attempt => ({
  model: 'qwen2.5-coder:14b',
  serverName,
  serverUrl: `http://${serverName}:11434`,
  outcome,
  reason: null,
  error: null,
  chars: 0,
  ms: 10,
})

const done = (m: ResponseMetadata): ChatChunk => ({
  kind: 'done',
  requestId: 'r1',
  conversationId: 'c1',
  metadata: m,
})

function decision(extra: Partial<RoutingDecision>): RoutingDecision {
  return {
    id: 'd1',
    at: 0,
    mode: { kind: 'auto' },
    requestedModel: null,
    classification: { complexity: 'complex', taskType: 'code', reasons: [] },
    wantedTier: 'powerful',
    action: 'routed',
    chosen: {
      model: 'qwen2.5:1.5b',
      serverId: 'localhost',
      serverName: 'localhost',
      serverUrl: 'http://localhost:11434',
      tier: 'fast',
      priority: 'SECONDARY',
      loaded: true,
    },
    chain: [],
    candidates: [],
    reasons: [],
    fallback: false,
    warning: null,
    promptExcerpt: '',
    decisionMicros: 1,
    ...extra,
  }
}

describe('FailoverNotifier', () => {
  it.each<[string, ChatChunk, string | null]>([
    ['a plain answer', done(metadata()), null],
    ['a token', { kind: 'token', requestId: 'r', conversationId: 'c', text: 'x' }, null],
    [
      'a fallback answer',
      done(
        metadata({
          fallback: true,
          warning: 'A simplified model is being used: qwen2.5:1.5b @ localhost',
        }),
      ),
      'A simplified model is being used: qwen2.5:1.5b @ localhost',
    ],
    [
      'a server that failed before the first token',
      done(
        metadata({
          attempts: [attempt('primary', 'failed-before-first-token'), attempt('localhost', 'ok')],
        }),
      ),
      'primary did not answer; qwen2.5:1.5b @ localhost answered instead.',
    ],
    [
      'an answer continued elsewhere',
      done(
        metadata({
          continued: true,
          attempts: [attempt('primary', 'interrupted'), attempt('localhost', 'ok')],
        }),
      ),
      'The answer from primary was interrupted and continued on qwen2.5:1.5b @ localhost.',
    ],
    ['a cancelled answer', done(metadata({ attempts: [attempt('primary', 'cancelled')] })), null],
  ])('chunk: %s', (_name, chunk, body) => {
    expect(new FailoverNotifier().onChunk(chunk)?.body ?? null).toBe(body)
  })

  it.each<[string, Partial<RoutingDecision>, string | null]>([
    ['routed', {}, null],
    ['rejected', { action: 'rejected', chosen: null }, null],
    [
      'fallback with warning',
      { action: 'fallback', warning: 'A simplified model is being used: qwen2.5:1.5b @ localhost' },
      'A simplified model is being used: qwen2.5:1.5b @ localhost',
    ],
    [
      'fallback without warning',
      { action: 'fallback' },
      'A simplified model is being used: qwen2.5:1.5b @ localhost',
    ],
  ])('decision: %s', (_name, extra, body) => {
    expect(new FailoverNotifier().onDecision(decision(extra))?.body ?? null).toBe(body)
  })

  it('announces one request once, even when decision and answer both report it', () => {
    const notifier = new FailoverNotifier()
    expect(notifier.onDecision(decision({ action: 'fallback' }))).not.toBeNull()
    expect(notifier.onChunk(done(metadata({ fallback: true })))).toBeNull()
    expect(notifier.onChunk(done(metadata({ fallback: true, decision_id: 'd2' })))).not.toBeNull()
  })
})

describe('resolveConfigPath', () => {
  const base = { userDataDir: '/home/u/.config/AILLM', cwd: '/work' }
  it.each<[string, string[], Record<string, string>, string]>([
    ['default', [], {}, '/home/u/.config/AILLM/config.yaml'],
    ['env', [], { AILLM_CONFIG: '/etc/aillm.yaml' }, '/etc/aillm.yaml'],
    ['blank env is ignored', [], { AILLM_CONFIG: '  ' }, '/home/u/.config/AILLM/config.yaml'],
    [
      '--config wins over env',
      ['electron', '.', '--config', 'my.yaml'],
      { AILLM_CONFIG: '/etc/a.yaml' },
      '/work/my.yaml',
    ],
    ['--config=', ['app', '--config=/abs/c.yaml'], {}, '/abs/c.yaml'],
    ['relative env path', [], { AILLM_CONFIG: 'conf/a.yaml' }, '/work/conf/a.yaml'],
  ])('%s', (_name, argv, env, expected) => {
    expect(resolveConfigPath({ ...base, argv, env })).toBe(resolve(expected))
  })

  it.each([[['--config']], [['--config', '--other']], [['--config=']]])(
    '%j without a path is an error',
    (argv) => {
      expect(() => resolveConfigPath({ ...base, argv, env: {} })).toThrow(LaunchOptionError)
      expect(() => resolveConfigPath({ ...base, argv, env: {} })).toThrow(/--config.* needs a path/)
    },
  )
})

describe('files', () => {
  let dir = ''
  const tmp = () => (dir = mkdtempSync(join(tmpdir(), 'aillm-shell-')))
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('creates a missing config.yaml from the commented example, folders included', () => {
    const path = join(tmp(), 'nested', 'config.yaml')
    expect(ensureConfigFile(path)).toBe(true)
    expect(readFileSync(path, 'utf8')).toBe(CONFIG_EXAMPLE_YAML)
  })

  it('never overwrites an existing config.yaml', () => {
    const path = join(tmp(), 'config.yaml')
    writeFileSync(path, 'llm: {}\n')
    expect(ensureConfigFile(path)).toBe(false)
    expect(readFileSync(path, 'utf8')).toBe('llm: {}\n')
  })

  it('turns the Linux autostart entry on and off', () => {
    const path = linuxAutostartPath({ XDG_CONFIG_HOME: tmp() })
    expect(path).toBe(join(dir, 'autostart', 'aillm.desktop'))
    expect(linuxAutostartEnabled(path)).toBe(false)
    setLinuxAutostart(path, true, '/opt/AILLM/aillm')
    expect(readFileSync(path, 'utf8')).toContain('Exec="/opt/AILLM/aillm"')
    expect(linuxAutostartEnabled(path)).toBe(true)
    setLinuxAutostart(path, false, '/opt/AILLM/aillm')
    expect(existsSync(path)).toBe(false)
  })

  it('defaults the autostart folder to ~/.config and quotes the command', () => {
    expect(linuxAutostartPath({}, '/home/u')).toBe(
      join('/home/u', '.config', 'autostart', 'aillm.desktop'),
    )
    expect(linuxAutostartEntry('/a b/"x"$y')).toContain('Exec="/a b/\\"x\\"\\$y"')
  })
})

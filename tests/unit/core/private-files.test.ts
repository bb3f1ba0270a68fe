/**
 * Issue 13 point 6: conversations and logs are the person's own. The data dir and the folders in it
 * are 0700, conversation and log files 0600 (config.yaml already is), also where an older version left
 * them world-readable — tightened when the store or the logger opens its folder, not at a later save;
 * shared folders such as /tmp are never changed. Windows keeps the profile's ACLs: POSIX modes mean
 * nothing there (chmod can only set the read-only flag), so nothing is checked.
 */
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ConversationStore } from '../../../electron/core/chat'
import { createLogger } from '../../../electron/core/logger'
import { ensurePrivateDir, ensurePrivateDirSync } from '../../../electron/core/private-files'

const modeOf = (path: string) => statSync(path).mode & 0o7777

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'aillm-private-'))
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe.skipIf(process.platform === 'win32')('owner-only files', () => {
  it('the conversation store makes its folders 0700 and its files 0600', async () => {
    const data = join(dir, 'data')
    const store = new ConversationStore(join(data, 'conversations'))
    const conversation = await store.create()
    await store.appendMessage(conversation.id, { role: 'user', content: 'private words' })
    expect(modeOf(data)).toBe(0o700)
    expect(modeOf(join(data, 'conversations'))).toBe(0o700)
    const files = readdirSync(join(data, 'conversations'))
    expect(files).toEqual([`${conversation.id}.json`])
    expect(modeOf(join(data, 'conversations', files[0] ?? ''))).toBe(0o600)
  })

  it('a conversations folder left 0755 by an older version is made 0700 when loaded', async () => {
    const folder = join(dir, 'conversations')
    mkdirSync(folder, { mode: 0o755 })
    chmodSync(folder, 0o755)
    await new ConversationStore(folder).list()
    expect(modeOf(folder)).toBe(0o700)
  })

  it('conversation files an older version left 0644 are 0600 once the store opens its folder', async () => {
    const folder = join(dir, 'conversations')
    mkdirSync(folder, { mode: 0o700 })
    const old = {
      id: 'old-one',
      title: 'Old words',
      createdAt: 1,
      updatedAt: 1,
      messages: [],
    }
    const file = join(folder, 'old-one.json')
    const corrupt = join(folder, 'broken.json.1.corrupt')
    writeFileSync(file, JSON.stringify(old), { mode: 0o644 })
    writeFileSync(corrupt, '{ half', { mode: 0o644 })
    chmodSync(file, 0o644)
    chmodSync(corrupt, 0o644)
    // Only read, never saved: the files are tightened when the store loads, not at a later save.
    expect(await new ConversationStore(folder).list()).toMatchObject([{ id: 'old-one' }])
    expect(modeOf(file)).toBe(0o600)
    expect(modeOf(corrupt)).toBe(0o600)
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(old)
  })

  it('older log files beside the log are tightened at start-up; a shared folder is left alone', () => {
    const logs = join(dir, 'logs')
    mkdirSync(logs, { mode: 0o755 })
    chmodSync(logs, 0o755)
    const older = [join(logs, 'aillm.log.1'), join(logs, 'main.log')]
    for (const f of older) {
      writeFileSync(f, 'an older run\n', { mode: 0o644 })
      chmodSync(f, 0o644)
    }
    createLogger({ file: join(logs, 'aillm.log'), stdout: false })
    expect(modeOf(logs)).toBe(0o700)
    for (const f of older) expect(modeOf(f)).toBe(0o600)

    // In a sticky shared folder the other files are someone else's business.
    const shared = join(dir, 'shared')
    mkdirSync(shared)
    chmodSync(shared, 0o1777)
    const theirs = join(shared, 'other.log')
    writeFileSync(theirs, 'x\n', { mode: 0o644 })
    chmodSync(theirs, 0o644)
    createLogger({ file: join(shared, 'aillm.log'), stdout: false }).info('x')
    expect(modeOf(theirs)).toBe(0o644)
  })

  it('the log file is 0600 in a 0700 folder; an existing 0644 log is tightened', () => {
    const file = join(dir, 'logs', 'aillm.log')
    createLogger({ file, stdout: false }).info('hello')
    expect(modeOf(join(dir, 'logs'))).toBe(0o700)
    expect(modeOf(file)).toBe(0o600)

    const old = join(dir, 'old.log')
    writeFileSync(old, 'before\n', { mode: 0o644 })
    chmodSync(old, 0o644)
    createLogger({ file: old, stdout: false }).info('after')
    expect(modeOf(old)).toBe(0o600)
  })

  it('a sticky shared folder (like /tmp) is never tightened, sync or not', async () => {
    const shared = join(dir, 'shared')
    mkdirSync(shared)
    chmodSync(shared, 0o1777)
    ensurePrivateDirSync(shared)
    await ensurePrivateDir(shared)
    expect(modeOf(shared)).toBe(0o1777)
    // A log file put straight into it is still private.
    createLogger({ file: join(shared, 'x.log'), stdout: false }).info('x')
    expect(modeOf(join(shared, 'x.log'))).toBe(0o600)
    expect(modeOf(shared)).toBe(0o1777)
  })
})

// @vitest-environment jsdom
import { cleanup, screen } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import type { ServerView, Tier } from '../../../shared/types'
import { biggerModelUnavailable } from '../../../renderer/views/chat/bigger-model'
import { mountChat } from './mount-chat'
import { FakeCore, metadata, seedServers, storedConversation } from './fake-core'

afterEach(cleanup)

const offline = (s: ServerView): ServerView => ({
  ...s,
  health: { kind: 'offline', since: 1, error: 'connection refused', nextProbeAt: 2 },
})
const onlyLocal = (): ServerView[] => seedServers().filter((s) => s.id === 'localhost')
const remoteDown = (): ServerView[] =>
  seedServers().map((s) => (s.id === 'remote' ? offline(s) : s))

describe('biggerModelUnavailable', () => {
  it.each<[string, () => ServerView[], Tier, string | null]>([
    ['a powerful model is online', seedServers, 'powerful', null],
    ['a balanced one is online', seedServers, 'balanced', null],
    [
      'every server offline',
      () => seedServers().map(offline),
      'balanced',
      'No server is reachable right now.',
    ],
    ['no servers at all', () => [], 'powerful', 'No server is reachable right now.'],
    [
      'only the small box is up',
      remoteDown,
      'balanced',
      'No balanced model on a reachable server.',
    ],
    [
      'the small box has only fast models',
      onlyLocal,
      'powerful',
      'No powerful model on a reachable server.',
    ],
  ])('%s', (_name, servers, up, expected) => {
    expect(biggerModelUnavailable(servers(), up)).toBe(expected)
  })
})

describe('Regenerate with a more powerful model', () => {
  const conv = storedConversation([
    { role: 'user', content: 'Hi' },
    { role: 'assistant', content: 'Hello', metadata: metadata() },
  ])

  async function mountWith(servers: ServerView[]) {
    const core = new FakeCore({
      'servers:snapshot': async () => servers,
      'conversations:get': async () => structuredClone(conv),
    })
    await mountChat(core, 'c1')
  }

  it('is disabled, saying why, when no server is reachable', async () => {
    await mountWith(seedServers().map(offline))
    const button = screen.getByRole('button', { name: 'Regenerate with a more powerful model' })
    expect(button).toHaveProperty('disabled', true)
    expect(button.getAttribute('aria-describedby')).toBeTruthy()
    const reason = document.getElementById(button.getAttribute('aria-describedby') ?? '')
    expect(reason?.textContent).toBe('No server is reachable right now.')
  })

  it('is disabled when no bigger model is reachable, and offered when one is', async () => {
    await mountWith(onlyLocal())
    expect(
      screen.getByRole('button', { name: 'Regenerate with a more powerful model' }),
    ).toHaveProperty('disabled', true)
    expect(screen.getByText('No balanced model on a reachable server.')).toBeTruthy()
    cleanup()
    await mountWith(seedServers())
    const button = screen.getByRole('button', { name: 'Regenerate with a more powerful model' })
    expect(button).toHaveProperty('disabled', false)
    expect(button.getAttribute('aria-describedby')).toBeNull()
  })
})

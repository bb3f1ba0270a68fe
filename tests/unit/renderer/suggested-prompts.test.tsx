// @vitest-environment jsdom
import { cleanup, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it } from 'vitest'
import { visionModelReachable } from '../../../renderer/store/vision'
import { suggestedPrompts } from '../../../renderer/views/chat/suggested-prompts'
import { mountChat } from './mount-chat'
import { FakeCore, seedServers } from './fake-core'

afterEach(cleanup)

/** The seed fleet with gemma3:12b on remote able to read images. */
function withVision(online = true) {
  const servers = seedServers()
  const remote = servers[0]!
  remote.models = remote.models.map((m) =>
    m.name === 'gemma3:12b' ? { ...m, capabilities: ['completion', 'vision'] } : m,
  )
  if (!online) remote.health = { kind: 'offline', since: 1, error: 'refused', nextProbeAt: 2 }
  return servers
}

describe('suggestedPrompts', () => {
  it.each([
    ['no vision model', seedServers(), ['question', 'code', 'reasoning']],
    ['a vision model online', withVision(), ['question', 'code', 'reasoning', 'image']],
    ['the vision model offline', withVision(false), ['question', 'code', 'reasoning']],
  ])('with %s: %j', (_name, servers, kinds) => {
    expect(suggestedPrompts(servers).map((p) => p.kind)).toEqual(kinds)
    expect(visionModelReachable(servers)).toBe(kinds.includes('image'))
  })
})

describe('the empty chat', () => {
  it('fills the message box with a suggestion and does not send it', async () => {
    const core = new FakeCore({ 'servers:snapshot': async () => withVision() })
    await mountChat(core)
    const buttons = screen.getAllByRole('button', {
      name: /^(A quick|A coding|A reasoning|Ask about)/,
    })
    expect(buttons).toHaveLength(4)
    await userEvent.click(screen.getByRole('button', { name: /^A coding task/ }))
    const box = screen.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement
    expect(box.value).toMatch(/^Write a TypeScript function/)
    expect(document.activeElement).toBe(box)
    expect(core.calls.some((c) => c.channel === 'chat:send')).toBe(false)
  })
})

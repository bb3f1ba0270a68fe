// @vitest-environment jsdom
import { act, cleanup, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it } from 'vitest'
import type { ChatChunk, ConversationMessage } from '../../../shared/types'
import { mountChat } from './mount-chat'
import { FakeCore, flush, metadata, storedConversation } from './fake-core'

afterEach(cleanup)

async function mount(core: FakeCore) {
  return mountChat(core, 'c1')
}

/** An answer's one successful attempt, with the backend's counts: `tokens` in one second. */
const attemptOf = (model: string, serverName: string, tokens: number) => ({
  model,
  serverName,
  serverUrl: `http://${serverName}:11434`,
  outcome: 'ok' as const,
  reason: null,
  error: null,
  chars: 10,
  ms: 1000,
  usage: {
    source: 'backend' as const,
    prompt_eval_count: 5,
    eval_count: tokens,
    total_duration: 1.2e9,
    load_duration: 1e8,
    prompt_eval_duration: 1e8,
    eval_duration: 1e9,
  },
})
const fast = metadata({
  decision_id: 'd-fast',
  attempts: [attemptOf('gemma3:1b', 'localhost', 80)],
})
const big = metadata({
  decision_id: 'd-big',
  model: 'llama3.3:70b',
  server_name: 'remote',
  complexity_level: 'complex',
  used_fast_model: false,
  attempts: [attemptOf('llama3.3:70b', 'remote', 9)],
})

const answer = () => screen.getByRole('article', { name: 'Answer' })

describe('answer versions', () => {
  it('opens on the newest version and switches to the others, each with its own badge and speed', async () => {
    const conv = storedConversation([
      { role: 'user', content: 'Explain monads' },
      {
        role: 'assistant',
        content: 'The powerful answer',
        metadata: big,
        versions: [
          { content: 'The fast answer', createdAt: 1, metadata: fast, interrupted: false },
          { content: 'Half an answer', createdAt: 2, metadata: null, interrupted: true },
        ],
      },
    ])
    await mount(new FakeCore({ 'conversations:get': async () => structuredClone(conv) }))
    const versions = within(answer()).getByRole('group', { name: 'Answer versions: 3 of 3' })
    expect(versions.textContent).toContain('3/3')
    expect(within(answer()).getByText('The powerful answer')).toBeTruthy()
    expect(within(answer()).getByRole('button', { name: /^llama3\.3:70b @ remote/ })).toBeTruthy()
    expect(within(answer()).getByLabelText('Speed').textContent).toMatch(/^9\.0 tokens\/s/)
    expect(within(versions).getByRole('button', { name: 'Next version' })).toHaveProperty(
      'disabled',
      true,
    )

    await userEvent.click(within(versions).getByRole('button', { name: 'Previous version' }))
    expect(within(answer()).getByText('2/3')).toBeTruthy()
    expect(within(answer()).getByText('Half an answer')).toBeTruthy()
    expect(within(answer()).getByText(/cut short/)).toBeTruthy()
    expect(within(answer()).queryByRole('button', { name: /@ remote/ })).toBeNull()

    await userEvent.click(within(answer()).getByRole('button', { name: 'Previous version' }))
    expect(within(answer()).getByText('1/3')).toBeTruthy()
    expect(within(answer()).getByText('The fast answer')).toBeTruthy()
    expect(within(answer()).getByRole('button', { name: /^gemma3:1b @ localhost/ })).toBeTruthy()
    expect(within(answer()).getByLabelText('Speed').textContent).toMatch(/^80\.0 tokens\/s/)
    expect(within(answer()).getByRole('button', { name: 'Previous version' })).toHaveProperty(
      'disabled',
      true,
    )
  })

  it('an answer with one version has no switcher', async () => {
    const conv = storedConversation([
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello', metadata: fast },
    ])
    await mount(new FakeCore({ 'conversations:get': async () => structuredClone(conv) }))
    expect(screen.queryByRole('group', { name: /Answer versions/ })).toBeNull()
  })

  it('a regenerated answer shows the new version with the earlier one a click away', async () => {
    const conv = storedConversation([
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello (fast)', metadata: fast },
    ])
    const core = new FakeCore({
      'conversations:get': async () => structuredClone(conv),
      'chat:send': async () => {
        // What the core does on a regenerate: the answer keeps its text as a version.
        const a = conv.messages[1] as ConversationMessage
        const { versions, ...now } = a
        conv.messages[1] = {
          ...now,
          content: '',
          createdAt: Date.now(),
          metadata: null,
          interrupted: true,
          versions: [
            ...(versions ?? []),
            {
              content: a.content,
              createdAt: a.createdAt,
              metadata: a.metadata,
              interrupted: false,
            },
          ],
        }
        return { requestId: 'r1', conversationId: 'c1' }
      },
    })
    await mount(core)
    await userEvent.click(
      screen.getByRole('button', { name: 'Regenerate with a more powerful model' }),
    )
    await act(flush)
    const emit = (c: Partial<ChatChunk> & { kind: ChatChunk['kind'] }) =>
      act(() =>
        core.emit('chat:chunk', { requestId: 'r1', conversationId: 'c1', ...c } as ChatChunk),
      )
    await emit({ kind: 'token', text: 'Hello (powerful)' })
    Object.assign(conv.messages[1]!, {
      content: 'Hello (powerful)',
      metadata: big,
      interrupted: false,
    })
    await emit({ kind: 'done', metadata: big })
    await act(flush)
    expect(screen.getAllByRole('article', { name: 'Answer' })).toHaveLength(1)
    expect(within(answer()).getByText('2/2')).toBeTruthy()
    expect(within(answer()).getByText('Hello (powerful)')).toBeTruthy()
    await userEvent.click(within(answer()).getByRole('button', { name: 'Previous version' }))
    expect(within(answer()).getByText('Hello (fast)')).toBeTruthy()
  })
})

describe('a stopped answer', () => {
  it('reads "Stopped" with its route badge, not "cut short"', async () => {
    const conv = storedConversation([
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hel', metadata: fast, interrupted: true, stopped: true },
    ])
    await mount(new FakeCore({ 'conversations:get': async () => structuredClone(conv) }))
    expect(within(answer()).getByRole('note').textContent).toBe('Stopped')
    expect(within(answer()).queryByText(/cut short/)).toBeNull()
    expect(within(answer()).getByRole('button', { name: /^gemma3:1b @ localhost/ })).toBeTruthy()
  })

  it('an answer that broke still says it was cut short', async () => {
    const conv = storedConversation([
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hel', metadata: null, interrupted: true },
    ])
    await mount(new FakeCore({ 'conversations:get': async () => structuredClone(conv) }))
    expect(within(answer()).getByRole('note').textContent).toMatch(/cut short/)
  })
})

// @vitest-environment jsdom
// Edit-and-resend of the person's own message, with Undo (issue 15).
import { act, cleanup, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it } from 'vitest'
import { mountChat } from './mount-chat'
import { FakeCore, flush, metadata, storedConversation } from './fake-core'

afterEach(cleanup)

const original = () =>
  storedConversation([
    { role: 'user', content: 'Hi' },
    { role: 'assistant', content: 'Hello!', metadata: metadata() },
    { role: 'user', content: 'Tell me more' },
    { role: 'assistant', content: 'More…', metadata: metadata({ decision_id: 'd-2' }) },
  ])

async function mount() {
  let conv = original()
  const core = new FakeCore({
    'conversations:get': async () => structuredClone(conv),
    'chat:send': async (req) => {
      const at = conv.messages.findIndex((m) => m.id === req.editOf)
      conv = { ...conv, messages: conv.messages.slice(0, at) }
      return { requestId: 'r1', conversationId: 'c1' }
    },
    'conversations:undo-edit': async () => {
      conv = original()
      return structuredClone(conv)
    },
  })
  const store = await mountChat(core, 'c1')
  return { core, store }
}

const mine = () => screen.getAllByRole('article', { name: 'Your message' })

describe('edit-and-resend', () => {
  it('Edit opens the message in place; Esc keeps it as it was and sends nothing', async () => {
    const { core } = await mount()
    await userEvent.click(within(mine()[0]!).getByRole('button', { name: 'Edit message' }))
    const box = screen.getByRole('textbox', { name: 'Edit your message' })
    expect((box as HTMLTextAreaElement).value).toBe('Hi')
    expect(document.activeElement).toBe(box)
    await userEvent.type(box, ' there')
    await userEvent.keyboard('{Escape}')
    expect(screen.queryByRole('textbox', { name: 'Edit your message' })).toBeNull()
    expect(mine()[0]?.textContent).toContain('Hi')
    expect(mine()[0]?.textContent).not.toContain('there')
    expect(core.callsOf('chat:send')).toEqual([])
    // An Esc by mistake loses nothing: Edit opens what was typed.
    await userEvent.click(within(mine()[0]!).getByRole('button', { name: 'Edit message' }))
    const again = screen.getByRole('textbox', { name: 'Edit your message' })
    expect((again as HTMLTextAreaElement).value).toBe('Hi there')
  })

  it('Save & send replaces the message and the later turns, then Undo edit brings them back', async () => {
    const { core } = await mount()
    await userEvent.click(within(mine()[0]!).getByRole('button', { name: 'Edit message' }))
    const box = screen.getByRole('textbox', { name: 'Edit your message' })
    await userEvent.clear(box)
    await userEvent.type(box, 'Hello there')
    await userEvent.click(screen.getByRole('button', { name: 'Save & send' }))
    await act(flush)
    expect(core.callsOf('chat:send')).toEqual([
      [{ conversationId: 'c1', content: 'Hello there', editOf: 'm1' }],
    ])
    expect(mine().map((m) => m.querySelector('.user-text')?.textContent)).toEqual(['Hello there'])
    expect(screen.queryByText('Tell me more')).toBeNull()
    expect(screen.getByText('Message edited and sent again.')).toBeTruthy()

    await userEvent.click(screen.getByRole('button', { name: 'Undo edit' }))
    await act(flush)
    expect(core.callsOf('conversations:undo-edit')).toEqual([['c1']])
    expect(mine().map((m) => m.querySelector('.user-text')?.textContent)).toEqual([
      'Hi',
      'Tell me more',
    ])
    expect(screen.getAllByRole('article', { name: 'Answer' })).toHaveLength(2)
    expect(screen.queryByText('Message edited and sent again.')).toBeNull()
  })

  it('an empty edit cannot be sent', async () => {
    await mount()
    await userEvent.click(within(mine()[0]!).getByRole('button', { name: 'Edit message' }))
    await userEvent.clear(screen.getByRole('textbox', { name: 'Edit your message' }))
    expect(screen.getByRole('button', { name: 'Save & send' })).toHaveProperty('disabled', true)
  })
})

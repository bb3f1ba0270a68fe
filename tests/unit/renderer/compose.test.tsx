// @vitest-environment jsdom
// Issue 15: image attachments in the composer and the per-conversation system prompt.
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it } from 'vitest'
import type { ChatSendRequest } from '../../../shared/types'
import { mountChat } from './mount-chat'
import { imageFileProblem } from '../../../renderer/views/chat/image-attachments'
import { FakeCore, flush, seedServers } from './fake-core'

afterEach(cleanup)

/** The seed fleet; with `vision`, gemma3:12b on remote can read images. */
function fleet(vision: boolean) {
  const servers = seedServers()
  if (vision)
    servers[0]!.models = servers[0]!.models.map((m) =>
      m.name === 'gemma3:12b' ? { ...m, capabilities: ['completion', 'vision'] } : m,
    )
  return servers
}

const PNG_BYTES = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]
const png = (name = 'cat.png') => new File([new Uint8Array(PNG_BYTES)], name, { type: 'image/png' })

async function pick(files: File[]) {
  const input = screen.getByLabelText('Image files') as HTMLInputElement
  fireEvent.change(input, { target: { files } })
  await act(flush)
}

const sends = (core: FakeCore) =>
  core.calls.filter((c) => c.channel === 'chat:send').map((c) => c.args[0] as ChatSendRequest)

describe('imageFileProblem', () => {
  it.each([
    [{ name: 'cat.png', type: 'image/png', size: 1000 }, null],
    [
      { name: 'notes.txt', type: 'text/plain', size: 10 },
      /^notes\.txt is not an image we can send \(text\/plain\)/,
    ],
    [
      { name: 'huge.jpg', type: 'image/jpeg', size: 12 * 1024 * 1024 },
      /^huge\.jpg is 12\.0 MB; images up to 10\.0 MB/,
    ],
  ])('%j', (file, problem) => {
    const got = imageFileProblem(file)
    if (problem === null) expect(got).toBeNull()
    else expect(got).toMatch(problem)
  })
})

describe('image attachments', () => {
  it('picked images show as thumbnails (removable); a non-image is refused by name; they go as base64', async () => {
    const core = new FakeCore({ 'servers:snapshot': async () => fleet(true) })
    await mountChat(core)
    await pick([new File(['hello'], 'notes.txt', { type: 'text/plain' }), png(), png('dog.png')])
    expect(screen.getByRole('alert').textContent).toMatch(/^notes\.txt is not an image/)
    const list = screen.getByRole('list', { name: 'Attached images' })
    expect(
      within(list)
        .getAllByRole('img')
        .map((i) => i.getAttribute('alt')),
    ).toEqual(['cat.png', 'dog.png'])
    await userEvent.click(screen.getByRole('button', { name: 'Remove dog.png' }))
    await userEvent.type(screen.getByRole('textbox', { name: 'Message' }), 'What is this?')
    await userEvent.click(screen.getByRole('button', { name: 'Send' }))
    await act(flush)
    expect(sends(core)).toEqual([
      {
        conversationId: null,
        content: 'What is this?',
        images: [btoa(String.fromCharCode(...PNG_BYTES))],
      },
    ])
    expect(screen.queryByRole('list', { name: 'Attached images' })).toBeNull()
    // The sent message shows its image in the history.
    const mine = screen.getByRole('article', { name: 'Your message' })
    expect(within(mine).getByRole('img').getAttribute('src')).toMatch(
      /^data:image\/png;base64,iVBOR/,
    )
  })

  it('with no vision model reachable it says so before sending and keeps the draft', async () => {
    const core = new FakeCore({ 'servers:snapshot': async () => fleet(false) })
    await mountChat(core)
    await pick([png()])
    await userEvent.type(screen.getByRole('textbox', { name: 'Message' }), 'Describe it')
    await userEvent.click(screen.getByRole('button', { name: 'Send' }))
    await act(flush)
    expect(sends(core)).toEqual([])
    expect(screen.getByRole('alert').textContent).toMatch(
      /^No model that can read images is reachable/,
    )
    expect((screen.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement).value).toBe(
      'Describe it',
    )
    expect(screen.getByRole('img', { name: 'cat.png' })).toBeTruthy()
  })
})

describe('system prompt', () => {
  it('is set from the header, shown as set, editable and clearable', async () => {
    const core = new FakeCore()
    const store = await mountChat(core)
    const toggle = screen.getByRole('button', { name: 'System prompt' })
    await userEvent.click(toggle)
    const dialog = screen.getByRole('dialog', { name: 'System prompt' })
    await userEvent.type(within(dialog).getByRole('textbox'), 'Answer in German.')
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save' }))
    await act(flush)
    expect(screen.queryByRole('dialog')).toBeNull()
    // A new chat: setting the prompt started its conversation.
    expect(store.getState().activeConversationId).toBe('c1')
    const set = screen.getByRole('button', { name: 'System prompt ✓' })
    expect(set.getAttribute('title')).toBe('System prompt: Answer in German.')
    await userEvent.click(set)
    const again = screen.getByRole('dialog', { name: 'System prompt' })
    expect((within(again).getByRole('textbox') as HTMLTextAreaElement).value).toBe(
      'Answer in German.',
    )
    await userEvent.click(within(again).getByRole('button', { name: 'Clear' }))
    await act(flush)
    expect(screen.getByRole('button', { name: 'System prompt' })).toBeTruthy()
    expect(
      core.calls.filter((c) => c.channel === 'conversations:setSystemPrompt').map((c) => c.args),
    ).toEqual([
      [null, 'Answer in German.'],
      ['c1', null],
    ])
  })

  it('a refused save is shown in the dialog and the text stays', async () => {
    const core = new FakeCore({
      'conversations:setSystemPrompt': async () => {
        throw new Error('disk says no')
      },
    })
    await mountChat(core)
    await userEvent.click(screen.getByRole('button', { name: 'System prompt' }))
    const dialog = screen.getByRole('dialog', { name: 'System prompt' })
    await userEvent.type(within(dialog).getByRole('textbox'), 'Be brief.')
    await userEvent.click(within(dialog).getByRole('button', { name: 'Save' }))
    await act(flush)
    expect(within(dialog).getByRole('alert').textContent).toBe(
      'Could not save the system prompt: disk says no',
    )
    expect((within(dialog).getByRole('textbox') as HTMLTextAreaElement).value).toBe('Be brief.')
  })
})

// @vitest-environment jsdom
// Copy buttons on answers and on code blocks, which name their language (issue 15).
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MarkdownText } from '../../../renderer/views/chat/markdown-text'
import { UserMessage } from '../../../renderer/views/chat/user-message'
import { createAppStore } from '../../../renderer/store/app-store'
import { StoreProvider } from '../../../renderer/store/store-context'
import { FakeCore } from './fake-core'

let written: string[] = []

beforeEach(() => {
  written = []
  // jsdom has no clipboard: the browser's, standing in at the edge (not our code).
  Object.defineProperty(navigator, 'clipboard', {
    configurable: true,
    value: { writeText: async (t: string) => void written.push(t) },
  })
})
afterEach(cleanup)

const answer = [
  'Here is how:',
  '',
  '```ts',
  'const x: number = 1',
  'console.log(x)',
  '```',
  '',
  'and plain:',
  '',
  '```',
  'no language',
  '```',
].join('\n')

describe('code blocks', () => {
  it('name their language and copy their text without the highlighting', async () => {
    render(<MarkdownText text={answer} />)
    const labels = [...document.querySelectorAll('.code-lang')].map((e) => e.textContent)
    expect(labels).toEqual(['ts', 'text'])
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Copy ts code' }))
    })
    expect(written).toEqual(['const x: number = 1\nconsole.log(x)'])
    expect(screen.getByRole('button', { name: 'Copied' })).toBeTruthy()
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Copy code' }))
    })
    expect(written.at(-1)).toBe('no language')
  })

  it('say so when the clipboard refuses', async () => {
    Object.defineProperty(navigator, 'clipboard', {
      configurable: true,
      value: { writeText: async () => Promise.reject(new Error('denied')) },
    })
    render(<MarkdownText text={'```py\nprint(1)\n```'} />)
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Copy py code' }))
    })
    expect(screen.getByRole('button', { name: 'Copy failed' })).toBeTruthy()
  })
})

describe('the person’s own messages', () => {
  it('have a Copy that copies the message as written, line breaks and all', async () => {
    const content = 'First line\n  second, indented'
    const message = {
      id: 'u1',
      role: 'user' as const,
      content,
      createdAt: 1,
      metadata: null,
      interrupted: false,
    }
    render(
      <StoreProvider store={createAppStore(new FakeCore())}>
        <UserMessage editable={false} message={message} />
      </StoreProvider>,
    )
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Copy message' }))
    })
    expect(written).toEqual([content])
    expect(screen.getByRole('button', { name: 'Copied' })).toBeTruthy()
  })
})

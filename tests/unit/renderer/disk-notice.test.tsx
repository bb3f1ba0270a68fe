// @vitest-environment jsdom
/**
 * The full-disk notice in the chat (issue 13 point 5): while the core keeps conversations only in
 * memory it says so, once, in plain words; it follows the count and goes away when the writes succeed.
 * Through the real store and bridge, fed by the in-memory core at the transport boundary.
 */
import { act, cleanup, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import type { StorageState } from '../../../shared/types'
import { createAppStore } from '../../../renderer/store/app-store'
import { connectStore } from '../../../renderer/store/bridge'
import { StoreProvider } from '../../../renderer/store/store-context'
import { ChatView } from '../../../renderer/views/chat/chat-view'
import { FakeCore, flush } from './fake-core'

afterEach(cleanup)

const FULL = "ENOSPC: no space left on device, open '/data/conversations/.c1.tmp'"

const unsaved = (conversations: number, error = FULL): StorageState => ({
  kind: 'unsaved',
  since: new Date(2026, 11, 2, 12, 3, 0).getTime(),
  error,
  conversations,
})

async function mountChat(initial: StorageState) {
  const core = new FakeCore({ 'storage:snapshot': async () => initial })
  const store = createAppStore(core)
  connectStore(store, core, { setTimer: () => undefined })
  render(
    <StoreProvider store={store}>
      <ChatView />
    </StoreProvider>,
  )
  await act(flush)
  return core
}

const notices = () =>
  screen.queryAllByRole('alert').filter((a) => /kept in memory/.test(a.textContent ?? ''))

describe('DiskNotice', () => {
  it('nothing is shown while everything is on disk', async () => {
    await mountChat({ kind: 'saved' })
    expect(screen.queryAllByRole('alert')).toEqual([])
  })

  it('a full disk at load: one banner with the count, what to do, and the error; it follows the count and goes once saved', async () => {
    const core = await mountChat(unsaved(2))
    expect(notices()).toHaveLength(1)
    const banner = notices()[0]!
    expect(banner.querySelector('strong')?.textContent).toBe(
      'Your disk is full: 2 conversations are kept in memory and will be saved as soon as there is space again.',
    )
    expect(banner.textContent).toContain("Don't quit AILLM until then")
    expect(banner.textContent).toContain('Free some space')
    expect(banner.textContent).toContain(FULL)

    act(() => core.emit('storage:changed', unsaved(1)))
    expect(notices()).toHaveLength(1)
    expect(notices()[0]!.textContent).toContain(
      'Your disk is full: 1 conversation is kept in memory',
    )

    act(() => core.emit('storage:changed', { kind: 'saved' }))
    expect(notices()).toEqual([])
    expect(screen.queryAllByRole('alert')).toEqual([])
  })

  it('appears when the disk fills while the chat is open', async () => {
    const core = await mountChat({ kind: 'saved' })
    act(() => core.emit('storage:changed', unsaved(1)))
    expect(notices()).toHaveLength(1)
  })

  it('another write error is not called a full disk', async () => {
    await mountChat(unsaved(1, "EROFS: read-only file system, open '/data/x.tmp'"))
    const text = notices()[0]?.textContent ?? ''
    expect(text).toContain('AILLM cannot save your conversations: 1 conversation is kept in memory')
    expect(text).not.toMatch(/disk is full|Free some space/)
  })
})

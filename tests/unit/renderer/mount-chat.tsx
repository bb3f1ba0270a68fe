/** The chat view on a store wired to a FakeCore, as the app mounts it; `conversationId` opens one first. */
import { act, render } from '@testing-library/react'
import { createAppStore } from '../../../renderer/store/app-store'
import { connectStore } from '../../../renderer/store/bridge'
import { StoreProvider } from '../../../renderer/store/store-context'
import { ChatView } from '../../../renderer/views/chat/chat-view'
import { flush, type FakeCore } from './fake-core'

export async function mountChat(core: FakeCore, conversationId?: string) {
  const store = createAppStore(core)
  connectStore(store, core, { setTimer: () => undefined })
  render(
    <StoreProvider store={store}>
      <ChatView />
    </StoreProvider>,
  )
  await act(flush)
  if (conversationId !== undefined) {
    await act(() => store.getState().selectConversation(conversationId))
  }
  return store
}

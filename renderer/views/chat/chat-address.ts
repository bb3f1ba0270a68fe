import { useEffect, useRef, useSyncExternalStore } from 'react'
import { useAppStore } from '../../store/store-context'

/**
 * What a chat address asks for: `#/chat` the conversation open last time, `#/chat/new` a new one,
 * `#/chat/<id>` that one. null: the hash is not a chat address at all.
 */
export type ChatAddress = { kind: 'last' } | { kind: 'new' } | { kind: 'conversation'; id: string }

/** Reads a location hash as a chat address. */
export function chatAddressOf(hash: string): ChatAddress | null {
  const path = hash.replace(/^#\/?/, '').split(/[?&]/)[0] ?? ''
  const [view, id, ...rest] = path.split('/')
  if (view !== 'chat' || rest.length > 0) return null
  if (id === undefined || id === '') return { kind: 'last' }
  if (id === 'new') return { kind: 'new' }
  try {
    return { kind: 'conversation', id: decodeURIComponent(id) }
  } catch {
    // A malformed %-escape: not a conversation we could have made.
    return { kind: 'new' }
  }
}

/** The address of a conversation (null: a new one). */
export function chatHash(id: string | null): string {
  return id === null ? '#/chat/new' : `#/chat/${encodeURIComponent(id)}`
}

/** Where the last open conversation is remembered between reloads (this browser, this origin). */
export const LAST_CONVERSATION_KEY = 'aillm.lastConversation'

function readLast(): string | null {
  try {
    return window.localStorage.getItem(LAST_CONVERSATION_KEY)
  } catch {
    return null
  }
}

function writeLast(id: string | null): void {
  try {
    if (id === null) window.localStorage.removeItem(LAST_CONVERSATION_KEY)
    else window.localStorage.setItem(LAST_CONVERSATION_KEY, id)
  } catch {
    // Storage refused (private mode, quota): only the reopening after a reload is lost.
  }
}

/** Fired after the address is replaced (replaceState fires no hashchange). */
const REPLACED = 'aillm:address-replaced'

function subscribe(cb: () => void): () => void {
  window.addEventListener('hashchange', cb)
  window.addEventListener(REPLACED, cb)
  return () => {
    window.removeEventListener('hashchange', cb)
    window.removeEventListener(REPLACED, cb)
  }
}

/**
 * Replaces the address without a history entry, and says so: otherwise the hook would still hold the
 * old hash, and a later link back to that same hash would change nothing it can see.
 */
function replaceAddress(next: string): void {
  window.history.replaceState(null, '', next)
  window.dispatchEvent(new Event(REPLACED))
}

/**
 * Keeps the address and the open conversation in step: a changed address (a link, Back, a typed URL,
 * the tray's `#/chat`) opens its conversation; a conversation opened by the store (a new one got its id,
 * the open one was deleted) replaces the address, so Back does not walk through those steps. The open
 * conversation is remembered, and `#/chat` reopens it.
 */
export function useChatAddress(): void {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash)
  const active = useAppStore((s) => s.activeConversationId)
  const select = useAppStore((s) => s.selectConversation)
  const seenHash = useRef<string | null>(null)
  const seenActive = useRef<string | null | undefined>(undefined)

  useEffect(() => {
    const address = chatAddressOf(hash)
    if (hash !== seenHash.current) {
      seenHash.current = hash
      if (!address) return
      let target: string | null
      if (address.kind === 'last') {
        target = readLast()
        const next = chatHash(target)
        seenHash.current = next
        replaceAddress(next)
      } else target = address.kind === 'new' ? null : address.id
      seenActive.current = target
      if (target !== active) void select(target)
      return
    }
    if (active !== seenActive.current) {
      seenActive.current = active
      if (!address) return
      const next = chatHash(active)
      seenHash.current = next
      replaceAddress(next)
    }
  }, [hash, active, select])

  useEffect(() => {
    if (active !== null) writeLast(active)
  }, [active])
}

/** Opens a conversation by its address (null: a new one), as a link would. */
export function openConversation(id: string | null): void {
  window.location.hash = chatHash(id)
}

import type { TransportClient } from '../transport/connection'
import type { AppStore } from './app-store'
import { addDecision, mergeDecisions } from './routing-slice'
import { LIT_MS } from './servers-slice'
import { messageOf } from './store-types'

/** Options of the bridge; `now` and the timer are injectable for tests. */
export interface BridgeOptions {
  now?: () => number
  setTimer?: (fn: () => void, ms: number) => unknown
}

/**
 * Connects the store to the core (style.md point 3): fetches every snapshot once, then applies
 * events; fetches them again after a reconnect, since events were missed while the link was down, and
 * after a resync (the core dropped events for a page that fell behind).
 * Returns the function that disconnects it.
 */
export function connectStore(
  store: AppStore,
  client: TransportClient,
  opts: BridgeOptions = {},
): () => void {
  const now = opts.now ?? Date.now
  const setTimer = opts.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms))
  const set = store.setState
  const offs: (() => void)[] = []

  offs.push(
    client.on('servers:changed', (servers) => set({ servers })),
    client.on('routing:decision', (d) => {
      set((s) => ({ decisions: addDecision(s.decisions, d) }))
      store.getState().applyDecisionToStreams(d)
      const chosen = d.chosen
      if (chosen) {
        const until = now() + LIT_MS
        set((s) => ({ litUntil: { ...s.litUntil, [chosen.serverId]: until } }))
        setTimer(() => {
          set((s) => {
            if (s.litUntil[chosen.serverId] !== until) return {}
            const { [chosen.serverId]: _off, ...rest } = s.litUntil
            return { litUntil: rest }
          })
        }, LIT_MS)
      }
    }),
    client.on('chat:chunk', (chunk) => store.getState().applyChunk(chunk)),
    client.on('conversations:changed', (list) => {
      set((s) => {
        const ids = new Set(list.map((c) => c.id))
        const active = s.activeConversationId
        return {
          conversations: list,
          activeConversationId:
            active && !ids.has(active) && !hasStreams(s, active) ? null : active,
        }
      })
    }),
    client.on('mode:changed', (mode) => set({ mode })),
    client.on('config:changed', (configView) => set({ configView })),
    client.on('storage:changed', (storage) => set({ storage })),
  )

  let wasOpen = client.connection().kind === 'open'
  offs.push(
    client.onConnection((connection) => {
      set({ connection })
      if (connection.kind === 'open' && !wasOpen) {
        // Chunks sent while the link was down are lost: a stream would wait for its done forever.
        const affected = store.getState().abandonStreams(CONNECTION_LOST)
        void refreshAll(store, client, affected)
      }
      wasOpen = connection.kind === 'open'
    }),
  )
  offs.push(
    client.onResync(() => {
      // Events were dropped while this page lagged: the same as a reconnect, minus the reconnect.
      const affected = store.getState().abandonStreams(FELL_BEHIND)
      void refreshAll(store, client, affected)
    }),
  )
  set({ connection: client.connection() })
  void refreshAll(store, client)

  return () => {
    for (const off of offs) off()
  }
}

/** The error an answer ends with when the link to the core dropped while it streamed. */
export const CONNECTION_LOST = 'the connection to the core was lost while this answer streamed'

/** The error an answer ends with when the core skipped part of it because this page fell behind. */
export const FELL_BEHIND =
  'this page fell behind the core and part of this answer was skipped; it is shown as saved'

function hasStreams(s: { streams: Record<string, { conversationId: string }> }, id: string) {
  return Object.values(s.streams).some((st) => st.conversationId === id)
}

/**
 * Fetches every snapshot (and the open conversation plus `conversationIds`) and puts them in the
 * store. Each snapshot is applied as soon as its own call answers, so an event that arrives after it
 * is never overwritten by an older snapshot that was merely waiting for a slower sibling.
 */
export async function refreshAll(
  store: AppStore,
  client: TransportClient,
  conversationIds: string[] = [],
): Promise<void> {
  const set = store.setState
  const apply = async <T>(
    what: string,
    call: Promise<T>,
    put: (value: T) => void,
  ): Promise<string | null> => {
    try {
      put(await call)
      return null
    } catch (err) {
      return `${what}: ${messageOf(err)}`
    }
  }
  const outcomes = await Promise.all([
    apply('servers', client.invoke('servers:snapshot'), (servers) => set({ servers })),
    apply('routing log', client.invoke('routing:log'), (log) =>
      set((s) => ({ decisions: mergeDecisions(s.decisions, log) })),
    ),
    apply('conversations', client.invoke('conversations:list'), (conversations) =>
      set({ conversations }),
    ),
    apply('mode', client.invoke('mode:get'), (mode) => set({ mode })),
    apply('config', client.invoke('config:get'), (configView) => set({ configView })),
    apply('storage', client.invoke('storage:snapshot'), (storage) => set({ storage })),
  ])
  const errors = outcomes.filter((e): e is string => e !== null)
  set({ loaded: true, loadError: errors.length ? errors.join('; ') : null })
  const active = store.getState().activeConversationId
  const ids = new Set(conversationIds)
  if (active) ids.add(active)
  await Promise.all([...ids].map((id) => store.getState().refreshConversation(id)))
}

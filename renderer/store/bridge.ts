import type { TransportClient } from '../transport/connection'
import type { AppStore } from './app-store'
import { addDecision, sortDecisions } from './routing-slice'
import { LIT_MS } from './servers-slice'
import { messageOf } from './store-types'

/** Options of the bridge; `now` and the timer are injectable for tests. */
export interface BridgeOptions {
  now?: () => number
  setTimer?: (fn: () => void, ms: number) => unknown
}

/**
 * Connects the store to the core (style.md point 3): fetches every snapshot once, then applies
 * events; fetches them again after a reconnect, since events were missed while the link was down.
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
  )

  let wasOpen = client.connection().kind === 'open'
  offs.push(
    client.onConnection((connection) => {
      set({ connection })
      if (connection.kind === 'open' && !wasOpen) void refreshAll(store, client)
      wasOpen = connection.kind === 'open'
    }),
  )
  set({ connection: client.connection() })
  void refreshAll(store, client)

  return () => {
    for (const off of offs) off()
  }
}

function hasStreams(s: { streams: Record<string, { conversationId: string }> }, id: string) {
  return Object.values(s.streams).some((st) => st.conversationId === id)
}

/** Fetches every snapshot (and the open conversation) and puts them in the store. */
export async function refreshAll(store: AppStore, client: TransportClient): Promise<void> {
  const set = store.setState
  const [servers, log, conversations, mode, config] = await Promise.allSettled([
    client.invoke('servers:snapshot'),
    client.invoke('routing:log'),
    client.invoke('conversations:list'),
    client.invoke('mode:get'),
    client.invoke('config:get'),
  ])
  const errors: string[] = []
  if (servers.status === 'fulfilled') set({ servers: servers.value })
  else errors.push(`servers: ${messageOf(servers.reason)}`)
  if (log.status === 'fulfilled') set({ decisions: sortDecisions(log.value) })
  else errors.push(`routing log: ${messageOf(log.reason)}`)
  if (conversations.status === 'fulfilled') set({ conversations: conversations.value })
  else errors.push(`conversations: ${messageOf(conversations.reason)}`)
  if (mode.status === 'fulfilled') set({ mode: mode.value })
  else errors.push(`mode: ${messageOf(mode.reason)}`)
  if (config.status === 'fulfilled') set({ configView: config.value })
  else errors.push(`config: ${messageOf(config.reason)}`)
  set({ loaded: true, loadError: errors.length ? errors.join('; ') : null })
  const active = store.getState().activeConversationId
  if (active) await store.getState().refreshConversation(active)
}

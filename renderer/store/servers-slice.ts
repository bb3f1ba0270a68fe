import type { ServerView } from '../../shared/types'
import type { SliceCreator } from './store-types'
import { messageOf } from './store-types'

/** The servers as the core's registry sees them, and the map's lit edges. */
export interface ServersSlice {
  servers: ServerView[]
  /** serverId → epoch ms until which its edge on the map stays lit (a decision just chose it). */
  litUntil: Record<string, number>
  serversError: string | null
  rediscovering: boolean
  trust(serverId: string): Promise<void>
  rediscover(): Promise<void>
}

/** How long an edge stays lit after a routing decision chose its server. */
export const LIT_MS = 4000

/** Creates the servers slice. */
export const createServersSlice: SliceCreator<ServersSlice> = (client) => (set) => ({
  servers: [],
  litUntil: {},
  serversError: null,
  rediscovering: false,
  async trust(serverId) {
    try {
      await client.invoke('servers:trust', serverId)
      set({ serversError: null })
    } catch (err) {
      set({ serversError: `Could not trust ${serverId}: ${messageOf(err)}` })
    }
  },
  async rediscover() {
    set({ rediscovering: true })
    try {
      await client.invoke('servers:rediscover')
      set({ serversError: null })
    } catch (err) {
      set({ serversError: `Rediscovery failed: ${messageOf(err)}` })
    } finally {
      set({ rediscovering: false })
    }
  },
})

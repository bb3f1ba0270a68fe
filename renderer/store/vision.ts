import type { ServerView } from '../../shared/types'

/** Whether a reachable, trusted server has a chat model that can read images (/api/show `vision`). */
export function visionModelReachable(servers: readonly ServerView[]): boolean {
  return servers.some(
    (s) =>
      s.trusted &&
      (s.health.kind === 'online' || s.health.kind === 'degraded') &&
      s.models.some(
        (m) =>
          m.chatCapable &&
          (m.capabilities.includes('vision') || m.specialisations.includes('vision')),
      ),
  )
}

/** What the chat says when images cannot go anywhere; the draft stays. */
export const NO_VISION_MODEL =
  'No model that can read images is reachable right now (none of the online servers has a vision model such as gemma3:12b or llava). Your message and images are kept; send them when one is online, or remove the images.'

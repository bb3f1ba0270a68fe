/**
 * Decides when a native notification tells the user that a request failed over, and what it says.
 * Pure and stateful only in remembering which decisions were already announced (one notice per request).
 */
import type { ChatChunk, RoutingDecision } from '../../shared/types'

/** Title and body of a native notification. */
export interface Notice {
  title: string
  body: string
}

/** How many announced decision ids to remember; old ones can no longer produce a second notice. */
const REMEMBERED = 200

/** Turns routing decisions and chat chunks into at most one failover notice per request. */
export class FailoverNotifier {
  private readonly announced: string[] = []

  /** A decision that fell back to a lesser model is announced as soon as it is made. */
  onDecision(decision: RoutingDecision): Notice | null {
    if (decision.action !== 'fallback') return null
    const chosen = decision.chosen
    const body =
      decision.warning ??
      (chosen
        ? `A simplified model is being used: ${chosen.model} @ ${chosen.serverName}`
        : 'A simplified model is being used')
    return this.once(decision.id, { title: 'AILLM: fell back to another model', body })
  }

  /** A finished answer that moved servers (failed attempts, a seam, or a fallback) is announced. */
  onChunk(chunk: ChatChunk): Notice | null {
    if (chunk.kind !== 'done') return null
    const m = chunk.metadata
    const failed = m.attempts.filter(
      (a) => a.outcome === 'failed-before-first-token' || a.outcome === 'interrupted',
    )
    if (!m.fallback && !m.continued && failed.length === 0) return null
    const where = `${m.model} @ ${m.server_name}`
    let body: string
    if (m.continued) {
      const from = failed[0]?.serverName
      body = from
        ? `The answer from ${from} was interrupted and continued on ${where}.`
        : `The answer was interrupted and continued on ${where}.`
    } else if (failed.length > 0) {
      const names = [...new Set(failed.map((a) => a.serverName))].join(', ')
      body = `${names} did not answer; ${where} answered instead.`
    } else {
      body = m.warning ?? `A simplified model is being used: ${where}`
    }
    return this.once(m.decision_id, { title: 'AILLM: request failed over', body })
  }

  private once(id: string, notice: Notice): Notice | null {
    if (this.announced.includes(id)) return null
    this.announced.push(id)
    if (this.announced.length > REMEMBERED) this.announced.shift()
    return notice
  }
}

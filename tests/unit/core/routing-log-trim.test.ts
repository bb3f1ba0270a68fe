/**
 * Older routing-log entries keep only their best candidates, as plain data (so the lazily built list and
 * its server snapshot can be collected).
 */
import { describe, expect, it } from 'vitest'
import type { DecisionOutcome, RoutingDecision } from '../../../shared/types'
import {
  keepBestCandidates,
  ROUTING_LOG_SIZE,
  RoutingLog,
} from '../../../electron/core/routing/routing-log'
import { decide } from '../../../electron/core/routing/router'
import { localhostModels, providerConfig, remoteModels, server } from '../../helpers/fleet-fixtures'

describe('keepBestCandidates', () => {
  it('keeps the best n candidates in order, as a plain property', () => {
    const servers = Array.from({ length: 6 }, (_, i) =>
      server(`s${i}`, 'PRIMARY', [...remoteModels(), ...localhostModels()]),
    )
    const d = decide({
      messages: [{ role: 'user', content: 'Explain the Singleton pattern' }],
      servers,
      config: providerConfig(),
      mode: { kind: 'auto' },
      requestedModel: null,
    })
    const all = d.candidates
    expect(all).toHaveLength(42)
    keepBestCandidates(d, 12)
    expect(d.candidates).toEqual(all.slice(0, 12))
    const descriptor = Object.getOwnPropertyDescriptor(d, 'candidates')
    expect(descriptor?.get).toBeUndefined()
    expect(descriptor?.enumerable).toBe(true)
    expect(JSON.parse(JSON.stringify(d)).candidates).toHaveLength(12)
  })
})

describe('RoutingLog', () => {
  const decision = (content: string) =>
    decide({
      messages: [{ role: 'user', content }],
      servers: Array.from({ length: 3 }, (_, i) =>
        server(`s${i}`, 'PRIMARY', [...remoteModels(), ...localhostModels()]),
      ),
      config: providerConfig(),
      mode: { kind: 'auto' },
      requestedModel: null,
    })

  it('keeps the newest 500 first, trims the 51st to its best 12 candidates, and publishes each', () => {
    const log = new RoutingLog()
    const published: RoutingDecision[] = []
    log.onDidChange((d) => published.push(d))
    const made = Array.from({ length: 502 }, (_, i) => decision(`Explain topic ${i}`))
    for (const d of made) log.record(d)
    const entries = log.snapshot()
    expect(entries).toHaveLength(ROUTING_LOG_SIZE)
    expect(entries[0]).toBe(made[501])
    expect(entries.at(-1)).toBe(made[2])
    expect(published).toHaveLength(502)
    // The 51st newest keeps 12 as plain data; the 50th still builds its full list.
    expect(Object.getOwnPropertyDescriptor(entries[50], 'candidates')?.get).toBeUndefined()
    expect(entries[50]?.candidates).toHaveLength(12)
    expect(entries[49]?.candidates.length).toBeGreaterThan(12)
    // The snapshot is a copy: changing it does not change the log.
    entries.length = 0
    expect(log.snapshot()).toHaveLength(ROUTING_LOG_SIZE)
  })

  it('records an outcome on the logged decision itself and publishes it again', () => {
    const log = new RoutingLog()
    const d = decision('Hello')
    log.record(d)
    const published: RoutingDecision[] = []
    log.onDidChange((x) => published.push(x))
    const outcome: DecisionOutcome = {
      kind: 'answered',
      at: 1,
      model: 'gemma3:1b',
      serverName: 's',
    }
    log.recordOutcome(d, outcome)
    expect(published).toEqual([d])
    expect(log.snapshot()[0]?.outcome).toEqual(outcome)
  })
})

/**
 * Older routing-log entries keep only their best candidates, as plain data (so the lazily built list and
 * its server snapshot can be collected).
 */
import { describe, expect, it } from 'vitest'
import { keepBestCandidates } from '../../../electron/core/app-core'
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

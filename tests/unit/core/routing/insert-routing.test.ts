/** Fill-in-the-middle routing (`needsInsert`): only models with `insert`, and always a code task. */
import { describe, expect, it } from 'vitest'
import { decide } from '../../../../electron/core/routing/router'
import { REASON_CODES } from '../../../../shared/types'
import type { RoutingDecision } from '../../../../shared/types'
import { model, providerConfig, server } from '../../../helpers/fleet-fixtures'

const servers = [
  server('a', 'PRIMARY', [
    model('gemma3:1b', 'fast', [], { capabilities: ['completion'] }),
    model('qwen2.5-coder:7b', 'balanced', ['code'], { capabilities: ['completion', 'insert'] }),
  ]),
]

function route(needsInsert: boolean): RoutingDecision {
  return decide({
    messages: [{ role: 'user', content: 'const x = ' }],
    servers,
    config: providerConfig(),
    mode: { kind: 'auto' },
    requestedModel: 'auto',
    now: 1_700_000_000_000,
    needsInsert,
  })
}

describe('needsInsert', () => {
  it('leaves out models known to lack insert, with their own reason', () => {
    const d = route(true)
    const small = d.candidates.find((c) => c.model === 'gemma3:1b')
    expect(small?.excludedBy).toBe(REASON_CODES.NO_INSERT_SUPPORT)
    expect(d.chain.map((t) => t.model)).toEqual(['qwen2.5-coder:7b'])
  })

  it('counts a code completion as a code task, saying why', () => {
    const d = route(true)
    expect(d.classification.taskType).toBe('code')
    expect(d.classification.reasons).toContain(REASON_CODES.CODE_COMPLETION)
  })

  it('changes nothing for a request without a suffix', () => {
    const d = route(false)
    expect(d.classification.reasons).not.toContain(REASON_CODES.CODE_COMPLETION)
    expect(d.candidates.every((c) => c.excludedBy !== REASON_CODES.NO_INSERT_SUPPORT)).toBe(true)
  })
})

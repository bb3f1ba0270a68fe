/**
 * Cloud models (`remote_host` in /api/tags) send the conversation off the LAN: `auto` leaves them out unless
 * the config allows them; a model asked for by name is used (issue 12 point 6).
 */
import { describe, expect, it } from 'vitest'
import { buildModelEntries } from '../../../../electron/core/models'
import { decide } from '../../../../electron/core/routing/router'
import { localhostModels, model, providerConfig, server } from '../../../helpers/fleet-fixtures'

const REASONING = 'Prove that there are infinitely many primes, step by step'

function fleet() {
  return [
    server('remote', 'PRIMARY', [
      model('gpt-oss:120b-cloud', 'powerful', ['reasoning'], { cloud: true, loaded: true }),
      model('qwen3:14b', 'balanced', ['reasoning']),
    ]),
    server('localhost', 'SECONDARY', localhostModels()),
  ]
}

describe('cloud models', () => {
  it('auto does not send a message to a cloud model by default, and says why', () => {
    const d = decide({
      messages: [{ role: 'user', content: REASONING }],
      servers: fleet(),
      config: providerConfig(),
      mode: { kind: 'auto' },
      requestedModel: null,
    })
    expect(d.chosen?.model).toBe('qwen3:14b')
    expect(d.chain.map((t) => t.model)).not.toContain('gpt-oss:120b-cloud')
    const cloud = d.candidates.find((c) => c.model === 'gpt-oss:120b-cloud')
    expect(cloud).toMatchObject({ eligible: false, excludedBy: 'cloud-model' })
  })

  it('with allow_cloud_models, auto may use it', () => {
    const d = decide({
      messages: [{ role: 'user', content: REASONING }],
      servers: fleet(),
      config: providerConfig({ allow_cloud_models: true }),
      mode: { kind: 'auto' },
      requestedModel: null,
    })
    expect(d.chosen?.model).toBe('gpt-oss:120b-cloud')
  })

  it('a cloud model asked for by name is used', () => {
    const d = decide({
      messages: [{ role: 'user', content: REASONING }],
      servers: fleet(),
      config: providerConfig(),
      mode: { kind: 'auto' },
      requestedModel: 'gpt-oss:120b-cloud',
    })
    expect(d.chosen?.model).toBe('gpt-oss:120b-cloud')
  })

  it('the model index marks a tag with remote_host as a cloud model, and only that one', () => {
    const entries = buildModelEntries(
      'remote',
      [
        { name: 'gpt-oss:120b-cloud', remote_host: 'https://ollama.com:443', size: 384 },
        { name: 'qwen3:14b', size: 9e9 },
      ],
      [],
      new Map(),
      [],
    )
    expect(entries.map((e) => [e.name, e.cloud === true])).toEqual([
      ['gpt-oss:120b-cloud', true],
      ['qwen3:14b', false],
    ])
  })
})

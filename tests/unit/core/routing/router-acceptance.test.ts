import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { buildModelEntries } from '../../../../electron/core/models'
import type { ShowInfo, TagModel } from '../../../../electron/core/models'
import { decide, renderDecisionLog } from '../../../../electron/core/routing/router'
import { loadFleetSpec, resolveModel } from '../../../../tools/ollama-sim'
import type { Priority, ServerHealth, ServerView } from '../../../../shared/types'
import { providerConfig, server } from '../../../helpers/fleet-fixtures'

/**
 * The product spec's acceptance cases end to end through the real classifier and the real model
 * index, on the simulator's seed fleet as the registry would see it (all models cold).
 */

const SEED = resolve(__dirname, '../../../../tools/ollama-sim/fleets/seed.yaml')

/** The seed fleet's servers with model entries built the way discovery builds them. */
function seedServers(
  priorities: Record<string, Priority>,
  health: Record<string, ServerHealth> = {},
) {
  return loadFleetSpec(SEED).servers.map((spec): ServerView => {
    const resolved = spec.models.map((m) => resolveModel(m))
    const tags: TagModel[] = resolved.map((m) => ({
      name: m.name,
      model: m.name,
      size: m.sizeBytes,
      details: {
        family: m.family,
        parameter_size: m.parameterSize,
        quantization_level: m.quantization,
      },
    }))
    const shows = new Map<string, ShowInfo>(
      resolved.map((m) => [m.name, { capabilities: m.capabilities }]),
    )
    const models = buildModelEntries(spec.name, tags, [], shows, [])
    const view = server(spec.name, priorities[spec.name] ?? 'PRIMARY', [], {
      url: `http://${spec.host}:${spec.port}`,
      ...(health[spec.name] ? { health: health[spec.name] } : {}),
    })
    return { ...view, models }
  })
}

const DEMO = { remote: 'PRIMARY', localhost: 'SECONDARY' } as const
const BOTH_PRIMARY = { remote: 'PRIMARY', localhost: 'PRIMARY' } as const
const DOWN: ServerHealth = {
  kind: 'offline',
  since: 0,
  error: 'connect ECONNREFUSED',
  nextProbeAt: 0,
}

const PROMPTS: [string, string, string][] = [
  ['trivial', 'Hi!', 'gemma3:1b @ localhost'],
  ['trivial', 'Привет!', 'gemma3:1b @ localhost'],
  ['moderate', 'Explain the Singleton pattern', 'gemma3:12b @ remote'],
  ['moderate', 'Объясни паттерн Singleton', 'gemma3:12b @ remote'],
  [
    'complex',
    'Write an auth system with JWT, refresh tokens and rate limiting',
    'qwen2.5-coder:14b @ remote',
  ],
  [
    'complex',
    'Напиши систему авторизации с JWT, refresh tokens и rate limiting',
    'qwen2.5-coder:14b @ remote',
  ],
  ['complex', 'Prove that the square root of 2 is irrational.', 'llama3.3:70b @ remote'],
  ['complex', 'Докажи, что корень из 2 иррационален.', 'llama3.3:70b @ remote'],
  [
    'complex',
    'Solve this logic puzzle: three boxes are labelled apples, oranges and mixed, and every label is wrong. You may take one fruit from one box. How do you relabel all boxes correctly?',
    'llama3.3:70b @ remote',
  ],
]

describe('acceptance: the spec prompts on the seed fleet', () => {
  const table = [DEMO, BOTH_PRIMARY].flatMap((p) =>
    PROMPTS.map(
      ([complexity, prompt, want]) =>
        [`${prompt.slice(0, 40)} (localhost ${p.localhost})`, complexity, prompt, want, p] as const,
    ),
  )

  it.each(table)('%s', (_name, complexity, prompt, want, priorities) => {
    const d = decide({
      messages: [{ role: 'user', content: prompt }],
      servers: seedServers(priorities),
      config: providerConfig(),
      mode: { kind: 'auto' },
      requestedModel: null,
    })
    expect(d.classification.complexity).toBe(complexity)
    expect(d.chosen ? `${d.chosen.model} @ ${d.chosen.serverName}` : null).toBe(want)
    expect(d.action).toBe('routed')
    expect(d.fallback).toBe(false)
    expect(renderDecisionLog(d)).toBe(`Distributed routing: ${want} (fallback: False)`)
    // The embedding model in the seed fleet is listed, never routed to.
    expect(d.candidates.find((c) => c.model.startsWith('nomic-embed-text'))?.excludedBy).toBe(
      'not-chat-model',
    )
  })

  // After a coding session the coder is warm and measured fast: the spec's answers must not change.
  it.each(PROMPTS)('%s, %s with qwen2.5-coder:14b warm → %s', (complexity, prompt, want) => {
    const servers = seedServers(DEMO).map((s) => ({
      ...s,
      models: s.models.map((m) =>
        m.name === 'qwen2.5-coder:14b'
          ? { ...m, loaded: true, fullyInGpu: true, tokensPerSecond: 80 }
          : m,
      ),
    }))
    const d = decide({
      messages: [{ role: 'user', content: prompt }],
      servers,
      config: providerConfig(),
      mode: { kind: 'auto' },
      requestedModel: null,
    })
    expect(d.classification.complexity).toBe(complexity)
    expect(d.chosen ? `${d.chosen.model} @ ${d.chosen.serverName}` : null).toBe(want)
  })

  it.each([
    'Write an auth system with JWT, refresh tokens and rate limiting',
    'Напиши систему авторизации с JWT, refresh tokens и rate limiting',
  ])('remote down: %s → a localhost model with the warning', (prompt) => {
    const d = decide({
      messages: [{ role: 'user', content: prompt }],
      servers: seedServers(DEMO, { remote: DOWN }),
      config: providerConfig(),
      mode: { kind: 'auto' },
      requestedModel: null,
    })
    expect(d.chosen?.serverName).toBe('localhost')
    expect(d.action).toBe('fallback')
    expect(d.fallback).toBe(true)
    expect(d.warning).toBe(`A simplified model is being used: ${d.chosen?.model} @ localhost`)
    expect(renderDecisionLog(d)).toMatch(/^Distributed routing: .+ @ localhost \(fallback: True\)$/)
  })
})

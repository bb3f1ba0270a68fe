// @vitest-environment jsdom
// Issue 15: when a loaded model beat a cold specialist, the words say what loading it would have cost
// (the scheduler model's estimate) and the chat offers "use <model> anyway".
import { cleanup, render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { specialistLoadEstimates } from '../../../../electron/core/routing/load-estimates'
import { decide } from '../../../../electron/core/routing/router'
import { SchedulerModel } from '../../../../electron/core/scheduler/scheduler-model'
import { DecisionDetails } from '../../../../renderer/components/decision-details'
import { coldSpecialistPassedOver, explainDecision } from '../../../../renderer/format'
import type { RoutingDecision, ServerView } from '../../../../shared/types'
import {
  localhostModels,
  model,
  providerConfig,
  seedFleet,
  server,
} from '../../../helpers/fleet-fixtures'

afterEach(cleanup)

const CODE_TASK =
  'Refactor this TypeScript class to use dependency injection and explain the trade-offs'

/** The coder cold (9 GB), gemma3:12b loaded and fast: the loaded model wins the coding task. */
function fleet(): ServerView[] {
  return [
    server(
      'remote',
      'PRIMARY',
      [
        model('gemma3:12b', 'balanced', [], { loaded: true, tokensPerSecond: 60 }),
        model('qwen2.5-coder:14b', 'balanced', ['code'], { sizeBytes: 9e9 }),
      ],
      { latencyMs: 45 },
    ),
    server('localhost', 'SECONDARY', localhostModels()),
  ]
}

function route(content: string, servers: ServerView[], estimates = true): RoutingDecision {
  const d = decide({
    messages: [{ role: 'user', content }],
    servers,
    config: providerConfig(),
    mode: { kind: 'auto' },
    requestedModel: null,
  })
  // As AppCore.route does: a load speed of 0.5 GB/s (the scheduler's default before a measured load).
  if (estimates) d.loadEstimates = specialistLoadEstimates(servers, new SchedulerModel())
  return d
}

describe('a cold specialist passed over', () => {
  it('the estimate covers cold specialists only', () => {
    expect(specialistLoadEstimates(fleet(), new SchedulerModel())).toEqual({
      'qwen2.5-coder:14b@remote': 18_000,
    })
  })

  it('says the expected load time in the headline', () => {
    const d = route(CODE_TASK, fleet())
    expect(d.chosen?.model).toBe('gemma3:12b')
    expect(explainDecision(d).headline).toBe(
      'Used gemma3:12b on remote for a coding task because the specialist qwen2.5-coder:14b was not loaded (~18 s to load).',
    )
    expect(coldSpecialistPassedOver(d)?.model).toBe('qwen2.5-coder:14b')
  })

  it('without an estimate (an older decision) it says so without a number', () => {
    expect(explainDecision(route(CODE_TASK, fleet(), false)).headline).toMatch(
      /qwen2\.5-coder:14b was not loaded and would have had to load first\.$/,
    )
  })

  it.each([
    ['the specialist won', 'Write an auth system with JWT, refresh tokens and rate limiting'],
    ['a small model was enough', 'Write a Python function that reverses a linked list'],
  ])('no offer when %s', (_why, prompt) => {
    expect(coldSpecialistPassedOver(route(prompt, seedFleet()))).toBeNull()
  })

  it('"Use … anyway" hands the specialist to the caller', async () => {
    const use = vi.fn()
    render(<DecisionDetails decision={route(CODE_TASK, fleet())} onUseModel={use} />)
    await userEvent.click(screen.getByRole('button', { name: 'Use qwen2.5-coder:14b anyway' }))
    expect(use).toHaveBeenCalledWith({ model: 'qwen2.5-coder:14b', serverId: 'remote' })
  })
})

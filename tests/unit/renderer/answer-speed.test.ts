// Tokens/s and time to first token under each answer, from the backend's counts (issue 15).
import { describe, expect, it } from 'vitest'
import type { Attempt } from '../../../shared/types'
import { answerSpeed, speedLabel } from '../../../renderer/views/chat/answer-speed'
import { metadata } from './fake-core'

const attempt = (a: Partial<Attempt>): Attempt => ({
  model: 'gemma3:1b',
  serverName: 'localhost',
  serverUrl: 'http://127.0.0.1:11434',
  outcome: 'ok',
  reason: null,
  error: null,
  chars: 100,
  ms: 900,
  ...a,
})

const usage = {
  source: 'backend' as const,
  prompt_eval_count: 12,
  eval_count: 120,
  total_duration: 3_500_000_000,
  load_duration: 200_000_000,
  prompt_eval_duration: 150_000_000,
  eval_duration: 3_000_000_000,
}

describe('answerSpeed', () => {
  it('takes the finishing attempt’s backend counts: tokens ÷ generation time, load + prompt before the first token', () => {
    const speed = answerSpeed(
      metadata({
        attempts: [
          attempt({ outcome: 'failed-before-first-token', usage: null }),
          attempt({ usage }),
        ],
      }),
    )
    expect(speed).toEqual({ tokens: 120, tokensPerSecond: 40, firstTokenMs: 350 })
    expect(speedLabel(speed!)).toBe('40.0 tokens/s · first token 350 ms · 120 tokens')
  })

  it.each([
    ['no metadata', null],
    ['saved before counts were kept', metadata({ attempts: [attempt({})] })],
    [
      'counts tallied from chunks only',
      metadata({ attempts: [attempt({ usage: { ...usage, source: 'streamed' } })] }),
    ],
    [
      'no generation time',
      metadata({ attempts: [attempt({ usage: { ...usage, eval_duration: 0 } })] }),
    ],
    ['no attempt finished', metadata({ attempts: [attempt({ outcome: 'interrupted', usage })] })],
  ])('shows nothing when %s', (_what, md) => {
    expect(answerSpeed(md)).toBeNull()
  })

  it('rounds fast speeds and long waits for reading', () => {
    expect(speedLabel({ tokens: 900, tokensPerSecond: 123.46, firstTokenMs: 18_240 })).toBe(
      '123 tokens/s · first token 18.2 s · 900 tokens',
    )
  })
})

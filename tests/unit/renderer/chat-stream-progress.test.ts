import { describe, expect, it } from 'vitest'
import type { ChatChunk, WaitProgress } from '../../../shared/types'
import { applyChunkToStream, newStream } from '../../../renderer/store/chat-stream'
import { storedThinkingLabel, thinkingLabel } from '../../../renderer/views/chat/message-list'

const ids = { requestId: 'r1', conversationId: 'c1' }
const loading: WaitProgress = {
  phase: 'loading',
  model: 'llama3.3:70b',
  serverName: 'remote',
  etaMs: 25_000,
  ahead: 0,
  text: 'Loading llama3.3:70b on remote — about 25 s',
}

function apply(chunks: [ChatChunk, number][]) {
  return chunks.reduce((s, [c, at]) => applyChunkToStream(s, c, at), newStream('r1', 'c1'))
}

describe('a stream waiting, thinking, answering', () => {
  it('keeps the latest explanation of the wait until the first token', () => {
    const waiting = apply([[{ kind: 'progress', ...ids, progress: loading }, 0]])
    expect(waiting.progress?.text).toBe('Loading llama3.3:70b on remote — about 25 s')
    expect(waiting.status).toBe('waiting')
    const answering = applyChunkToStream(waiting, { kind: 'token', ...ids, text: 'Hi' }, 10)
    expect(answering.progress).toBeNull()
  })

  it('collects thinking beside the text and times it from its first chunk to the first token', () => {
    const s = apply([
      [{ kind: 'thinking', ...ids, text: 'Let me ' }, 1000],
      [{ kind: 'thinking', ...ids, text: 'see.' }, 5000],
      [{ kind: 'token', ...ids, text: 'Answer' }, 13_400],
      [{ kind: 'token', ...ids, text: '!' }, 14_000],
    ])
    expect(s.thinking).toBe('Let me see.')
    expect(s.parts).toEqual([{ kind: 'text', text: 'Answer!' }])
    expect([s.thinkingStartedAt, s.thinkingEndedAt]).toEqual([1000, 13_400])
    expect(thinkingLabel(s)).toBe('Thought for 12 s')
  })

  it('says "Thinking…" while no answer text has come', () => {
    const s = apply([[{ kind: 'thinking', ...ids, text: 'hmm' }, 1000]])
    expect(thinkingLabel(s)).toBe('Thinking…')
  })

  it('ignores progress and thinking that arrive after the answer finished', () => {
    const done = apply([[{ kind: 'error', ...ids, error: { name: 'E', message: 'x' } }, 0]])
    expect(applyChunkToStream(done, { kind: 'progress', ...ids, progress: loading }, 1)).toBe(done)
    expect(applyChunkToStream(done, { kind: 'thinking', ...ids, text: 'late' }, 1)).toBe(done)
  })
})

describe('saved reasoning', () => {
  it('is labelled with its duration in whole seconds (at least 1), or plainly when unmeasured', () => {
    expect(storedThinkingLabel(12_400)).toBe('Thought for 12 s')
    expect(storedThinkingLabel(200)).toBe('Thought for 1 s')
    expect(storedThinkingLabel(null)).toBe('Thought')
  })
})

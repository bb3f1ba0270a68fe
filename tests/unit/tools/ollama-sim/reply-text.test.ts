import { describe, expect, it } from 'vitest'
import { embeddingFor, replyPieces } from '../../../../tools/ollama-sim/reply-text'

describe('reply text', () => {
  it('starts with [model@server], echoes the prompt, has the asked word count', () => {
    const pieces = replyPieces('gemma3:1b', 'laptop', 'Explain the Singleton pattern please', 20)
    const text = pieces.join('')
    expect(text.startsWith('[gemma3:1b@laptop] Explain the Singleton pattern ')).toBe(true)
    expect(text.split(' ').length - 1).toBe(20)
    expect(pieces.length).toBeGreaterThan(10)
    expect(replyPieces('gemma3:1b', 'laptop', 'Explain the Singleton pattern please', 20)).toEqual(
      pieces,
    )
  })

  it('gives unit embedding vectors that differ by text', () => {
    const a = embeddingFor('m', 'a', 384)
    expect(a).toHaveLength(384)
    expect(Math.hypot(...a)).toBeCloseTo(1, 5)
    expect(embeddingFor('m', 'b', 384)).not.toEqual(a)
  })
})

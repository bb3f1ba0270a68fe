import { describe, expect, it } from 'vitest'
import type { Specialisation, Tier, TierRule } from '../../../../shared/types'
import { tierBySize, tierOf } from '../../../../electron/core/models/tier'

type Row = [name: string, sizeB: number | null, caps: string[], tier: Tier, specs: Specialisation[]]

describe('tierOf — the seed fleet', () => {
  it.each<Row>([
    ['gemma3:1b', 1, ['completion'], 'fast', []],
    ['qwen2.5:1.5b', 1.5, ['completion', 'tools'], 'fast', []],
    ['phi3:3b', 3.8, ['completion'], 'fast', []],
    ['gemma3:12b', 12.2, ['completion', 'vision'], 'balanced', ['vision']],
    ['qwen2.5-coder:14b', 14.8, ['completion', 'tools', 'insert'], 'balanced', ['code']],
    ['qwen3:14b', 14.8, ['completion', 'tools', 'thinking'], 'balanced', ['reasoning']],
    ['llama3.3:70b', 70.6, ['completion', 'tools'], 'powerful', []],
    ['nomic-embed-text:latest', 0.137, ['embedding'], 'fast', ['embedding']],
  ])('%s (%dB, %j) → %s %j', (name, size, caps, tier, specs) => {
    expect(tierOf(name, size, caps, [])).toEqual({ tier, specialisations: specs })
  })
})

describe('tierOf — names alone (no /api/show, no details)', () => {
  it.each<Row>([
    ['gemma3:1b', null, [], 'fast', []],
    ['llama3.3:70b', null, [], 'powerful', []],
    ['qwen2.5-coder:14b', null, [], 'balanced', ['code']],
    ['deepseek-coder:6.7b', null, [], 'balanced', ['code']],
    ['codellama:34b', null, [], 'powerful', ['code']],
    ['starcoder2:3b', null, [], 'fast', ['code']],
    ['codestral:22b', null, [], 'balanced', ['code']],
    ['devstral:24b', null, [], 'balanced', ['code']],
    ['codegemma:7b', null, [], 'balanced', ['code']],
    ['qwen3-coder:30b', null, [], 'balanced', ['code']],
    ['qwq:32b', null, [], 'powerful', ['reasoning']],
    ['deepseek-r1:1.5b', null, [], 'fast', ['reasoning']],
    ['qwen3:4b', null, [], 'fast', ['reasoning']],
    ['phi4-reasoning:14b', null, [], 'balanced', ['reasoning']],
    ['llava:7b', null, [], 'balanced', ['vision']],
    ['qwen2.5vl:7b', null, [], 'balanced', ['vision']],
    ['qwen3-vl:8b', null, [], 'balanced', ['vision']],
    ['llama3.2-vision:11b', null, [], 'balanced', ['vision']],
    ['nomic-embed-text', null, [], 'balanced', ['embedding']],
    ['mxbai-embed-large:335m', null, [], 'fast', ['embedding']],
    ['all-minilm:latest', null, [], 'balanced', ['embedding']],
    ['bge-m3:567m', null, [], 'fast', ['embedding']],
    ['llama3.2:latest', null, [], 'balanced', []],
  ])('%s → %s %j', (name, size, caps, tier, specs) => {
    expect(tierOf(name, size, caps, [])).toEqual({ tier, specialisations: specs })
  })
})

describe('tierOf — sizes and capabilities', () => {
  it.each<[number, Tier]>([
    [0.5, 'fast'],
    [4.99, 'fast'],
    [5, 'balanced'],
    [30, 'balanced'],
    [30.1, 'powerful'],
  ])('%dB → %s', (size, tier) => {
    expect(tierBySize(size)).toBe(tier)
  })

  it('the reported parameter count beats the size in the tag', () => {
    expect(tierOf('custom:70b', 3, [], []).tier).toBe('fast')
  })

  it.each<[string[], Specialisation[]]>([
    [['completion', 'thinking'], ['reasoning']],
    [['completion', 'vision'], ['vision']],
    [['embedding'], ['embedding']],
    [
      ['completion', 'vision', 'thinking'],
      ['reasoning', 'vision'],
    ],
  ])('capabilities %j add %j to a plain name', (caps, specs) => {
    expect(tierOf('mystery:7b', null, caps, []).specialisations).toEqual(specs)
  })
})

describe('tierOf — config tier_rules come first', () => {
  const rules: TierRule[] = [
    { match: '^llama3\\.3', tier: 'balanced' },
    { match: 'gemma3:1b', specialisations: ['code'] },
    { match: '^qwen3:', specialisations: [] },
    { match: '([', tier: 'powerful' },
  ]

  it.each<[string, number, Tier, Specialisation[]]>([
    ['llama3.3:70b', 70.6, 'balanced', []],
    ['gemma3:1b', 1, 'fast', ['code']],
    ['qwen3:14b', 14.8, 'balanced', []],
    ['qwen2.5-coder:14b', 14.8, 'balanced', ['code']],
  ])('%s → %s %j', (name, size, tier, specs) => {
    expect(tierOf(name, size, [], rules)).toEqual({ tier, specialisations: specs })
  })

  it('a rule cannot hide what Ollama reports (thinking still means reasoning)', () => {
    expect(tierOf('qwen3:14b', 14.8, ['thinking'], rules).specialisations).toEqual(['reasoning'])
  })

  it('is case-insensitive', () => {
    expect(tierOf('Big-Model:1b', 1, [], [{ match: 'big-model', tier: 'powerful' }]).tier).toBe(
      'powerful',
    )
  })
})

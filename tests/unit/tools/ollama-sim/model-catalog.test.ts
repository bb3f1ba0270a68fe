import { describe, expect, it } from 'vitest'
import { defaultTokensPerSecond, resolveModel } from '../../../../tools/ollama-sim'
import { normalizeModelName, parseParameterCount } from '../../../../tools/ollama-sim/model-catalog'

describe('resolveModel derives realistic facts from the tag', () => {
  it.each([
    ['gemma3:1b', 'gemma3', '1B', ['completion']],
    ['gemma3:12b', 'gemma3', '12.2B', ['completion', 'vision']],
    ['llama3.3:70b', 'llama', '70.6B', ['completion', 'tools']],
    ['qwen2.5:1.5b', 'qwen2', '1.5B', ['completion', 'tools']],
    ['qwen2.5-coder:14b', 'qwen2', '14.8B', ['completion', 'tools', 'insert']],
    ['qwen3:14b', 'qwen3', '14.8B', ['completion', 'tools', 'thinking']],
    ['phi3:3b', 'phi3', '3.8B', ['completion']],
    ['deepseek-r1:14b', 'qwen2', '14B', ['completion', 'thinking']],
    ['nomic-embed-text', 'nomic-bert', '137M', ['embedding']],
    ['all-minilm', 'bert', '23M', ['embedding']],
    ['granite3.1-dense:8b', 'granite', '8B', ['completion']],
  ])('%s → family %s, %s, %j', (name, family, size, caps) => {
    const m = resolveModel(name)
    expect(m.family).toBe(family)
    expect(m.parameterSize).toBe(size)
    expect(m.capabilities).toEqual(caps)
  })

  it('sizes unknown models at ~0.6 GB per billion parameters (Q4)', () => {
    const m = resolveModel('mystery:20b')
    expect(m.sizeBytes).toBe(12e9)
    expect(m.quantization).toBe('Q4_K_M')
    expect(m.sizeVram).toBe(m.sizeBytes)
  })

  it('derives the digest and date from the name, the same every time', () => {
    const a = resolveModel('gemma3:1b')
    expect(a.digest).toMatch(/^[0-9a-f]{64}$/)
    expect(resolveModel('gemma3:1b').digest).toBe(a.digest)
    expect(resolveModel('gemma3:4b').digest).not.toBe(a.digest)
    expect(resolveModel('gemma3:1b').modifiedAt).toBe(a.modifiedAt)
  })

  it('lets every given field win over the derived one', () => {
    const m = resolveModel({
      name: 'gemma3:1b',
      family: 'x',
      parameterSize: '2B',
      quantization: 'Q8_0',
      sizeBytes: 5,
      sizeVram: 1,
      capabilities: ['completion', 'tools'],
      tokensPerSecond: 3,
      loadMs: 7,
    })
    expect(m).toMatchObject({
      family: 'x',
      parameterSize: '2B',
      quantization: 'Q8_0',
      sizeBytes: 5,
    })
    expect(m).toMatchObject({
      sizeVram: 1,
      capabilities: ['completion', 'tools'],
      tokensPerSecond: 3,
      loadMs: 7,
    })
  })

  it('refuses an empty name', () => {
    expect(() => resolveModel('  ')).toThrow('model name must not be empty')
  })

  it.each([
    [1, 120],
    [70, 8],
  ])('speed by size: %sB → ~%i tokens/s', (b, tps) => {
    expect(defaultTokensPerSecond(b)).toBe(tps)
  })

  it('is slower for every bigger model', () => {
    const sizes = [0.5, 1, 1.5, 3.8, 8, 14.8, 32, 70.6]
    const speeds = sizes.map(defaultTokensPerSecond)
    expect([...speeds].sort((a, b) => b - a)).toEqual(speeds)
  })

  it.each([
    ['14b', 14],
    ['1.5B', 1.5],
    ['137M', 0.137],
    ['latest', null],
  ])('parseParameterCount(%s) = %s', (text, n) => {
    expect(parseParameterCount(text)).toBe(n)
  })

  it.each([
    ['gemma3', 'gemma3:latest'],
    ['gemma3:1b', 'gemma3:1b'],
    [' qwen3:14b ', 'qwen3:14b'],
  ])('normalizeModelName(%j) = %s', (name, normal) => {
    expect(normalizeModelName(name)).toBe(normal)
  })
})

import { describe, expect, it } from 'vitest'
import {
  formatParameterSize,
  parameterSizeFromTag,
  parseParameterSize,
} from '../../../../electron/core/models/parameter-size'

describe('parseParameterSize', () => {
  it.each([
    ['3.2B', 3.2],
    ['494.03M', 0.49403],
    ['70.6B', 70.6],
    ['1B', 1],
    ['137M', 0.137],
    ['8x7B', 56],
    ['7b', 7],
    [' 14.8B ', 14.8],
    ['1.5T', 1500],
  ])('%j → %d billion', (text, expected) => {
    expect(parseParameterSize(text)).toBe(expected)
  })

  it.each([[''], ['unknown'], ['B'], ['3.2'], ['0B'], ['-1B'], [null], [undefined]])(
    '%j → null',
    (text) => {
      expect(parseParameterSize(text)).toBeNull()
    },
  )
})

describe('parameterSizeFromTag', () => {
  it.each([
    ['gemma3:1b', 1],
    ['qwen2.5:1.5b', 1.5],
    ['llama3.3:70b', 70],
    ['qwen2.5-coder:14b', 14],
    ['qwen3:30b-a3b', 30],
    ['deepseek-r1:1.5b-qwen-distill-q4_K_M', 1.5],
    ['phi3:3.8b-mini-4k-instruct-q4_K_M', 3.8],
    ['mixtral:8x7b', 56],
    ['gemma3n:e2b', 2],
    ['smollm2:135m', 0.135],
    ['qwen2.5-coder-1.5b', 1.5],
    ['mistral-7b-instruct:latest', 7],
    ['hf.co/bartowski/Llama-3.2-3B-Instruct-GGUF:Q4_K_M', 3],
  ])('%s → %d billion', (tag, expected) => {
    expect(parameterSizeFromTag(tag)).toBe(expected)
  })

  it.each([['llama3.2:latest'], ['phi3'], ['nomic-embed-text:v1.5'], ['bge-m3:latest'], ['qwen3']])(
    '%s names no size',
    (tag) => {
      expect(parameterSizeFromTag(tag)).toBeNull()
    },
  )
})

describe('formatParameterSize', () => {
  it.each([
    [1.5, '1.5B'],
    [70, '70B'],
    [0.135, '135M'],
  ])('%d → %s', (billions, text) => {
    expect(formatParameterSize(billions)).toBe(text)
  })
})

import { describe, expect, it } from 'vitest'
import { needsReload, readFormat, readOptions } from '../../../../tools/ollama-sim/request-options'
import { chooseToolCall, structuredText, textPieces } from '../../../../tools/ollama-sim/structured'

const tool = (name: string, parameters: Record<string, unknown> = {}) => ({
  type: 'function',
  function: { name, parameters },
})
const ask = (text: string) => ({ role: 'user', text })

describe('chooseToolCall', () => {
  it('calls the tool the user names, by its whole name or a long word of it', () => {
    const tools = [tool('f'), tool('fetchUrl'), tool('get_weather')]
    expect(chooseToolCall(tools, ask('please fetch it'))?.function.name).toBe('fetchUrl')
    expect(chooseToolCall(tools, ask('WEATHER now?'))?.function.name).toBe('get_weather')
    expect(chooseToolCall(tools, ask('use get_weather'))?.function.name).toBe('get_weather')
    // One-letter and short words are not a request for a tool.
    expect(chooseToolCall(tools, ask('f get url'))).toBeNull()
  })

  it('skips entries that are not functions and answers text to anything but a user turn', () => {
    const tools = [{ type: 'function' }, 'junk', tool(''), tool('lookup_city')]
    expect(chooseToolCall(tools, ask('lookup Oslo'))?.function.name).toBe('lookup_city')
    expect(chooseToolCall(tools, { role: 'assistant', text: 'lookup Oslo' })).toBeNull()
    expect(chooseToolCall(tools, undefined)).toBeNull()
    expect(chooseToolCall('not a list', ask('lookup Oslo'))).toBeNull()
  })

  it('fills arguments from the schema, strings with the last word, with a stable id', () => {
    const t = tool('get_weather', {
      type: 'object',
      properties: {
        city: { type: 'string' },
        days: { type: 'integer' },
        metric: { type: 'boolean' },
      },
      required: ['city', 'note'],
    })
    const call = chooseToolCall([t], ask('What is the weather in Oslo?'))
    expect(call?.function).toEqual({
      index: 0,
      name: 'get_weather',
      arguments: { city: 'Oslo', days: 1, metric: true, note: 'Oslo' },
    })
    expect(chooseToolCall([t], ask('What is the weather in Oslo?'))?.id).toBe(call?.id)
    expect(chooseToolCall([t], ask('weather in Rome'))?.id).not.toBe(call?.id)
  })
})

describe('structured answers', () => {
  it('json wraps the reply; a schema follows types, enums, consts, arrays and nullable types', () => {
    expect(JSON.parse(structuredText({ kind: 'json' }, 'hi'))).toEqual({ answer: 'hi' })
    expect(structuredText({ kind: 'text' }, 'hi')).toBe('hi')
    const schema = {
      properties: {
        a: { type: ['null', 'number'] },
        b: { const: 7 },
        c: { type: 'array', items: { type: 'boolean' }, minItems: 2 },
        d: { type: 'null' },
        e: {},
      },
    }
    expect(JSON.parse(structuredText({ kind: 'schema', schema }, 'hi'))).toEqual({
      a: 1,
      b: 7,
      c: [true, true],
      d: null,
      e: 'hi',
    })
  })

  it('splits text into pieces that join back', () => {
    const pieces = textPieces('{"answer":"hello world"}')
    expect(pieces.length).toBeGreaterThan(3)
    expect(pieces.join('')).toBe('{"answer":"hello world"}')
  })
})

describe('request options', () => {
  const defaults = { numCtx: 4096, trainedContext: 32_768 }

  it('reads integers like Go (fractions cut), caps num_ctx, ignores num_predict <= 0', () => {
    const read = readOptions({ num_ctx: 8192.9, num_predict: 0, num_thread: 4 }, defaults)
    expect(read.ok && read.value).toEqual({
      runner: { numCtx: 8192, numBatch: 512, numGpu: -1, mainGpu: 0, useMmap: null, numThread: 4 },
      numPredict: null,
    })
    const capped = readOptions({ num_ctx: 100_000, num_predict: 12 }, defaults)
    expect(capped.ok && capped.value.runner.numCtx).toBe(32_768)
    expect(capped.ok && capped.value.numPredict).toBe(12)
    const zero = readOptions({ num_ctx: 0 }, defaults)
    expect(zero.ok && zero.value.runner.numCtx).toBe(4096)
  })

  it('a negative num_gpu fits any runner; any other runner option change reloads', () => {
    const base = readOptions({ num_gpu: 20 }, defaults)
    const auto = readOptions({ num_gpu: -1 }, defaults)
    if (!base.ok || !auto.ok) throw new Error('unexpected')
    expect(needsReload(base.value.runner, auto.value.runner)).toBe(false)
    expect(needsReload(auto.value.runner, base.value.runner)).toBe(true)
  })

  it('reads format: json, a schema, nothing; anything else is refused', () => {
    expect(readFormat('json')).toEqual({ ok: true, value: { kind: 'json' } })
    expect(readFormat({ type: 'object' })).toEqual({
      ok: true,
      value: { kind: 'schema', schema: { type: 'object' } },
    })
    for (const none of [undefined, null, '']) {
      expect(readFormat(none)).toEqual({ ok: true, value: { kind: 'text' } })
    }
    expect(readFormat(['json'])).toEqual({
      ok: false,
      error: 'invalid format: "[\\"json\\"]"; expected "json" or a valid JSON Schema object',
    })
  })
})

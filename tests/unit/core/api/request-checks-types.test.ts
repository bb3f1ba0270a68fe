/**
 * The edge's type checks of Ollama options and `format`: each option type refuses what Ollama's
 * `Options.FromMap` would answer with a 500, and the message names the option and what it must be.
 */
import { describe, expect, it } from 'vitest'
import {
  checkBase64Image,
  checkFormat,
  checkImages,
  checkOpenAiSampling,
  checkOllamaOptions,
  checkThink,
  isBase64,
} from '../../../../electron/core/api/request-checks'
import { ApiError } from '../../../../electron/core/api/http-util'

/** The 400's message, or null when the options pass. */
function refusal(check: () => void): string | null {
  try {
    check()
    return null
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError)
    expect((err as ApiError).status).toBe(400)
    return (err as Error).message
  }
}

const options = (o: Record<string, unknown>, where?: string) =>
  refusal(() => checkOllamaOptions(o, where))

describe('checkOllamaOptions', () => {
  it('integer options take any finite JSON number (Ollama truncates) and refuse the rest', () => {
    expect(options({ num_ctx: 8192 })).toBeNull()
    expect(options({ num_ctx: 8192.7 })).toBeNull()
    expect(options({ num_ctx: 'big' })).toBe('options.num_ctx must be an integer, got "big"')
    expect(options({ seed: true })).toBe('options.seed must be an integer, got true')
    expect(options({ top_k: Number.NaN })).toBe('options.top_k must be an integer, got null')
    expect(options({ num_predict: Number.POSITIVE_INFINITY })).not.toBeNull()
  })

  it('number options take finite numbers and refuse strings, booleans and non-finite values', () => {
    expect(options({ temperature: 0.2 })).toBeNull()
    expect(options({ temperature: 'hot' })).toBe('options.temperature must be a number, got "hot"')
    expect(options({ top_p: false })).toBe('options.top_p must be a number, got false')
    expect(options({ min_p: Number.NaN })).not.toBeNull()
    expect(options({ repeat_penalty: Number.NEGATIVE_INFINITY })).not.toBeNull()
  })

  it('boolean options take only true or false', () => {
    expect(options({ use_mmap: false })).toBeNull()
    expect(options({ numa: true })).toBeNull()
    expect(options({ use_mmap: 1 })).toBe('options.use_mmap must be true or false, got 1')
    expect(options({ low_vram: 'true' })).toBe('options.low_vram must be true or false, got "true"')
  })

  it('stop takes an array of strings only', () => {
    expect(options({ stop: ['\n', 'User:'] })).toBeNull()
    expect(options({ stop: [] })).toBeNull()
    expect(options({ stop: 'User:' })).toBe('options.stop must be an array of strings, got "User:"')
    expect(options({ stop: ['a', 1] })).toBe(
      'options.stop must be an array of strings, got ["a",1]',
    )
  })

  it('null means "not set", unknown names pass, and the first wrong option is named where it is', () => {
    expect(options({ num_ctx: null, temperature: null, stop: null })).toBeNull()
    expect(options({ some_future_option: 'anything' })).toBeNull()
    expect(options({ num_ctx: 4096, temperature: 'hot', seed: 'x' }, 'body.options')).toBe(
      'body.options.temperature must be a number, got "hot"',
    )
  })
})

describe('checkFormat', () => {
  const format = (f: unknown, where?: string) => refusal(() => checkFormat(f, where))

  it('takes none, "", "json" and a schema object', () => {
    for (const ok of [undefined, null, '', 'json', {}, { type: 'object', properties: {} }]) {
      expect(format(ok)).toBeNull()
    }
  })

  it('refuses other strings, arrays and scalars, naming the field', () => {
    expect(format('yaml')).toBe('"format" must be "json" or a JSON schema object, got "yaml"')
    expect(format([])).toBe('"format" must be "json" or a JSON schema object, got []')
    expect(format(42)).toBe('"format" must be "json" or a JSON schema object, got 42')
    expect(format(true, 'response_format')).toBe(
      '"response_format" must be "json" or a JSON schema object, got true',
    )
  })
})

describe('isBase64 (Go’s padded standard encoding, line breaks skipped)', () => {
  it('takes padded base64 of any length, with or without line breaks', () => {
    for (const ok of ['QQ==', 'QUI=', 'QUJD', 'QUJD\nREVG', 'QUJD\r\nREVGRw==', 'a+/9']) {
      expect(isBase64(ok)).toBe(true)
    }
    expect(isBase64(Buffer.from('x'.repeat(10_000)).toString('base64'))).toBe(true)
  })

  it('refuses empty, unpadded, wrongly padded and foreign characters anywhere', () => {
    for (const bad of [
      '',
      'QQ',
      'QUJ',
      '=QUJ',
      'Q=UJ',
      'QU=J',
      'Q===',
      'QUJ-',
      '-QUJ',
      'QU J',
      'QU_J',
      'QUJDé===',
    ]) {
      expect(isBase64(bad)).toBe(false)
    }
  })
})

describe('checkImages and checkBase64Image', () => {
  it('name the bad image and say so when a data: URL prefix was left on', () => {
    expect(refusal(() => checkImages(['QUJD', 'not base64!'], 'messages[1].images'))).toBe(
      'messages[1].images[1] must be base64-encoded image data, got "not base64!"',
    )
    expect(refusal(() => checkBase64Image('data:image/png;base64,QUJD', 'images[0]'))).toBe(
      'images[0] must be base64-encoded image data (without the data: URL prefix), got "data:image/png;base64,QUJD"',
    )
    expect(refusal(() => checkImages('QUJD', 'images'))).toBe(
      'images must be an array of base64-encoded images, got "QUJD"',
    )
    expect(checkImages(['QUJD'], 'images')).toEqual(['QUJD'])
  })

  it('shows at most 40 characters of a bad value', () => {
    const long = '!'.repeat(100)
    expect(refusal(() => checkBase64Image(long, 'img'))).toBe(
      `img must be base64-encoded image data, got "${'!'.repeat(36)}...`,
    )
    const exactly40 = `"${'!'.repeat(38)}"`
    expect(refusal(() => checkBase64Image('!'.repeat(38), 'img'))).toBe(
      `img must be base64-encoded image data, got ${exactly40}`,
    )
    expect(refusal(() => checkBase64Image(undefined, 'img'))).toBe(
      'img must be base64-encoded image data, got undefined',
    )
  })
})

describe('checkThink', () => {
  it('takes nothing, booleans and the three effort levels; names anything else', () => {
    for (const ok of [undefined, null, true, false, 'low', 'medium', 'high']) {
      expect(refusal(() => checkThink(ok))).toBeNull()
    }
    for (const bad of ['yes', 'LOW', 1, '', {}]) {
      expect(refusal(() => checkThink(bad))).toBe(
        `"think" must be true, false, "low", "medium" or "high", got ${JSON.stringify(bad)}`,
      )
    }
  })
})

describe('checkOpenAiSampling', () => {
  const sampling = (body: Record<string, unknown>) => refusal(() => checkOpenAiSampling(body))

  it('takes finite numbers, whole seeds and token limits from 1 up; null and absent mean "not set"', () => {
    expect(sampling({})).toBeNull()
    expect(sampling({ temperature: 0, top_p: 1, frequency_penalty: -0.5, seed: 7 })).toBeNull()
    expect(sampling({ max_tokens: 1, max_completion_tokens: 1 })).toBeNull()
    expect(sampling({ temperature: null, max_tokens: null, seed: null })).toBeNull()
  })

  it('refuses a mistyped sampling field, naming it', () => {
    expect(sampling({ temperature: 'hot' })).toBe('"temperature" must be a number, got "hot"')
    expect(sampling({ top_p: '0.5' })).toBe('"top_p" must be a number, got "0.5"')
    expect(sampling({ presence_penalty: true })).toBe(
      '"presence_penalty" must be a number, got true',
    )
    expect(sampling({ seed: 1.5 })).toBe('"seed" must be a whole number, got 1.5')
  })

  it('refuses a token limit under 1 (Ollama would read -1 as "no limit") or not whole', () => {
    expect(sampling({ max_tokens: 0 })).toBe(
      '"max_tokens" must be a whole number of at least 1, got 0',
    )
    expect(sampling({ max_tokens: -1 })).toBe(
      '"max_tokens" must be a whole number of at least 1, got -1',
    )
    expect(sampling({ max_completion_tokens: 2.5 })).toBe(
      '"max_completion_tokens" must be a whole number of at least 1, got 2.5',
    )
  })
})

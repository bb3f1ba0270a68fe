/**
 * Issue 13 point 6: the faces' parsing refuses what a client got wrong with a 400 naming it, before
 * any server sees it — `images` that are not base64 (naming the message), a mistyped `think` or
 * embedding option, and on the OpenAI face mistyped sampling fields and a `max_tokens` that is not a
 * whole number of at least 1 (Ollama would read -1 as "no limit"). Real HTTP against `serve`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServeFixture, type ServeFixture } from '../../helpers/serve-fixture'

let fx: ServeFixture
beforeAll(async () => {
  fx = await startServeFixture()
})
afterAll(async () => {
  await fx?.close()
})

/** A 1×1 PNG. */
const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='

const upstream = () =>
  [...fx.remote.requests, ...fx.local.requests].filter((r) =>
    ['/api/chat', '/api/generate', '/api/embed'].includes(r.path),
  ).length

async function post(path: string, body: unknown): Promise<{ status: number; error: string }> {
  const res = await fetch(`${fx.serve.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  })
  const json = (await res.json()) as { error?: string | { message: string } }
  const error = typeof json.error === 'string' ? json.error : (json.error?.message ?? '')
  return { status: res.status, error }
}

const hi = { role: 'user', content: 'Describe this picture' }

describe('Ollama face', () => {
  it.each([
    [
      'a string that is not base64',
      [hi, { ...hi, images: ['not base64!'] }],
      'messages[1].images[0] must be base64-encoded image data, got "not base64!"',
    ],
    [
      'base64 cut short (no padding)',
      [{ ...hi, images: [PNG.slice(0, -1)] }],
      /^messages\[0\]\.images\[0\] must be base64-encoded image data, got "iVBOR/,
    ],
    [
      'a data: URL where Ollama wants the bare base64',
      [{ ...hi, images: [`data:image/png;base64,${PNG}`] }],
      /^messages\[0\]\.images\[0\] must be base64-encoded image data \(without the data: URL prefix\)/,
    ],
    [
      'a number',
      [{ ...hi, images: [42] }],
      'messages[0].images[0] must be base64-encoded image data, got 42',
    ],
    [
      'not an array',
      [hi, hi, { ...hi, images: PNG.slice(0, 8) }],
      'messages[2].images must be an array of base64-encoded images, got "iVBORw0K"',
    ],
  ])('/api/chat images: %s → 400 naming the message', async (_name, messages, error) => {
    const before = upstream()
    const res = await post('/api/chat', { model: 'auto', stream: false, messages })
    expect(res.status).toBe(400)
    if (typeof error === 'string') expect(res.error).toBe(error)
    else expect(res.error).toMatch(error)
    expect(upstream()).toBe(before)
  })

  it('/api/generate images of garbage → 400', async () => {
    const res = await post('/api/generate', {
      model: 'auto',
      prompt: 'Describe',
      stream: false,
      images: ['%%%'],
    })
    expect(res).toEqual({
      status: 400,
      error: 'images[0] must be base64-encoded image data, got "%%%"',
    })
  })

  it('real base64 images pass the check (line breaks as Go allows them too)', async () => {
    const wrapped = `${PNG.slice(0, 40)}\n${PNG.slice(40)}`
    const res = await post('/api/chat', {
      model: 'gemma3:12b',
      stream: false,
      messages: [{ ...hi, images: [PNG, wrapped] }],
    })
    expect(res.status).toBe(200)
  })

  it('"think" of another type → 400 naming it', async () => {
    const res = await post('/api/chat', {
      model: 'auto',
      stream: false,
      messages: [hi],
      think: 'yes',
    })
    expect(res).toEqual({
      status: 400,
      error: '"think" must be true, false, "low", "medium" or "high", got "yes"',
    })
  })

  it('/api/embed options are checked like chat options', async () => {
    const before = upstream()
    const res = await post('/api/embed', {
      model: 'nomic-embed-text',
      input: 'hello',
      options: { temperature: 'hot' },
    })
    expect(res).toEqual({ status: 400, error: 'options.temperature must be a number, got "hot"' })
    expect(upstream()).toBe(before)
  })
})

describe('OpenAI face', () => {
  const chat = (extra: Record<string, unknown>, messages: unknown[] = [hi]) =>
    post('/v1/chat/completions', { model: 'auto', messages, ...extra })

  it.each([
    [{ max_tokens: -1 }, '"max_tokens" must be a whole number of at least 1, got -1'],
    [{ max_tokens: 0 }, '"max_tokens" must be a whole number of at least 1, got 0'],
    [{ max_tokens: 12.5 }, '"max_tokens" must be a whole number of at least 1, got 12.5'],
    [
      { max_completion_tokens: -1 },
      '"max_completion_tokens" must be a whole number of at least 1, got -1',
    ],
    [{ max_tokens: 'lots' }, '"max_tokens" must be a number, got "lots"'],
    [{ temperature: 'hot' }, '"temperature" must be a number, got "hot"'],
    [{ top_p: true }, '"top_p" must be a number, got true'],
    [{ presence_penalty: [1] }, '"presence_penalty" must be a number, got [1]'],
    [{ seed: 1.5 }, '"seed" must be a whole number, got 1.5'],
  ])('%j → 400 naming the field, nothing sent upstream', async (extra, error) => {
    const before = upstream()
    expect(await chat(extra)).toEqual({ status: 400, error })
    expect(upstream()).toBe(before)
  })

  it('a data: image URL whose data is not base64 → 400 naming the part', async () => {
    const res = await chat({}, [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,@@not-base64@@' } },
        ],
      },
    ])
    expect(res).toEqual({
      status: 400,
      error:
        'messages[0].content[1].image_url must be base64-encoded image data, got "@@not-base64@@"',
    })
  })

  it('well-typed sampling fields and a real image pass', async () => {
    const res = await chat({ max_tokens: 16, temperature: 0.2, seed: 7, top_p: null }, [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
        ],
      },
    ])
    expect(res.status).toBe(200)
  })
})

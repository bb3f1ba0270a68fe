/**
 * What a failed attempt says about the server: each kind of failure becomes the reason code the executor
 * and the registry act on (move to another model, skip the box, open its breaker, blame no server).
 */
import { describe, expect, it } from 'vitest'
import {
  HARD_FAILURES,
  SERVER_WIDE_FAILURES,
  SERVER_WIDE_WHEN_INTERRUPTED,
  classifyFailure,
  refusalOf,
  type AbortCause,
} from '../../../../electron/core/chat/attempt-failure'
import { ChatAttemptError } from '../../../../electron/core/chat/chat-errors'
import {
  ConnectTimeoutError,
  MALFORMED_CHUNK_MARK,
} from '../../../../electron/core/chat/timed-fetch'
import { REASON_CODES } from '../../../../shared/types'
import type { RoutingTarget } from '../../../../shared/types'

const target = {
  serverId: 'remote',
  serverName: 'remote',
  serverUrl: 'http://127.0.0.1:11500',
  model: 'gemma3:12b',
} as RoutingTarget

/** What the ollama client throws for an HTTP error answer. */
function responseError(status: number | undefined, message: string): Error {
  return Object.assign(new Error(message), { name: 'ResponseError', status_code: status })
}

/** A network error code `depth` causes deep (0 = on the error itself). */
function withCodeAt(depth: number, code: string): Error {
  let err: Error = Object.assign(new Error('network'), { code })
  for (let i = 0; i < depth; i++) err = new Error(`wrapper ${i}`, { cause: err })
  return err
}

const classify = (err: unknown, cause: AbortCause | null = null, headersReceived = false) => {
  const e = classifyFailure(target, err, cause, headersReceived)
  return [e.reason, e.detail]
}

describe('classifyFailure', () => {
  it('our own abort says why: first token, stall, frozen, offline', () => {
    const err = new Error('aborted')
    expect(
      classify(err, { kind: 'first-token', ms: 900, detail: 'no first token in 900 ms' }),
    ).toEqual([REASON_CODES.FIRST_TOKEN_TIMEOUT, 'no first token in 900 ms'])
    expect(classify(err, { kind: 'stall', ms: 5000, detail: 'silent for 5 s' })).toEqual([
      REASON_CODES.STALL_TIMEOUT,
      'silent for 5 s',
    ])
    expect(classify(err, { kind: 'frozen', detail: 'status check unanswered' })).toEqual([
      REASON_CODES.SERVER_FROZEN,
      'status check unanswered',
    ])
    expect(classify(err, { kind: 'offline', detail: 'marked offline' })).toEqual([
      REASON_CODES.SERVER_OFFLINE,
      'marked offline',
    ])
    // A cancel is classified by what was thrown.
    expect(classify(withCodeAt(0, 'ECONNRESET'), { kind: 'cancelled' }, true)[0]).toBe(
      REASON_CODES.STREAM_DROPPED,
    )
  })

  it('a connect timeout anywhere in the causes, with its limit', () => {
    const err = new Error('fetch failed', {
      cause: new Error('wrapped', { cause: new ConnectTimeoutError('http://x', 400) }),
    })
    expect(classify(err)).toEqual([REASON_CODES.CONNECT_TIMEOUT, 'connect timeout after 400 ms'])
  })

  it('a network code before the headers is a connect failure, after them a dropped stream', () => {
    expect(classify(withCodeAt(1, 'ECONNREFUSED'))).toEqual([
      REASON_CODES.CONNECT_FAILED,
      'connection refused',
    ])
    expect(classify(withCodeAt(2, 'EHOSTUNREACH'))).toEqual([
      REASON_CODES.CONNECT_FAILED,
      'connection failed (EHOSTUNREACH)',
    ])
    expect(classify(withCodeAt(0, 'ECONNRESET'), null, true)).toEqual([
      REASON_CODES.STREAM_DROPPED,
      'connection dropped (ECONNRESET)',
    ])
  })

  it('looks for a code in the first five errors of the chain only (a cycle cannot hang it)', () => {
    expect(classify(withCodeAt(4, 'ECONNRESET'), null, true)[0]).toBe(REASON_CODES.STREAM_DROPPED)
    expect(classify(withCodeAt(5, 'ECONNRESET'), null, true)[0]).toBe(REASON_CODES.UPSTREAM_ERROR)
    const cyclic = new Error('loop')
    Object.assign(cyclic, { cause: cyclic })
    expect(classify(cyclic, null, true)[0]).toBe(REASON_CODES.UPSTREAM_ERROR)
  })

  it('the first code found is the one reported', () => {
    const inner = Object.assign(new Error('inner'), { code: 'ECONNREFUSED' })
    const outer = Object.assign(new Error('outer', { cause: inner }), { code: 'ETIMEDOUT' })
    expect(classify(outer)[1]).toBe('connection failed (ETIMEDOUT)')
  })

  it('HTTP answers: 404 is the model missing, a model-specific 400 a refusal, the rest upstream errors', () => {
    expect(classify(responseError(404, 'model not found'))).toEqual([
      REASON_CODES.MODEL_NOT_FOUND,
      "model 'gemma3:12b' not found (HTTP 404)",
    ])
    const long = 'the input length exceeds the context length'
    expect(classify(responseError(400, long))).toEqual([
      REASON_CODES.MODEL_REFUSED,
      `HTTP 400: ${long}`,
    ])
    expect(classify(responseError(400, 'invalid options'))).toEqual([
      REASON_CODES.UPSTREAM_ERROR,
      'HTTP 400: invalid options',
    ])
    // The same words on a 500 are no refusal: the server failed.
    expect(classify(responseError(500, 'model does not support tools'))[0]).toBe(
      REASON_CODES.UPSTREAM_ERROR,
    )
    expect(classify(responseError(undefined, 'odd'))[1]).toBe('HTTP 0: odd')
  })

  it('a malformed line and a stream that ends without done', () => {
    expect(classify(new Error(`${MALFORMED_CHUNK_MARK}: {oops`), null, true)).toEqual([
      REASON_CODES.MALFORMED_CHUNK,
      'malformed chunk in the stream',
    ])
    for (const message of ['Did not receive done or success response in stream.', 'aborted']) {
      expect(classify(new Error(message), null, true)).toEqual([
        REASON_CODES.STREAM_DROPPED,
        'stream ended before the answer was done',
      ])
    }
  })

  it('our own TypeError or RangeError before sending blames no server; after the headers it is the server’s', () => {
    expect(classify(new RangeError('Maximum call stack size exceeded'))).toEqual([
      REASON_CODES.LOCAL_ERROR,
      'the request could not be sent: Maximum call stack size exceeded',
    ])
    expect(classify(new TypeError('bad body'))[0]).toBe(REASON_CODES.LOCAL_ERROR)
    expect(classify(new TypeError('bad line'), null, true)).toEqual([
      REASON_CODES.UPSTREAM_ERROR,
      'server error: bad line',
    ])
    // fetch's own TypeError carries a network code in its cause: a connect failure, not ours.
    const fetchFailed = new TypeError('fetch failed', { cause: withCodeAt(0, 'ECONNREFUSED') })
    expect(classify(fetchFailed)[0]).toBe(REASON_CODES.CONNECT_FAILED)
  })

  it('anything else before the headers is a connect failure, after them an upstream error', () => {
    expect(classify(new Error('socket hang up'))).toEqual([
      REASON_CODES.CONNECT_FAILED,
      'socket hang up',
    ])
    expect(classify('a string', null, true)).toEqual([
      REASON_CODES.UPSTREAM_ERROR,
      'server error: a string',
    ])
  })
})

describe('refusalOf', () => {
  const attempt = (cause: unknown) =>
    new ChatAttemptError(target, REASON_CODES.UPSTREAM_ERROR, 'HTTP 400: fallback', { cause })

  it('a 400 is a refusal, model-specific when its words say so; other statuses are none', () => {
    expect(refusalOf(attempt(responseError(400, 'gemma3:12b does not support tools')))).toEqual({
      status: 400,
      message: 'gemma3:12b does not support tools',
      modelSpecific: true,
    })
    expect(refusalOf(attempt(responseError(400, 'invalid format')))).toEqual({
      status: 400,
      message: 'invalid format',
      modelSpecific: false,
    })
    expect(refusalOf(attempt(responseError(500, 'does not support')))).toBeNull()
    expect(refusalOf(attempt(new Error('400')))).toBeNull()
    expect(refusalOf(attempt(undefined))).toBeNull()
  })

  it('without a message of its own, the attempt’s detail is used', () => {
    const bare = Object.assign(new Error(), { name: 'ResponseError', status_code: 400 })
    Object.assign(bare, { message: undefined })
    expect(refusalOf(attempt(bare))?.message).toBe('HTTP 400: fallback')
  })
})

describe('what each failure means for the box', () => {
  it('unreachable and frozen boxes open the breaker at once; timeouts and drops skip the box', () => {
    expect([...HARD_FAILURES].sort()).toEqual(
      [
        REASON_CODES.CONNECT_FAILED,
        REASON_CODES.CONNECT_TIMEOUT,
        REASON_CODES.SERVER_FROZEN,
        REASON_CODES.SERVER_OFFLINE,
      ].sort(),
    )
    for (const hard of HARD_FAILURES) expect(SERVER_WIDE_FAILURES.has(hard)).toBe(true)
    for (const code of [
      REASON_CODES.FIRST_TOKEN_TIMEOUT,
      REASON_CODES.STALL_TIMEOUT,
      REASON_CODES.STREAM_DROPPED,
    ]) {
      expect(SERVER_WIDE_FAILURES.has(code)).toBe(true)
      expect(HARD_FAILURES.has(code)).toBe(false)
    }
    // A model's own refusal or absence never skips the box's other models.
    for (const code of [
      REASON_CODES.MODEL_NOT_FOUND,
      REASON_CODES.MODEL_REFUSED,
      REASON_CODES.LOCAL_ERROR,
    ]) {
      expect(SERVER_WIDE_FAILURES.has(code)).toBe(false)
    }
  })

  it('a broken line or an error line mid-answer leaves the box too', () => {
    expect([...SERVER_WIDE_WHEN_INTERRUPTED].sort()).toEqual(
      [REASON_CODES.MALFORMED_CHUNK, REASON_CODES.UPSTREAM_ERROR].sort(),
    )
  })
})

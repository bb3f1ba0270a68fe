import { describe, expect, it } from 'vitest'
import {
  describeFailure,
  isUnreachable,
  ProbeError,
  type FailureKind,
} from '../../../../electron/core/discovery/probe-error'

function codeError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code })
}

function fetchFailed(cause: unknown): TypeError {
  return new TypeError('fetch failed', { cause })
}

function responseError(status: number, error: string): Error {
  return Object.assign(new Error(error), { name: 'ResponseError', status_code: status, error })
}

function named(name: string, message = name): Error {
  return Object.assign(new Error(message), { name })
}

describe('describeFailure', () => {
  it.each<[string, unknown, FailureKind, string, number | null]>([
    ['refused', fetchFailed(codeError('ECONNREFUSED')), 'refused', 'connection refused', null],
    [
      'refused on every address (AggregateError)',
      fetchFailed(
        Object.assign(new AggregateError([codeError('ECONNREFUSED'), codeError('ECONNREFUSED')]), {
          code: 'ECONNREFUSED',
        }),
      ),
      'refused',
      'connection refused',
      null,
    ],
    ['DNS', fetchFailed(codeError('ENOTFOUND')), 'dns', 'DNS lookup failed', null],
    ['reset', fetchFailed(codeError('ECONNRESET')), 'network', 'connection reset', null],
    ['HTTP 500', responseError(500, 'boom'), 'http', 'HTTP 500: boom', 500],
    [
      'HTTP 404',
      responseError(404, "model 'x' not found"),
      'http',
      "HTTP 404: model 'x' not found",
      404,
    ],
    ['abort', named('AbortError', 'This operation was aborted'), 'cancelled', 'cancelled', null],
    ['timeout', named('TimeoutError'), 'timeout', 'timed out', null],
    [
      'executor connect timeout',
      Object.assign(new Error('x'), { reason: 'connect-timeout' }),
      'timeout',
      'connect timed out',
      null,
    ],
    [
      'bad JSON',
      new SyntaxError('Unexpected token <'),
      'bad-response',
      'invalid response: Unexpected token <',
      null,
    ],
    ['anything else', new Error('weird'), 'network', 'weird', null],
    ['a string', 'plain text', 'network', 'plain text', null],
  ])('%s', (_label, err, kind, reason, status) => {
    expect(describeFailure(err)).toEqual({ kind, reason, status })
  })

  it('names the limit when the caller knows it', () => {
    expect(describeFailure(named('TimeoutError'), { timeoutMs: 2500 }).reason).toBe(
      'timed out after 2500 ms',
    )
  })

  it('passes a ProbeError through', () => {
    const err = new ProbeError('http://a:1', 503, { kind: 'http', reason: 'HTTP 503: busy' })
    expect(describeFailure(err)).toEqual({ kind: 'http', reason: 'HTTP 503: busy', status: 503 })
    expect(err.name).toBe('ProbeError')
    expect(err.serverUrl).toBe('http://a:1')
  })

  it('clips long messages to one short line', () => {
    const { reason } = describeFailure(responseError(500, `line\n${'x'.repeat(500)}`))
    expect(reason.length).toBeLessThanOrEqual(160)
    expect(reason).not.toContain('\n')
  })

  it.each<[FailureKind, boolean]>([
    ['refused', true],
    ['timeout', true],
    ['dns', true],
    ['http', false],
    ['network', false],
    ['cancelled', false],
    ['bad-response', false],
  ])('%s is unreachable: %s', (kind, expected) => {
    expect(isUnreachable(kind)).toBe(expected)
  })
})

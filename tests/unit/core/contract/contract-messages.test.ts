/**
 * What a refused contract call says, one kind of mistake at a time: each message names the argument or
 * key that was wrong, what it must be, and what came instead — the words a person fixing the call reads.
 */
import { describe, expect, it } from 'vitest'
import type { RequestChannel } from '../../../../shared/contract'
import {
  ContractArgumentError,
  checkArgs,
  describeValue,
} from '../../../../electron/core/contract/contract-call'

const refusal = (channel: RequestChannel, args: unknown[]): ContractArgumentError => {
  try {
    checkArgs(channel, args)
  } catch (err) {
    if (err instanceof ContractArgumentError) return err
    throw err
  }
  throw new Error(`${channel} ${JSON.stringify(args)} was not refused`)
}
const message = (channel: RequestChannel, args: unknown[]): string => refusal(channel, args).message

describe('the number of arguments', () => {
  it.each<[RequestChannel, unknown[], string]>([
    ['servers:snapshot', ['extra'], 'servers:snapshot: the call takes no arguments, got 1'],
    ['chat:cancel', [], 'chat:cancel: the call takes 1 argument ("requestId"), got 0'],
    [
      'conversations:rename',
      ['c1'],
      'conversations:rename: the call takes 2 arguments ("id", "title"), got 1',
    ],
  ])('%s %j', (channel, args, text) => {
    expect(message(channel, args)).toBe(text)
  })

  it('a refusal carries the channel and its problems for the caller to read', () => {
    const err = refusal('conversations:rename', ['c1', ''])
    expect(err.name).toBe('ContractArgumentError')
    expect(err.channel).toBe('conversations:rename')
    expect(err.problems).toEqual([{ where: '"title"', message: 'must not be empty' }])
  })
})

describe('a wrong value', () => {
  it.each<[string, RequestChannel, unknown[], string]>([
    [
      'a missing key says what it must be',
      'chat:send',
      [{ conversationId: null }],
      'chat:send: "content" is missing (must be a string)',
    ],
    [
      'an object where one is wanted, with "an"',
      'routing:preview',
      [42],
      'routing:preview: "request" must be an object, got 42',
    ],
    [
      'an array where one is wanted, with "an"',
      'routing:preview',
      [{ messages: 'hi' }],
      'routing:preview: "messages" must be an array, got "hi"',
    ],
    [
      'a nested key by its path',
      'routing:preview',
      [
        {
          messages: [
            { role: 'user', content: 'a' },
            { role: 'robot', content: 'b' },
          ],
        },
      ],
      'routing:preview: "messages[1].role" must be "system", "user", "assistant" or "tool", got "robot"',
    ],
    [
      'a boolean, by its value',
      'chat:send',
      [{ conversationId: null, content: 'x', regenerate: 'yes' }],
      'chat:send: "regenerate" must be a boolean, got "yes"',
    ],
    [
      'one unknown key',
      'chat:send',
      [{ conversationId: null, content: 'x', colour: 'red' }],
      'chat:send: "request" has unknown key "colour"',
    ],
    ['an empty id', 'servers:trust', [''], 'servers:trust: "serverId" must not be empty'],
    [
      'a title of spaces only is empty',
      'conversations:rename',
      ['c1', '   '],
      'conversations:rename: "title" must not be empty',
    ],
    [
      'an unknown routing kind lists the kinds',
      'mode:set',
      [{ kind: 'random' }],
      'mode:set: "kind" must be "auto", "server" or "model", got "random"',
    ],
    [
      'a number, by its value',
      'conversations:get',
      [7],
      'conversations:get: "id" must be a string, got 7',
    ],
  ])('%s', (_what, channel, args, text) => {
    expect(message(channel, args)).toBe(text)
  })

  it('a search longer than 500 characters says its limit', () => {
    const text = message('conversations:search', ['q'.repeat(501)])
    expect(text.startsWith('conversations:search: "query" ')).toBe(true)
    expect(text).toContain('500')
  })

  it('exactly three problems are listed without a count; a fourth is counted', () => {
    const three = message('chat:send', [{ conversationId: 1, content: 2, regenerate: 3 }])
    expect(three.split('; ')).toHaveLength(3)
    expect(three).not.toContain('more')
    const four = message('chat:send', [
      { conversationId: 1, content: 2, regenerate: 3, minTier: 4 },
    ])
    expect(four).toMatch(/; [^;]+ \(and 1 more\)$/)
  })
})

describe('describeValue', () => {
  it.each<[unknown, string]>([
    [12.5, '12.5'],
    [true, 'true'],
    [10n, '10'],
    ['x'.repeat(40), JSON.stringify('x'.repeat(40))],
    [[], 'an array of 0'],
    [Symbol('s'), 'a symbol'],
  ])('describes %s as %s', (value, text) => {
    expect(describeValue(value)).toBe(text)
  })
})

/**
 * The checked call on its own (electron/core/contract/): the schema table covers the contract, and the
 * messages stay short and say what was wrong. Each channel over both real transports:
 * tests/integration/api/contract-validation.test.ts.
 */
import { describe, expect, it } from 'vitest'
import {
  REQUEST_CHANNELS,
  type ContractHandlers,
  type RequestChannel,
} from '../../../../shared/contract'
import { DEFAULT_CONFIG } from '../../../../electron/core/config/config-schema'
import {
  ContractArgumentError,
  checkArgs,
  describeValue,
  invokeChecked,
} from '../../../../electron/core/contract/contract-call'
import { REQUEST_SCHEMAS } from '../../../../electron/core/contract/request-schemas'

const refusal = (fn: () => unknown): string => {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(ContractArgumentError)
    return (err as Error).message
  }
  throw new Error('the call was not refused')
}

describe('the schema table', () => {
  it('has one schema for every request channel and no other', () => {
    expect(Object.keys(REQUEST_SCHEMAS).sort()).toEqual([...REQUEST_CHANNELS].sort())
  })

  it('lets a complete config through unchanged', () => {
    expect(checkArgs('config:set', [DEFAULT_CONFIG])).toEqual([DEFAULT_CONFIG])
  })
})

describe('messages', () => {
  it.each<[string, RequestChannel, unknown[], string]>([
    [
      'a call with too many arguments, naming them',
      'servers:trust',
      ['a', 'b'],
      'servers:trust: the call takes 1 argument ("serverId"), got 2',
    ],
    [
      'a long string, by its length (nothing of it is echoed)',
      'mode:set',
      [{ kind: 'x'.repeat(5000) }],
      'mode:set: "kind" must be "auto", "server" or "model", got a string of 5000 characters',
    ],
  ])('%s', (_what, channel, args, message) => {
    expect(refusal(() => checkArgs(channel, args))).toBe(message)
  })

  it('lists at most three problems and counts the rest', () => {
    const message = refusal(() =>
      checkArgs('chat:send', [{ conversationId: 1, content: 2, regenerate: 3, minTier: 4, x: 5 }]),
    )
    expect(message).toMatch(/^chat:send: .+; .+; .+ \(and 2 more\)$/)
    expect(message.split('; ')).toHaveLength(3)
  })

  it('names several unknown keys, and the nested key where a deep value is wrong', () => {
    expect(refusal(() => checkArgs('mode:set', [{ kind: 'auto', a: 1, b: 2 }]))).toBe(
      'mode:set: "mode" has unknown keys "a", "b"',
    )
    const config = structuredClone(DEFAULT_CONFIG) as unknown as Record<string, unknown>
    const ollama = (config['llm'] as { providers: { ollama: Record<string, unknown> } }).providers
      .ollama
    ollama['additional_servers'] = [{ name: 'box', url: 'http://x', priority: 'TOP' }]
    expect(refusal(() => checkArgs('config:set', [config]))).toBe(
      'config:set: "llm.providers.ollama.additional_servers[0].priority" must be "PRIMARY", "SECONDARY" or "FALLBACK", got "TOP"',
    )
  })

  it.each<[unknown, string]>([
    [null, 'null'],
    [undefined, 'nothing'],
    [[1, 2], 'an array of 2'],
    ['short', '"short"'],
    ['y'.repeat(41), 'a string of 41 characters'],
    [false, 'false'],
    [{}, 'an object'],
    [() => 1, 'a function'],
  ])('describes %j as %s', (value, text) => {
    expect(describeValue(value)).toBe(text)
  })
})

describe('invokeChecked', () => {
  it('runs the handler with the checked arguments, and not at all for a bad call', async () => {
    const calls: unknown[][] = []
    const handlers = {
      'chat:cancel': async (...args: unknown[]) => {
        calls.push(args)
      },
    } as unknown as ContractHandlers
    await invokeChecked(handlers, 'chat:cancel', ['r1'])
    await expect(invokeChecked(handlers, 'chat:cancel', [null])).rejects.toThrow(
      'chat:cancel: "requestId" must be a string, got null',
    )
    expect(calls).toEqual([['r1']])
  })
})

/**
 * One schema per request channel of the contract (shared/contract.ts): the arguments each channel
 * takes, by name, so a refusal can say which one is wrong. Both transports check every call against
 * this table (contract-call.ts) before a handler runs. The renderer's types still come from
 * shared/contract.ts; the compiler checks below that each schema describes exactly those types.
 */
import { z } from 'zod'
import type { RequestArgs, RequestChannel } from '../../../shared/contract'
import { completeConfigShape } from './config-shape'

/** One named argument of a channel. */
type NamedArg = readonly [name: string, schema: z.ZodType]

/** A channel's arguments: their names (for messages) and the tuple schema that checks them. */
export interface ChannelSchema<Args extends unknown[] = unknown[]> {
  readonly names: readonly string[]
  readonly tuple: z.ZodType<Args>
}

function args<const A extends readonly NamedArg[]>(
  ...list: A
): ChannelSchema<{ -readonly [K in keyof A]: z.output<A[K][1]> }> {
  const schemas = list.map(([, schema]) => schema) as unknown as [z.ZodType, ...z.ZodType[]]
  return {
    names: list.map(([name]) => name),
    tuple: (list.length === 0 ? z.tuple([]) : z.tuple(schemas)) as never,
  }
}

/** Longest system prompt a conversation takes (characters). */
export const SYSTEM_PROMPT_MAX = 20_000

/** Most images one chat message takes. */
export const MAX_IMAGES = 4
/** Largest image, as base64 characters (≈ 10 MB of image). */
export const MAX_IMAGE_BASE64 = 14_000_000

/** One image as Ollama takes it: plain base64 (no `data:` URL prefix). */
const base64Image = z
  .string()
  .min(1)
  .max(MAX_IMAGE_BASE64)
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64 (without a data: prefix)')

/** An id or name: a non-empty string. */
const id = z.string().min(1)

const routingMode = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('auto') }),
  z.strictObject({ kind: z.literal('server'), serverId: id }),
  z.strictObject({ kind: z.literal('model'), model: id, serverId: id.nullable() }),
])

const chatMessage = z.strictObject({
  role: z.enum(['system', 'user', 'assistant', 'tool']),
  content: z.string(),
  images: z.array(z.string()).exactOptional(),
  tool_calls: z
    .array(
      z.strictObject({
        function: z.strictObject({
          name: z.string(),
          arguments: z.record(z.string(), z.unknown()),
        }),
      }),
    )
    .exactOptional(),
  tool_name: z.string().exactOptional(),
})

const chatSendRequest = z.strictObject({
  conversationId: id.nullable(),
  content: z.string(),
  mode: routingMode.exactOptional(),
  minTier: z.enum(['balanced', 'powerful']).exactOptional(),
  regenerate: z.boolean().exactOptional(),
  images: z.array(base64Image).max(MAX_IMAGES).exactOptional(),
  editOf: id.exactOptional(),
})

/** The table: every request channel's arguments. */
export const REQUEST_SCHEMAS = {
  'servers:snapshot': args(),
  'servers:trust': args(['serverId', id]),
  'servers:rediscover': args(),
  'servers:test': args(['url', z.string().trim().min(1).max(2048)]),
  'routing:preview': args([
    'request',
    z.strictObject({ messages: z.array(chatMessage), mode: routingMode.exactOptional() }),
  ]),
  'routing:log': args(),
  'chat:send': args(['request', chatSendRequest]),
  'chat:cancel': args(['requestId', id]),
  'conversations:list': args(),
  'conversations:get': args(['id', id]),
  'conversations:delete': args(['id', id]),
  'conversations:rename': args(['id', id], ['title', z.string().trim().min(1)]),
  'conversations:setSystemPrompt': args(
    ['id', id.nullable()],
    ['systemPrompt', z.string().max(SYSTEM_PROMPT_MAX).nullable()],
  ),
  'conversations:search': args(['query', z.string().max(500)]),
  'conversations:undo-edit': args(['conversationId', id]),
  'mode:get': args(),
  'mode:set': args(['mode', routingMode]),
  'config:get': args(),
  'config:set': args(['config', completeConfigShape]),
  'storage:snapshot': args(),
} as const satisfies { [C in RequestChannel]: ChannelSchema }

// Each schema takes exactly its channel's arguments as shared/contract.ts types them: a channel added
// to the contract without a schema, or a type changed on one side only, fails to compile here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
type Agreement = {
  [C in RequestChannel]: Same<
    (typeof REQUEST_SCHEMAS)[C] extends ChannelSchema<infer A> ? A : never,
    RequestArgs<C>
  >
}
const _schemasAgree: { [C in RequestChannel]: Agreement[C] } = {
  'servers:snapshot': true,
  'servers:trust': true,
  'servers:rediscover': true,
  'servers:test': true,
  'routing:preview': true,
  'routing:log': true,
  'chat:send': true,
  'chat:cancel': true,
  'conversations:list': true,
  'conversations:get': true,
  'conversations:delete': true,
  'conversations:rename': true,
  'conversations:setSystemPrompt': true,
  'conversations:search': true,
  'conversations:undo-edit': true,
  'mode:get': true,
  'mode:set': true,
  'config:get': true,
  'config:set': true,
  'storage:snapshot': true,
}
void _schemasAgree

/**
 * The one place a contract call from outside the core goes through, on both transports (Electron IPC
 * in electron/main/ipc-dispatch.ts, the WebSocket in api/ws-transport.ts): the arguments are checked
 * against the channel's schema, then the handler runs with the checked values. A bad call is refused
 * with a message that names the argument ("chat:send: \"content\" must be a string, got null"),
 * never reaches a handler, and so never turns into "Cannot read properties of null".
 */
import type { z } from 'zod'
import type { ContractHandlers, RequestChannel } from '../../../shared/contract'
import { REQUEST_SCHEMAS, type ChannelSchema } from './request-schemas'

/** At most this many problems are listed in one message (a broken config could have dozens). */
const MAX_LISTED = 3

/** One problem with one argument: where (`"content"`, `"messages[2].role"`) and what. */
export interface ArgumentProblem {
  where: string
  message: string
}

/** A call refused because its arguments do not fit the channel's schema. */
export class ContractArgumentError extends Error {
  override readonly name = 'ContractArgumentError'
  constructor(
    readonly channel: RequestChannel,
    readonly problems: readonly ArgumentProblem[],
  ) {
    const listed = problems.slice(0, MAX_LISTED).map((p) => `${p.where} ${p.message}`)
    const more = problems.length > MAX_LISTED ? ` (and ${problems.length - MAX_LISTED} more)` : ''
    super(`${channel}: ${listed.join('; ')}${more}`)
  }
}

/** Checks `args` against the channel's schema; returns the checked arguments or throws a {@link ContractArgumentError}. */
export function checkArgs(channel: RequestChannel, args: readonly unknown[]): unknown[] {
  const schema: ChannelSchema = REQUEST_SCHEMAS[channel]
  const arity = schema.names.length
  if (args.length !== arity) {
    throw new ContractArgumentError(channel, [arityProblem(schema.names, args.length)])
  }
  const parsed = schema.tuple.safeParse(args, { reportInput: true })
  if (parsed.success) return parsed.data
  throw new ContractArgumentError(
    channel,
    parsed.error.issues.map((issue) => describeIssue(issue, schema.names, args)),
  )
}

/** Checks the call, then runs the channel's handler with the checked arguments. */
export async function invokeChecked(
  handlers: ContractHandlers,
  channel: RequestChannel,
  args: readonly unknown[],
): Promise<unknown> {
  const checked = checkArgs(channel, args)
  const handler = handlers[channel] as (...a: unknown[]) => Promise<unknown>
  return handler(...checked)
}

function arityProblem(names: readonly string[], got: number): ArgumentProblem {
  const wanted =
    names.length === 0
      ? 'no arguments'
      : `${names.length} argument${names.length === 1 ? '' : 's'} (${names.map((n) => `"${n}"`).join(', ')})`
  return { where: 'the call', message: `takes ${wanted}, got ${got}` }
}

type Issue = z.core.$ZodIssue

function describeIssue(
  issue: Issue,
  names: readonly string[],
  args: readonly unknown[],
): ArgumentProblem {
  const where = `"${pathLabel(issue.path, names)}"`
  const value = valueAt(args, issue.path)
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined)
        return { where, message: `is missing (must be ${article(issue.expected)})` }
      return { where, message: `must be ${article(issue.expected)}, got ${describeValue(value)}` }
    case 'invalid_value':
      return { where, message: `must be ${listOf(issue.values)}, got ${describeValue(value)}` }
    case 'invalid_union':
      if ('discriminator' in issue && typeof issue.discriminator === 'string') {
        const options = (issue as { options?: unknown[] }).options ?? []
        const got = valueAt(args, issue.path)
        return { where, message: `must be ${listOf(options)}, got ${describeValue(got)}` }
      }
      return { where, message: `has none of the allowed shapes, got ${describeValue(value)}` }
    case 'unrecognized_keys':
      return {
        where,
        message: `has unknown key${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((k) => `"${k}"`).join(', ')}`,
      }
    case 'too_small':
      if (issue.origin === 'string') return { where, message: 'must not be empty' }
      return { where, message: issue.message }
    default:
      return { where, message: issue.message }
  }
}

/**
 * `[0]` is the argument's name; deeper paths name the key within it (`content`, `messages[2].role`),
 * which is what the caller wrote.
 */
function pathLabel(path: readonly PropertyKey[], names: readonly string[]): string {
  const [first, ...rest] = path
  const argName =
    typeof first === 'number' ? (names[first] ?? `argument ${first + 1}`) : 'arguments'
  if (rest.length === 0) return argName
  return rest
    .map((key, i) =>
      typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`,
    )
    .join('')
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value: unknown = root
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined
    value = (value as Record<PropertyKey, unknown>)[key]
  }
  return value
}

function article(type: string): string {
  switch (type) {
    case 'object':
    case 'array':
      return `an ${type}`
    case 'null':
      return 'null'
    default:
      return `a ${type}`
  }
}

function listOf(values: readonly unknown[]): string {
  const shown = values.map((v) => JSON.stringify(v))
  if (shown.length <= 1) return shown[0] ?? 'nothing'
  return `${shown.slice(0, -1).join(', ')} or ${shown[shown.length - 1]}`
}

/** A short, safe rendering of what the caller sent. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (value === undefined) return 'nothing'
  if (Array.isArray(value)) return `an array of ${value.length}`
  switch (typeof value) {
    case 'string':
      return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value)
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value)
    case 'object':
      return 'an object'
    default:
      return `a ${typeof value}`
  }
}

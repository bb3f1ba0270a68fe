import type { IncomingMessage, ServerResponse } from 'node:http'

/** Largest request body we read (images arrive base64-encoded inside chat messages). */
export const MAX_BODY_BYTES = 16 * 1024 * 1024

/** An HTTP failure with the status to answer and a message for the client. */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

/** How deep a request body may nest. Real bodies (tool schemas, options) stay far below it; a deeper
 * one would overflow the stack when the `ollama` client serialises it. */
export const MAX_BODY_DEPTH = 64

/** The depth of a parsed JSON value (a scalar is 0), stopping as soon as `limit` is passed. */
export function jsonDepth(value: unknown, limit = MAX_BODY_DEPTH): number {
  // Iterative on purpose: the value may be deeper than the stack.
  let deepest = 0
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }]
  while (stack.length > 0) {
    const { value: v, depth } = stack.pop()!
    if (v === null || typeof v !== 'object') continue
    const here = depth + 1
    if (here > deepest) deepest = here
    if (deepest > limit) return deepest
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      stack.push({ value: child, depth: here })
    }
  }
  return deepest
}

/** 400 when a body nests deeper than MAX_BODY_DEPTH. */
export function checkBodyDepth(body: unknown): void {
  if (jsonDepth(body) > MAX_BODY_DEPTH) {
    throw new ApiError(
      400,
      `request body nested more than ${MAX_BODY_DEPTH} levels deep: flatten options, format, tools or arguments`,
    )
  }
}

/**
 * 400 when JSON found inside a body's string (OpenAI's tool-call `arguments`) nests deeper than
 * MAX_BODY_DEPTH: the body's own check cannot see into the string.
 */
export function checkEmbeddedDepth(value: unknown, where: string): void {
  if (jsonDepth(value) > MAX_BODY_DEPTH) {
    throw new ApiError(400, `${where} nested more than ${MAX_BODY_DEPTH} levels deep: flatten it`)
  }
}

/**
 * The bytes of request bodies being received at once, across all connections of one API: stalled
 * bodies cannot hold more memory than this between them.
 */
export class BodyBudget {
  private used = 0
  constructor(readonly maxBytes: number) {}

  /** Bytes free now. */
  get free(): number {
    return this.maxBytes - this.used
  }

  /** Reserves `n` bytes; false (nothing reserved) when they do not fit. */
  take(n: number): boolean {
    if (n > this.free) return false
    this.used += n
    return true
  }

  give(n: number): void {
    this.used = Math.max(0, this.used - n)
  }
}

/** Where the local API hands a request its body budget (see `withBodyBudget`). */
const BODY_BUDGET = Symbol('aillm.bodyBudget')
type Budgeted = IncomingMessage & { [BODY_BUDGET]?: BodyBudget }

/** Makes `readJsonBody` count this request's body against `budget`. */
export function withBodyBudget(req: IncomingMessage, budget: BodyBudget): void {
  ;(req as Budgeted)[BODY_BUDGET] = budget
}

function budgetFull(budget: BodyBudget): ApiError {
  return new ApiError(
    503,
    `too many request bodies arriving at once (limit ${budget.maxBytes} bytes in all): try again shortly`,
  )
}

/**
 * Reads and parses a JSON object body; 400 for malformed JSON, a non-object or one nested deeper than
 * MAX_BODY_DEPTH, 413 when too large, 503 when the bodies arriving at once would pass their budget.
 */
export async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > MAX_BODY_BYTES) {
    throw new ApiError(413, `request body too large: ${declared} bytes (limit ${MAX_BODY_BYTES})`)
  }
  const budget = (req as Budgeted)[BODY_BUDGET]
  if (budget && declared > budget.free) throw budgetFull(budget)
  const chunks: Buffer[] = []
  let size = 0
  try {
    for await (const chunk of req) {
      const buf = chunk as Buffer
      size += buf.length
      if (size > MAX_BODY_BYTES) {
        throw new ApiError(413, `request body too large (limit ${MAX_BODY_BYTES} bytes)`)
      }
      if (budget && !budget.take(buf.length)) {
        size -= buf.length
        throw budgetFull(budget)
      }
      chunks.push(buf)
    }
  } finally {
    budget?.give(size)
  }
  const text = Buffer.concat(chunks).toString('utf8')
  if (text.trim() === '') throw new ApiError(400, 'missing request body: expected a JSON object')
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    throw new ApiError(400, `invalid JSON body: ${(err as Error).message}`)
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ApiError(400, 'invalid request body: expected a JSON object')
  }
  checkBodyDepth(parsed)
  return parsed as Record<string, unknown>
}

/** Sends a JSON answer. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  })
  res.end(text)
}

/** Ollama's error form: `{"error":"message"}`. */
export function sendOllamaError(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.end()
    return
  }
  sendJson(res, status, { error: message })
}

/** OpenAI's error form: `{"error":{"message","type","param","code"}}`. */
export function sendOpenAiError(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.end()
    return
  }
  const type =
    status === 404 ? 'not_found_error' : status < 500 ? 'invalid_request_error' : 'api_error'
  sendJson(res, status, { error: { message, type, param: null, code: null } })
}

/** A string field of a body, or a 400 naming it. */
export function requireString(body: Record<string, unknown>, key: string): string {
  const value = body[key]
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ApiError(400, `"${key}" is required and must be a non-empty string`)
  }
  return value
}

/** An optional field of a given JSON type, or a 400 naming it. */
export function optional<T>(
  body: Record<string, unknown>,
  key: string,
  check: (v: unknown) => v is T,
  expected: string,
): T | undefined {
  const value = body[key]
  if (value === undefined || value === null) return undefined
  if (!check(value)) throw new ApiError(400, `"${key}" must be ${expected}`)
  return value
}

export const isBool = (v: unknown): v is boolean => typeof v === 'boolean'
export const isString = (v: unknown): v is string => typeof v === 'string'
export const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v)
export const isKeepAlive = (v: unknown): v is string | number =>
  typeof v === 'string' || typeof v === 'number'

/**
 * Answers that are not free text: JSON for `format` (json or a schema) and tool calls. Everything
 * is derived from the request, so the same request gets the same answer.
 */
import type { JsonSchema, OutputFormat } from './request-options'
import { sha256Hex } from './model-catalog'

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** A value of the schema's type; strings are `text`. */
function valueFor(schema: unknown, text: string, depth = 0): unknown {
  if (!isRecord(schema) || depth > 8) return text
  const enumValues = schema['enum']
  if (Array.isArray(enumValues) && enumValues.length > 0) return enumValues[0]
  if ('const' in schema) return schema['const']
  const typeField = schema['type']
  const type = Array.isArray(typeField)
    ? (typeField.find((t) => t !== 'null') ?? 'null')
    : (typeField ?? (isRecord(schema['properties']) ? 'object' : 'string'))
  switch (type) {
    case 'object':
      return objectFor(schema, text, depth)
    case 'array': {
      const items = schema['items']
      const min = typeof schema['minItems'] === 'number' ? schema['minItems'] : 1
      return Array.from({ length: Math.max(1, min) }, () => valueFor(items, text, depth + 1))
    }
    case 'integer':
    case 'number':
      return typeof schema['minimum'] === 'number' ? Math.ceil(schema['minimum']) : 1
    case 'boolean':
      return true
    case 'null':
      return null
    default:
      return text
  }
}

/** Every listed property and every required key, in that order. */
function objectFor(schema: JsonSchema, text: string, depth: number): Record<string, unknown> {
  const properties = isRecord(schema['properties']) ? schema['properties'] : {}
  const required = Array.isArray(schema['required'])
    ? schema['required'].filter((k): k is string => typeof k === 'string')
    : []
  const out: Record<string, unknown> = {}
  for (const key of [...Object.keys(properties), ...required]) {
    if (!(key in out)) out[key] = valueFor(properties[key], text, depth + 1)
  }
  return out
}

/** The JSON text an answer in this format consists of; `reply` is the free-text answer. */
export function structuredText(format: OutputFormat, reply: string): string {
  if (format.kind === 'json') return JSON.stringify({ answer: reply })
  if (format.kind === 'schema') return JSON.stringify(valueFor(format.schema, reply))
  return reply
}

/** Splits a text into stream pieces of a few characters, like tokens. */
export function textPieces(text: string, size = 6): string[] {
  const out: string[] = []
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size))
  return out
}

/** A tool call the model makes: Ollama's `{id, function: {index, name, arguments}}`. */
export interface SimToolCall {
  id: string
  function: { index: number; name: string; arguments: Record<string, unknown> }
}

/** Words a tool name is made of: `get_weather` → get, weather; `fetchUrl` → fetch, url. */
function nameWords(name: string): string[] {
  return name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .map((w) => w.toLowerCase())
    .filter((w) => w.length >= 4)
}

/**
 * The tool the model calls: the first offered tool that the last user message names (its whole
 * name or a word of it of four letters or more, e.g. "weather" for `get_weather`). No call when
 * the last message is not the user's (a tool result gets a text answer) or nothing is named.
 * String arguments get the last word of the message ("Oslo" in "What is the weather in Oslo?").
 */
export function chooseToolCall(
  tools: unknown,
  lastMessage: { role: string; text: string } | undefined,
): SimToolCall | null {
  if (!Array.isArray(tools) || lastMessage?.role !== 'user') return null
  const text = lastMessage.text.toLowerCase()
  const words = new Set(text.split(/[^\p{L}\p{N}_]+/u).filter((w) => w !== ''))
  for (const tool of tools) {
    const fn = isRecord(tool) && isRecord(tool['function']) ? tool['function'] : null
    const name = fn?.['name']
    if (typeof name !== 'string' || name === '') continue
    const named =
      (name.length >= 4 && words.has(name.toLowerCase())) ||
      nameWords(name).some((w) => words.has(w))
    if (!named || !fn) continue
    const lastWord =
      lastMessage.text
        .split(/\s+/)
        .map((w) => w.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''))
        .filter((w) => w !== '')
        .at(-1) ?? ''
    const parameters = isRecord(fn['parameters']) ? fn['parameters'] : {}
    const args = objectFor(parameters, lastWord, 0)
    const id = `call_${sha256Hex(`${name}|${lastMessage.text}`).slice(0, 8)}`
    return { id, function: { index: 0, name, arguments: args } }
  }
  return null
}

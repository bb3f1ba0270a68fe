/** The words of conversations: titles from the first message, and what search compares and shows. */

/** Title of a conversation before its first user message names it. */
export const DEFAULT_TITLE = 'New chat'

const TITLE_MAX = 60

/** Runs of whitespace (line breaks too) as one space, none at either end. */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

/** First ~60 characters of a message, cut at a word, whitespace collapsed. */
export function titleFromMessage(text: string): string {
  const flat = collapseWhitespace(text)
  if (flat === '') return DEFAULT_TITLE
  if (flat.length <= TITLE_MAX) return flat
  const cut = flat.slice(0, TITLE_MAX)
  const space = cut.lastIndexOf(' ')
  return `${(space > TITLE_MAX / 2 ? cut.slice(0, space) : cut).trimEnd()}…`
}

/** Lower case, whitespace folded: what search compares. */
export function foldForSearch(text: string): string {
  return collapseWhitespace(text).toLowerCase()
}

/** How much text a search hit shows on either side of the match. */
const SNIPPET_CONTEXT = 40

/** The folded text around the first match of `needle`, with … where it was cut. */
export function snippetAround(text: string, needle: string): string {
  const flat = collapseWhitespace(text)
  const at = flat.toLowerCase().indexOf(needle)
  if (at < 0) return flat.slice(0, SNIPPET_CONTEXT * 2)
  const start = Math.max(0, at - SNIPPET_CONTEXT)
  const end = Math.min(flat.length, at + needle.length + SNIPPET_CONTEXT)
  return `${start > 0 ? '…' : ''}${flat.slice(start, end)}${end < flat.length ? '…' : ''}`
}

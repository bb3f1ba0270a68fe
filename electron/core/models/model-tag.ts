/**
 * Ollama treats `gemma3` and `gemma3:latest` as the same model: a tag without a `:` means `:latest`.
 * The one place that rule lives; the model index, the router and the faces all compare names through it.
 */
export function normaliseTag(tag: string): string {
  return tag.includes(':') ? tag : `${tag}:latest`
}

import { sha256Hex } from './model-catalog'

const VOCABULARY = [
  'the',
  'model',
  'answer',
  'is',
  'simple',
  'here',
  'we',
  'consider',
  'a',
  'small',
  'example',
  'that',
  'shows',
  'how',
  'routing',
  'works',
  'with',
  'several',
  'servers',
  'and',
  'one',
  'request',
  'at',
  'time',
  'first',
  'then',
  'finally',
  'this',
  'means',
  'clear',
  'result',
  'for',
  'your',
  'question',
  'about',
  'data',
  'memory',
  'speed',
  'quality',
  'network',
  'latency',
  'careful',
  'design',
  'matters',
  'most',
]

/** Words of a text, without punctuation noise, for echoing a prompt back. */
function wordsOf(text: string): string[] {
  return text
    .split(/\s+/)
    .map((w) => w.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''))
    .filter((w) => w.length > 0)
}

/**
 * The reply as chunks (a word or two each), deterministic for the same model, server and prompt.
 * The first chunk is `[<model>@<server>]`, so the joined text starts with `[<model>@<server>] `;
 * up to four words of the prompt are echoed so tests can tell answers to different prompts apart.
 */
export function replyPieces(
  model: string,
  server: string,
  prompt: string,
  words: number,
): string[] {
  const seed = sha256Hex(`${model}|${server}|${prompt}`)
  const echo = wordsOf(prompt).slice(0, Math.min(4, words))
  const body: string[] = [...echo]
  for (let i = 0; body.length < words; i++) {
    const byte = parseInt(seed.slice((i * 2) % 64, ((i * 2) % 64) + 2), 16)
    body.push(VOCABULARY[(byte + i * 7) % VOCABULARY.length] ?? 'word')
  }
  const pieces = [`[${model}@${server}]`]
  for (let i = 0; i < body.length;) {
    // Every third piece carries two words, like a tokenizer merging short words.
    const take = i % 3 === 2 && i + 1 < body.length ? 2 : 1
    pieces.push(` ${body.slice(i, i + take).join(' ')}`)
    i += take
  }
  const last = pieces.length - 1
  pieces[last] = `${pieces[last] ?? ''}.`
  return pieces
}

/** A deterministic unit vector for a text, of the model's embedding length. */
export function embeddingFor(model: string, text: string, length: number): number[] {
  const out: number[] = []
  let block = ''
  for (let i = 0; out.length < length; i++) {
    if (i % 32 === 0) block = sha256Hex(`${model}|${text}|${i / 32}`)
    const byte = parseInt(block.slice((i % 32) * 2, (i % 32) * 2 + 2), 16)
    out.push(byte / 127.5 - 1)
  }
  const norm = Math.hypot(...out) || 1
  return out.map((v) => Number((v / norm).toFixed(7)))
}

/** Size of the simulated vocabulary token ids are drawn from. */
const VOCABULARY_SIZE = 151_936

/**
 * Token ids for `/api/generate`'s `context`: `count` deterministic ids for a text. Real ids come
 * from the model's tokenizer; only their number and their being ints matter to clients.
 */
export function contextTokens(seed: string, count: number): number[] {
  const out: number[] = []
  let block = ''
  for (let i = 0; out.length < count; i++) {
    if (i % 8 === 0) block = sha256Hex(`ctx|${seed}|${i / 8}`)
    out.push(parseInt(block.slice((i % 8) * 8, (i % 8) * 8 + 8), 16) % VOCABULARY_SIZE)
  }
  return out
}

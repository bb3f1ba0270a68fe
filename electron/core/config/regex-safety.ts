/**
 * Catastrophic backtracking in a regular expression from the config (`tier_rules[].match`), found
 * before it runs. V8's engine backtracks: `^(a+)+$` against "aaaa…a!" takes time exponential in the
 * length, and a model tag is attacker-chosen where servers are discovered on the LAN. Node has no
 * linear-time engine without a flag, so the two shapes behind exponential runs are refused:
 * - a repeat of variable length inside a repeat, where the text can be split between them in more
 *   than one way: `(a+)+`, `(\w+\s?)*`, `(a*b*)+`, `(a{1,3}){2,}` — but not `(\d+\.)+` or
 *   `\d+(\.\d+)*`, where a character neither part can take marks each boundary;
 * - a repeated alternation whose branches can start with the same character: `(a|ab)+`, `(\w|\d)*`.
 * Characters are compared as sets (classes, escapes, `.`, ASCII case folding for the `i` flag).
 */

type Ranges = [number, number][]

type Node =
  | { kind: 'chars'; set: Ranges }
  | { kind: 'empty' } // assertions, lookarounds: match no character
  | { kind: 'backref' }
  | { kind: 'seq'; items: Node[] }
  | { kind: 'alt'; options: Node[] }
  | { kind: 'repeat'; body: Node; min: number; max: number }

const MAX_CHAR = 0xffff
const ANY: Ranges = [[0, MAX_CHAR]]
const DIGIT: Ranges = [[0x30, 0x39]]
const WORD: Ranges = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
]
const SPACE: Ranges = [
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
]

function complement(set: Ranges): Ranges {
  const sorted = [...set].sort((a, b) => a[0] - b[0])
  const out: Ranges = []
  let next = 0
  for (const [lo, hi] of sorted) {
    if (lo > next) out.push([next, lo - 1])
    next = Math.max(next, hi + 1)
  }
  if (next <= MAX_CHAR) out.push([next, MAX_CHAR])
  return out
}

/** The pattern runs with the `i` flag: a letter stands for both cases (ASCII is enough to compare). */
function caseFolded(set: Ranges): Ranges {
  const out: Ranges = [...set]
  for (const [lo, hi] of set) {
    for (const [from, to, shift] of [
      [0x41, 0x5a, 0x20],
      [0x61, 0x7a, -0x20],
    ] as const) {
      const a = Math.max(lo, from)
      const b = Math.min(hi, to)
      if (a <= b) out.push([a + shift, b + shift])
    }
  }
  return out
}

const overlaps = (a: Ranges, b: Ranges): boolean =>
  a.some(([alo, ahi]) => b.some(([blo, bhi]) => alo <= bhi && blo <= ahi))

/** A recursive-descent reader of the pattern; it is already known to compile (non-unicode mode). */
class Reader {
  private i = 0
  constructor(private readonly src: string) {}

  parse(): Node {
    const node = this.alternation()
    return node
  }

  private peek(): string | undefined {
    return this.src[this.i]
  }

  private alternation(): Node {
    const options = [this.sequence()]
    while (this.peek() === '|') {
      this.i++
      options.push(this.sequence())
    }
    return options.length === 1 ? (options[0] as Node) : { kind: 'alt', options }
  }

  private sequence(): Node {
    const items: Node[] = []
    while (this.i < this.src.length && this.peek() !== '|' && this.peek() !== ')') {
      items.push(this.quantified(this.atom()))
    }
    return { kind: 'seq', items }
  }

  private quantified(atom: Node): Node {
    const c = this.peek()
    let bounds: [number, number] | null = null
    if (c === '*') bounds = [0, Infinity]
    else if (c === '+') bounds = [1, Infinity]
    else if (c === '?') bounds = [0, 1]
    if (bounds !== null) this.i++
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i))
      if (m) {
        const min = Number(m[1])
        const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3])
        bounds = [min, max]
        this.i += m[0].length
      }
    }
    if (bounds === null) return atom
    if (this.peek() === '?') this.i++ // lazy: the same backtracking, in another order
    return this.quantified({ kind: 'repeat', body: atom, min: bounds[0], max: bounds[1] })
  }

  private atom(): Node {
    const c = this.src[this.i++] as string
    switch (c) {
      case '^':
      case '$':
        return { kind: 'empty' }
      case '.':
        return { kind: 'chars', set: ANY }
      case '[':
        return { kind: 'chars', set: this.charClass() }
      case '(':
        return this.group()
      case '\\':
        return this.escape()
      default:
        return this.literal(c.charCodeAt(0))
    }
  }

  private literal(code: number): Node {
    return { kind: 'chars', set: caseFolded([[code, code]]) }
  }

  private group(): Node {
    let lookaround = false
    if (this.peek() === '?') {
      const head = this.src.slice(this.i, this.i + 3)
      if (head.startsWith('?:')) this.i += 2
      else if (head.startsWith('?=') || head.startsWith('?!')) {
        this.i += 2
        lookaround = true
      } else if (head === '?<=' || head === '?<!') {
        this.i += 3
        lookaround = true
      } else if (head.startsWith('?<')) {
        this.i = this.src.indexOf('>', this.i) + 1
      }
    }
    const body = this.alternation()
    this.i++ // ')'
    // A lookaround's own repeats still backtrack: keep them visible, but it consumes nothing.
    return lookaround ? { kind: 'seq', items: [{ kind: 'empty' }, zeroWidth(body)] } : body
  }

  private escape(): Node {
    const c = this.src[this.i++] ?? '\\'
    const set = this.classEscape(c)
    if (set !== null) return { kind: 'chars', set }
    if (c === 'b' || c === 'B') return { kind: 'empty' }
    if (/[1-9]/.test(c)) {
      while (/\d/.test(this.peek() ?? '')) this.i++
      return { kind: 'backref' }
    }
    if (c === 'k' && this.peek() === '<') {
      this.i = this.src.indexOf('>', this.i) + 1
      return { kind: 'backref' }
    }
    return this.literal(this.escapedCode(c))
  }

  /** `\d \w \s` and their negations; null for other escapes. */
  private classEscape(c: string): Ranges | null {
    switch (c) {
      case 'd':
        return DIGIT
      case 'D':
        return complement(DIGIT)
      case 'w':
        return WORD
      case 'W':
        return complement(WORD)
      case 's':
        return SPACE
      case 'S':
        return complement(SPACE)
      default:
        return null
    }
  }

  /** The character an escape such as `\n`, `\x41`, `\u0041`, `\cJ` or `\.` stands for. */
  private escapedCode(c: string): number {
    const hex = (n: number): number | null => {
      const digits = this.src.slice(this.i, this.i + n)
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(digits)) return null
      this.i += n
      return parseInt(digits, 16)
    }
    const simple: Record<string, number> = { n: 10, r: 13, t: 9, v: 11, f: 12, '0': 0 }
    if (c in simple) return simple[c] as number
    if (c === 'x') return hex(2) ?? c.charCodeAt(0)
    if (c === 'u') return hex(4) ?? c.charCodeAt(0)
    if (c === 'c' && /[a-z]/i.test(this.peek() ?? '')) {
      return (this.src.charCodeAt(this.i++) as number) % 32
    }
    return c.charCodeAt(0)
  }

  private charClass(): Ranges {
    const negated = this.peek() === '^'
    if (negated) this.i++
    const set: Ranges = []
    let first = true
    while (this.i < this.src.length && (this.peek() !== ']' || first)) {
      first = false
      const lo = this.classAtom()
      if (typeof lo !== 'number') {
        set.push(...lo)
        continue
      }
      if (this.peek() === '-' && this.src[this.i + 1] !== ']' && this.i + 1 < this.src.length) {
        this.i++
        const hi = this.classAtom()
        if (typeof hi === 'number') {
          set.push([lo, hi])
          continue
        }
        set.push([lo, lo], [0x2d, 0x2d], ...hi)
        continue
      }
      set.push([lo, lo])
    }
    this.i++ // ']'
    const folded = caseFolded(set)
    return negated ? complement(folded) : folded
  }

  /** One character of a class (its code), or a class escape's set. */
  private classAtom(): number | Ranges {
    const c = this.src[this.i++] as string
    if (c !== '\\') return c.charCodeAt(0)
    const e = this.src[this.i++] ?? '\\'
    const set = this.classEscape(e)
    if (set !== null) return set
    if (e === 'b') return 8 // backspace inside a class
    return this.escapedCode(e)
  }
}

/** A lookaround consumes nothing, whatever its body matches. */
function zeroWidth(body: Node): Node {
  return { kind: 'repeat', body, min: 0, max: 0 }
}

/** The characters a match of `node` can start with, and whether it can match the empty string. */
function first(node: Node): { set: Ranges; nullable: boolean } {
  switch (node.kind) {
    case 'chars':
      return { set: node.set, nullable: false }
    case 'empty':
      return { set: [], nullable: true }
    case 'backref':
      return { set: ANY, nullable: true }
    case 'seq': {
      const set: Ranges = []
      for (const item of node.items) {
        const f = first(item)
        set.push(...f.set)
        if (!f.nullable) return { set, nullable: false }
      }
      return { set, nullable: true }
    }
    case 'alt': {
      const all = node.options.map(first)
      return { set: all.flatMap((f) => f.set), nullable: all.some((f) => f.nullable) }
    }
    case 'repeat': {
      if (node.max === 0) return { set: [], nullable: true }
      const f = first(node.body)
      return { set: f.set, nullable: f.nullable || node.min === 0 }
    }
  }
}

/** True when `node` holds a repeat of variable length that can match something. */
function hasVariableRepeat(node: Node): boolean {
  switch (node.kind) {
    case 'seq':
      return node.items.some(hasVariableRepeat)
    case 'alt':
      return node.options.some(hasVariableRepeat)
    case 'repeat':
      return (
        (node.min < node.max && first(node.body).set.length > 0) || hasVariableRepeat(node.body)
      )
    default:
      return false
  }
}

/**
 * True when a variable repeat inside `node` can give characters to, or take them from, what follows
 * it (`follow`: the characters that can come next), so the same text splits in several ways.
 */
function ambiguous(node: Node, follow: Ranges): boolean {
  switch (node.kind) {
    case 'seq':
      return node.items.some((item, i) => {
        const rest = first({ kind: 'seq', items: node.items.slice(i + 1) })
        return ambiguous(item, rest.nullable ? [...rest.set, ...follow] : rest.set)
      })
    case 'alt':
      return node.options.some((o) => ambiguous(o, follow))
    case 'repeat': {
      if (node.max === 0) return false
      const own = first(node.body).set
      if (node.min < node.max && own.length > 0 && overlaps(own, follow)) return true
      return ambiguous(node.body, node.max > 1 ? [...own, ...follow] : follow)
    }
    default:
      return false
  }
}

/** The repeated alternation directly in `node` (through groups), if any. */
function repeatedAlternation(node: Node): Extract<Node, { kind: 'alt' }> | null {
  if (node.kind === 'alt') return node
  if (node.kind === 'seq' && node.items.length === 1)
    return repeatedAlternation(node.items[0] as Node)
  return null
}

function findRisk(node: Node): string | null {
  switch (node.kind) {
    case 'seq':
      return firstRisk(node.items)
    case 'alt':
      return firstRisk(node.options)
    case 'repeat': {
      if (node.max > 1) {
        // The next iteration follows the body: it is what the inner repeat competes with at the end.
        if (hasVariableRepeat(node.body) && ambiguous(node.body, first(node.body).set)) {
          return 'a repeat inside a repeat that can split the same text in many ways, as in (a+)+'
        }
        const alt = repeatedAlternation(node.body)
        if (alt !== null) {
          const sets = alt.options.map((o) => first(o).set)
          for (let i = 0; i < sets.length; i++) {
            for (let j = i + 1; j < sets.length; j++) {
              if (overlaps(sets[i] as Ranges, sets[j] as Ranges)) {
                return 'a repeated alternation whose branches can start alike, as in (a|ab)+'
              }
            }
          }
        }
      }
      return findRisk(node.body)
    }
    default:
      return null
  }
}

function firstRisk(nodes: Node[]): string | null {
  for (const n of nodes) {
    const risk = findRisk(n)
    if (risk !== null) return risk
  }
  return null
}

/**
 * What in `pattern` (a regular expression that compiles) can backtrack catastrophically, in words;
 * null when it cannot.
 */
export function backtrackingRisk(pattern: string): string | null {
  return findRisk(new Reader(pattern).parse())
}

// The complexity classifier: conversation → (complexity, task type, reasons). Pure and deterministic;
// keyword tables live in classifier-lexicon.ts. Scores per task are summed from weighted signals and the
// best one wins; complexity then follows from the task's own rules plus length and listed requirements.

import type { ChatMessage } from '../../../shared/types/chat'
import type { Classification, Complexity, TaskType } from '../../../shared/types/routing'
import { REASON_CODES, type ReasonCode } from '../../../shared/types/reason-codes'
import * as L from './classifier-lexicon'

/** Characters scanned from the start of a long message; instructions mostly sit at the ends. */
export const SCAN_HEAD_CHARS = 1000
/** Characters scanned from the end of a long message ("… what is wrong here?" after a paste). */
export const SCAN_TAIL_CHARS = 400
/** Above this many characters a message is at least moderate (someone pasted a document). */
export const LONG_MESSAGE_CHARS = 1500
/** Above this many characters a code message is complex (reviewing a big paste needs a big model). */
export const HUGE_CODE_CHARS = 20_000
/** User turns looked back through when a short follow-up leans on earlier context. */
const MAX_CONTEXT_TURNS = 4

const LEVELS: readonly Complexity[] = ['trivial', 'simple', 'moderate', 'complex']
const FENCED = /```[\s\S]*?(?:```|$)/g
const R = REASON_CODES

/** What one message says on its own, plus what the context logic needs to know. */
interface Verdict {
  complexity: Complexity
  taskType: TaskType
  reasons: ReasonCode[]
  /** A short follow-up that says little on its own ("why?", "and now in Rust?"). */
  weak: boolean
}

/**
 * Classifies a conversation by its last user message; a short follow-up inherits the task and
 * complexity of the turn it follows (reason `context-carried`). Never throws: no user message gives
 * trivial chat with reason `no-user-message`.
 */
export function classify(messages: readonly ChatMessage[]): Classification {
  let last = -1
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]?.role === 'user') {
      last = i
      break
    }
  }
  if (last < 0) return { complexity: 'trivial', taskType: 'chat', reasons: [R.NO_USER_MESSAGE] }
  const own = analyze(contentOf(messages[last]))
  if (!own.weak) return strip(own)

  // Walk back through earlier user turns until one says what the conversation is about.
  let turns = 0
  for (let i = last - 1; i >= 0 && turns < MAX_CONTEXT_TURNS; i--) {
    if (messages[i]?.role !== 'user') continue
    turns++
    const earlier = analyze(contentOf(messages[i]))
    if (earlier.weak) continue
    if (earlier.taskType === 'greeting' || earlier.complexity === 'trivial') break
    return {
      complexity: earlier.complexity,
      taskType: earlier.taskType,
      reasons: dedupe([R.CONTEXT_CARRIED, ...earlier.reasons.filter((r) => r !== R.SHORT_MESSAGE)]),
    }
  }
  // No earlier user turn to lean on, but the assistant just answered with code: stay on code.
  if (turns === 0 && previousAnswerHasCode(messages, last)) {
    return { complexity: 'simple', taskType: 'code', reasons: [R.CONTEXT_CARRIED, R.CODE_BLOCK] }
  }
  return strip(own)
}

function contentOf(m: ChatMessage | undefined): string {
  // Content arrives from the HTTP API too; a client may send null or a non-string.
  return typeof m?.content === 'string' ? m.content : ''
}

function previousAnswerHasCode(messages: readonly ChatMessage[], last: number): boolean {
  for (let i = last - 1; i >= 0; i--) {
    const m = messages[i]
    if (m?.role === 'assistant') return contentOf(m).includes('```')
  }
  return false
}

function strip(v: Verdict): Classification {
  return { complexity: v.complexity, taskType: v.taskType, reasons: v.reasons }
}

function verdict(
  complexity: Complexity,
  taskType: TaskType,
  reasons: ReasonCode[],
  weak = false,
): Verdict {
  return { complexity, taskType, reasons, weak }
}

/** The part of a message worth scanning: all of a short one, head and tail of a long one. */
function scanWindow(raw: string): string {
  if (raw.length <= SCAN_HEAD_CHARS + SCAN_TAIL_CHARS) return raw.trim()
  return `${raw.slice(0, SCAN_HEAD_CHARS)}\n…\n${raw.slice(raw.length - SCAN_TAIL_CHARS)}`.trim()
}

/** Counts words without allocating: runs of letters/digits (Latin, Cyrillic, umlauts…). */
function countWords(s: string): number {
  let n = 0
  let inWord = false
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    const isWord =
      (c >= 48 && c <= 57) ||
      (c >= 65 && c <= 90) ||
      (c >= 97 && c <= 122) ||
      c === 95 ||
      (c >= 0xc0 && c < 0x2000 && c !== 0xd7 && c !== 0xf7) ||
      (c >= 0x3040 && c < 0xd800) ||
      (c >= 0xf900 && c < 0xfe00)
    if (isWord && !inWord) n++
    inWord = isWord
  }
  return n
}

/** Counts matches of a global regex, stopping at `cap`. */
function countMatches(re: RegExp, s: string, cap: number): number {
  re.lastIndex = 0
  let n = 0
  while (n < cap && re.exec(s) !== null) n++
  re.lastIndex = 0
  return n
}

/** The most items listed in one sentence, or in a numbered/bulleted list. */
function countRequirements(prose: string): number {
  const re = L.REQUIREMENT_TOKEN
  re.lastIndex = 0
  let best = 0
  let current = 0
  let m: RegExpExecArray | null
  while ((m = re.exec(prose)) !== null) {
    const t = m[0]
    if (t === '\n' || t === '.' || t === '!' || t === '?') current = 0
    else if (++current > best) best = current
  }
  re.lastIndex = 0
  return Math.max(best + 1, countMatches(L.LIST_LINE, prose, 20))
}

function raise(c: Complexity, by = 1): Complexity {
  return LEVELS[Math.min(LEVELS.indexOf(c) + by, LEVELS.length - 1)] ?? 'complex'
}

function atLeast(c: Complexity, floor: Complexity): Complexity {
  return LEVELS.indexOf(c) >= LEVELS.indexOf(floor) ? c : floor
}

function dedupe(reasons: ReasonCode[]): ReasonCode[] {
  return [...new Set(reasons)]
}

type RequestKind = 'small' | 'medium' | 'system' | 'short' | 'long'

/** What a "write/build/implement …" request asks to make, by its nearest object. */
function requestKind(prose: string): RequestKind | null {
  const g = L.MAKE_REQUEST.exec(prose)?.groups
  if (g === undefined) return null
  if (g['codeSmall'] !== undefined) return 'small'
  if (g['codeMedium'] !== undefined) return 'medium'
  if (g['codeSystem'] !== undefined) return 'system'
  if (g['writeShort'] !== undefined) return 'short'
  return 'long'
}

/**
 * Task types in the order that wins a tie: the more specific need first. Chat is the starting
 * point (score 1 for any text), so another task must beat it, not just equal it.
 */
const TIE_ORDER: readonly TaskType[] = ['code', 'reasoning', 'writing', 'explanation', 'chat']

function analyze(raw: string): Verdict {
  const total = raw.length
  let text = scanWindow(raw)
  if (text.length === 0) return verdict('trivial', 'chat', [R.EMPTY_MESSAGE])
  if (!L.HAS_LETTER_OR_DIGIT.test(text)) {
    return L.GREETING_EMOJI.test(text)
      ? verdict('trivial', 'greeting', [R.GREETING, R.SHORT_MESSAGE])
      : verdict('trivial', 'chat', [R.SHORT_MESSAGE])
  }
  if (text.length <= 80 && L.GREETING_ONLY.test(text)) {
    return L.GREETING_ANY.test(text)
      ? verdict('trivial', 'greeting', [R.GREETING, R.SHORT_MESSAGE])
      : verdict('trivial', 'chat', [R.SHORT_MESSAGE])
  }
  // A greeting in front of a real request says nothing about the request.
  const greeting = L.GREETING_PREFIX.exec(text)
  if (greeting !== null && greeting[0].length < text.length) text = text.slice(greeting[0].length)

  const hasFence = text.includes('```')
  const prose = hasFence ? text.replace(FENCED, ' ') : text
  const fencedLines = hasFence ? lineCount(text) - lineCount(prose) : 0
  const words = countWords(prose)

  // ---- code
  let code = 0
  const codeReasons: ReasonCode[] = []
  const stackTrace = L.STACK_TRACE.test(text)
  if (hasFence) {
    code += 6
    codeReasons.push(R.CODE_BLOCK)
  }
  if (stackTrace) {
    code += 6
    codeReasons.push(R.STACK_TRACE)
  }
  if (!hasFence && countMatches(L.CODE_LINE, text, 3) >= 2) {
    code += 5
    codeReasons.push(R.CODE_BLOCK)
  }
  const tech = countMatches(L.TECH_TERMS, prose, 4)
  const request = requestKind(prose)
  const codeRequest =
    request === 'small' || request === 'medium' || request === 'system' ? request : null
  const codeVerb = L.CODE_VERBS.test(prose)
  const howTo = L.HOW_TO.test(prose)
  if (codeRequest !== null) code += 5
  if (codeVerb) code += 3
  code += Math.min(tech, 3)
  if ((tech > 0 || hasFence) && L.CODE_PROBLEM.test(prose)) code += 2
  if (howTo && tech > 0) code += 2
  if (codeRequest !== null || codeVerb || tech > 0) codeReasons.push(R.CODE_KEYWORDS)

  // ---- reasoning
  let reasoning = 0
  const strongReasoning =
    L.REASONING_STRONG.test(prose) || countMatches(L.PUZZLE_CUES, prose, 3) >= 3
  const math = L.MATH.test(prose) || L.ARITHMETIC.test(prose)
  const moderateReasoning = L.REASONING_MODERATE.test(prose)
  if (strongReasoning) reasoning += 8
  if (math) reasoning += 4
  if (moderateReasoning) reasoning += 4
  if (!hasFence && tech === 0 && countMatches(L.NUMBER, prose, 3) >= 3) reasoning += 2

  // ---- writing
  let writing = 0
  let writingRequest = request === 'short' || request === 'long' ? request : null
  // German compounds ("Liebesbrief") and verb-last order ("ein Gedicht … schreiben").
  if (request === null && L.DE_WRITE_VERB.test(prose)) {
    if (L.DE_WRITING_SHORT_TAIL.test(prose)) writingRequest = 'short'
    else if (L.DE_WRITING_LONG_TAIL.test(prose)) writingRequest = 'long'
  }
  const transform = L.TEXT_TRANSFORM.test(prose)
  if (writingRequest !== null) writing += 7
  if (transform) writing += 6

  // ---- explanation
  let explanation = 0
  const explicit = L.EXPLAIN_EXPLICIT.test(prose)
  const question = L.EXPLAIN_QUESTION.test(prose)
  if (explicit) explanation += 4
  if (question) explanation += 3

  // ---- chat
  let chat = 1
  const trivialTalk = words <= 8 && L.SMALL_TALK_TRIVIAL.test(prose)
  const smallTalk = words <= 12 && L.SMALL_TALK.test(prose)
  const recommend = L.RECOMMEND.test(prose)
  if (trivialTalk) chat += 8
  if (smallTalk) chat += 7
  if (recommend) chat += 4
  const factoid = L.FACTOID.test(prose)
  if (factoid) chat += 6

  const scores: Record<TaskType, number> = {
    code,
    reasoning,
    writing,
    explanation,
    chat,
    greeting: 0,
  }
  let task: TaskType = 'chat'
  for (const t of TIE_ORDER) if (scores[t] > scores[task]) task = t
  const best = scores[task]

  // Trace lines are full of commas ("File "app.py", line 12, in main"); only a real list counts there.
  const requirements = stackTrace ? countMatches(L.LIST_LINE, prose, 20) : countRequirements(prose)
  const reasons: ReasonCode[] = []
  let complexity: Complexity

  switch (task) {
    case 'code': {
      reasons.push(...codeReasons)
      const rework = L.CODE_REWORK.test(prose)
      if (stackTrace || (hasFence && (fencedLines > 3 || rework))) complexity = 'moderate'
      else if (hasFence) complexity = 'simple'
      else if (codeRequest === 'small') complexity = 'simple'
      else if (codeRequest !== null) complexity = 'moderate'
      else if (howTo) complexity = 'simple'
      else complexity = 'moderate'
      if (requirements >= 3) {
        complexity = raise(complexity)
        reasons.push(R.MULTI_REQUIREMENT)
      }
      if (total > HUGE_CODE_CHARS) {
        complexity = 'complex'
        reasons.push(R.LONG_MESSAGE)
      }
      break
    }
    case 'reasoning': {
      reasons.push(R.REASONING_KEYWORDS)
      if (strongReasoning) complexity = 'complex'
      else if (moderateReasoning) complexity = 'moderate'
      else if (math && words <= 12) complexity = 'simple'
      else complexity = 'moderate'
      break
    }
    case 'writing': {
      reasons.push(R.WRITING_KEYWORDS)
      if (L.WRITING_LONG_FORM.test(prose)) complexity = 'complex'
      else if (writingRequest === 'short') complexity = 'simple'
      else if (writingRequest !== null) complexity = 'moderate'
      else complexity = 'simple'
      break
    }
    case 'explanation': {
      reasons.push(R.EXPLANATION_KEYWORDS)
      const definition = L.DEFINITION.test(prose) && words <= 8
      const everydayWhy = !explicit && tech === 0 && words <= 8 && L.WHY.test(prose)
      if (L.BREVITY.test(prose) || definition || everydayWhy) complexity = 'simple'
      else complexity = 'moderate'
      if (requirements >= 3 || (requirements >= 2 && L.DEPTH.test(prose))) {
        complexity = raise(complexity)
        reasons.push(R.MULTI_REQUIREMENT)
      }
      break
    }
    default: {
      if (trivialTalk) {
        complexity = 'trivial'
        reasons.push(R.SMALL_TALK, R.SHORT_MESSAGE)
      } else if (smallTalk || recommend || factoid) {
        complexity = 'simple'
        reasons.push(R.SMALL_TALK)
      } else {
        // One or two words that are not a question ("Kubernetes", "hmm"): nothing to work on.
        complexity = words <= 2 && !prose.includes('?') ? 'trivial' : 'simple'
        reasons.push(R.SHORT_MESSAGE)
      }
      if (words > 80) {
        complexity = atLeast(complexity, 'moderate')
        reasons.push(R.LONG_MESSAGE)
      }
    }
  }

  if (total > LONG_MESSAGE_CHARS && LEVELS.indexOf(complexity) < 2) {
    complexity = 'moderate'
    reasons.push(R.LONG_MESSAGE)
  }

  const requestLike = hasFence || stackTrace || codeRequest !== null || writingRequest !== null
  const strong = requestLike || transform || strongReasoning || trivialTalk || smallTalk
  const weak =
    !strong &&
    words <= 8 &&
    (best <= 1 || (words <= 3 && (L.FOLLOW_UP.test(prose) || L.FOLLOW_UP_ANY.test(prose))))
  return verdict(complexity, task, dedupe(reasons), weak)
}

function lineCount(s: string): number {
  let n = 1
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++
  return n
}

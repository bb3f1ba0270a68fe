import { describe, expect, it } from 'vitest'
import {
  classify,
  HUGE_CODE_CHARS,
  LONG_MESSAGE_CHARS,
} from '../../../../electron/core/routing/classifier'
import { tierForComplexity } from '../../../../electron/core/routing/tiers'
import type { ChatMessage } from '../../../../shared/types/chat'
import type { Complexity, TaskType } from '../../../../shared/types/routing'
import { REASON_CODES as R, type ReasonCode } from '../../../../shared/types/reason-codes'

const user = (content: string): ChatMessage => ({ role: 'user', content })
const assistant = (content: string): ChatMessage => ({ role: 'assistant', content })
const one = (content: string) => classify([user(content)])

describe('classify: acceptance cases (product spec, issue 3), verbatim', () => {
  it.each<[string, Complexity, TaskType]>([
    ['Привет!', 'trivial', 'greeting'],
    ['Hi!', 'trivial', 'greeting'],
    ['Объясни паттерн Singleton', 'moderate', 'explanation'],
    ['Explain the Singleton pattern', 'moderate', 'explanation'],
    ['Напиши систему авторизации с JWT, refresh tokens и rate limiting', 'complex', 'code'],
    ['Write an auth system with JWT, refresh tokens and rate limiting', 'complex', 'code'],
    ['Prove that the square root of 2 is irrational', 'complex', 'reasoning'],
    ['Докажи, что корень из 2 иррационален', 'complex', 'reasoning'],
    [
      "Three boxes are labeled 'apples', 'oranges' and 'apples and oranges'. Every label is wrong. " +
        'You may take one fruit from one box. Which box should you open to relabel all of them correctly?',
      'complex',
      'reasoning',
    ],
  ])('%s → %s %s', (prompt, complexity, taskType) => {
    const c = one(prompt)
    expect({ complexity: c.complexity, taskType: c.taskType }).toEqual({ complexity, taskType })
    expect(c.reasons.length).toBeGreaterThan(0)
  })

  it.each([
    'Write a short poem about autumn',
    'Напиши письмо начальнику о переносе встречи',
    'Schreib einen Blogartikel über nachhaltiges Reisen',
  ])('writing, simple or moderate: %s', (prompt) => {
    const c = one(prompt)
    expect(c.taskType).toBe('writing')
    expect(['simple', 'moderate']).toContain(c.complexity)
  })

  it.each(['Tell me a joke', 'Как дела?', "Wie geht's?", 'Erzähl mir einen Witz'])(
    'small talk stays chat on a fast tier: %s',
    (prompt) => {
      const c = one(prompt)
      expect(c.taskType).toBe('chat')
      expect(['trivial', 'simple']).toContain(c.complexity)
      expect(tierForComplexity(c.complexity)).toBe('fast')
    },
  )
})

describe('classify: every classifier reason code has a path', () => {
  const longProse = 'The council discussed the budget and the new bridge. '.repeat(40)
  it.each<[string, ChatMessage[], ReasonCode, Complexity, TaskType]>([
    ['greeting', [user('Guten Morgen!')], R.GREETING, 'trivial', 'greeting'],
    ['wave emoji', [user('👋')], R.GREETING, 'trivial', 'greeting'],
    ['ack only', [user('ok')], R.SHORT_MESSAGE, 'trivial', 'chat'],
    ['small talk', [user('How are you?')], R.SMALL_TALK, 'trivial', 'chat'],
    ['joke', [user('Расскажи анекдот')], R.SMALL_TALK, 'simple', 'chat'],
    [
      'code block',
      [user('```python\ndef add(a, b):\n    return a + b\n```\nadd type hints')],
      R.CODE_BLOCK,
      'simple',
      'code',
    ],
    [
      'stack trace',
      [user('Traceback (most recent call last):\n  File "a.py", line 3, in <module>\nKeyError: 1')],
      R.STACK_TRACE,
      'moderate',
      'code',
    ],
    [
      'code keywords',
      [user('Write a function that reverses a string in Python')],
      R.CODE_KEYWORDS,
      'simple',
      'code',
    ],
    [
      'explanation keywords',
      [user('Как работает DNS?')],
      R.EXPLANATION_KEYWORDS,
      'moderate',
      'explanation',
    ],
    [
      'reasoning keywords',
      [user('Beweise, dass es unendlich viele Primzahlen gibt')],
      R.REASONING_KEYWORDS,
      'complex',
      'reasoning',
    ],
    [
      'writing keywords',
      [user('Schreibe einen Liebesbrief')],
      R.WRITING_KEYWORDS,
      'moderate',
      'writing',
    ],
    [
      'multi requirement',
      [
        user(
          'Implement a thread-safe LRU cache in Java with TTL expiration, size limits and metrics',
        ),
      ],
      R.MULTI_REQUIREMENT,
      'complex',
      'code',
    ],
    ['long message', [user(`Summarize this: ${longProse}`)], R.LONG_MESSAGE, 'moderate', 'writing'],
    [
      'context carried',
      [
        user('Schreib eine Funktion, die Fibonacci-Zahlen berechnet'),
        assistant('```py\n...\n```'),
        user('mach es kürzer'),
      ],
      R.CONTEXT_CARRIED,
      'simple',
      'code',
    ],
    ['empty message', [user('   \n\t ')], R.EMPTY_MESSAGE, 'trivial', 'chat'],
    [
      'no user message',
      [{ role: 'system', content: 'Be brief.' }, assistant('Hello!')],
      R.NO_USER_MESSAGE,
      'trivial',
      'chat',
    ],
  ])('%s → reason present', (_name, messages, reason, complexity, taskType) => {
    const c = classify(messages)
    expect(c.reasons).toContain(reason)
    expect({ complexity: c.complexity, taskType: c.taskType }).toEqual({ complexity, taskType })
  })
})

describe('classify: context', () => {
  const codeTurn = [
    user('Write a Python function that merges two sorted lists'),
    assistant('```python\ndef merge(a, b): ...\n```'),
  ]

  it.each([
    [
      'and now in Python?',
      [
        user('Write a Rust function that merges two sorted lists'),
        assistant('```rust\nfn merge() {}\n```'),
      ],
    ],
    ['почему?', codeTurn],
    ['mach es kürzer', codeTurn],
    ["still doesn't work, same error", codeTurn],
  ] as const)('a short follow-up after code stays code: %s', (followUp, before) => {
    const c = classify([...before, user(followUp)])
    expect(c.taskType).toBe('code')
    expect(c.reasons[0]).toBe(R.CONTEXT_CARRIED)
  })

  it('a follow-up carries the earlier complexity too (a proof stays complex)', () => {
    const c = classify([
      user('Prove that the square root of 2 is irrational'),
      assistant('Suppose sqrt(2) = p/q...'),
      user('and for the square root of 3?'),
    ])
    expect(c).toMatchObject({ complexity: 'complex', taskType: 'reasoning' })
  })

  it('looks past several weak turns to the one that set the topic', () => {
    const c = classify([
      user('Explain how TCP congestion control works'),
      assistant('…'),
      user('why?'),
      assistant('…'),
      user('and?'),
    ])
    expect(c).toMatchObject({ complexity: 'moderate', taskType: 'explanation' })
    expect(c.reasons).toContain(R.CONTEXT_CARRIED)
  })

  it.each([
    ['thanks!', 'greeting'],
    ['Now write a poem about it', 'writing'],
    ['Erkläre mir jetzt, wie ein Kernreaktor funktioniert', 'explanation'],
  ] as const)('a message that stands on its own is not carried: %s', (msg, taskType) => {
    const c = classify([...codeTurn, user(msg)])
    expect(c.taskType).toBe(taskType)
    expect(c.reasons).not.toContain(R.CONTEXT_CARRIED)
  })

  it('a follow-up with only an assistant code answer before it stays code', () => {
    const c = classify([assistant('```js\nconsole.log(1)\n```'), user('why?')])
    expect(c).toMatchObject({ taskType: 'code', reasons: [R.CONTEXT_CARRIED, R.CODE_BLOCK] })
  })

  it('a greeting does not lend its triviality to the next question', () => {
    const c = classify([
      user('Hi'),
      assistant('Hello!'),
      user('Write an auth system with JWT, refresh tokens and rate limiting'),
    ])
    expect(c).toMatchObject({ complexity: 'complex', taskType: 'code' })
  })

  it('system prompts are not classified', () => {
    const c = classify([
      { role: 'system', content: 'Prove every claim step by step.' },
      user('Hi!'),
    ])
    expect(c).toMatchObject({ complexity: 'trivial', taskType: 'greeting' })
  })
})

describe('classify: greetings, boundaries and odd input', () => {
  it.each([
    ["Hi, can you prove Fermat's little theorem?", 'complex', 'reasoning'],
    [
      'Привет! Напиши, пожалуйста, функцию на JavaScript, которая убирает дубликаты из массива',
      'simple',
      'code',
    ],
    ['Guten Tag, wie funktioniert eigentlich ein Kühlschrank?', 'moderate', 'explanation'],
  ] as const)(
    'a greeting inside a longer message is not trivial: %s',
    (prompt, complexity, taskType) => {
      expect(one(prompt)).toMatchObject({ complexity, taskType })
    },
  )

  it.each([
    // "пока" (bye) inside "покажи", "hi" inside "Hilfe", "danke" inside "Gedanken"
    ['Покажи пример рекурсии на Python', 'code'],
    ['Hilfe, mein Python-Skript stürzt ab', 'code'],
    ['Gedanken über den Herbst als Gedicht schreiben', 'writing'],
  ] as const)(
    'keywords only match whole words (Unicode-aware boundaries): %s',
    (prompt, taskType) => {
      const c = one(prompt)
      expect(c.taskType).toBe(taskType)
      expect(c.reasons).not.toContain(R.GREETING)
    },
  )

  it('one puzzle word alone does not make a puzzle (counted regexes are global)', () => {
    const c = one(
      'Was ist hier falsch?\n```js\nconst a = [1, 2, 3]\nconsole.log(a.map())\nlet b\n```',
    )
    expect(c.taskType).toBe('code')
  })

  it.each<[string, ChatMessage[]]>([
    ['empty conversation', []],
    ['only a system message', [{ role: 'system', content: 'x' }]],
    ['empty string', [user('')]],
    ['emoji only', [user('😂😂😂')]],
    ['punctuation only', [user('?!')]],
    [
      'content not a string (from a sloppy API client)',
      [{ role: 'user', content: null as unknown as string }],
    ],
  ])('%s → trivial chat with a reason, no throw', (_name, messages) => {
    const c = classify(messages)
    expect(c).toMatchObject({ complexity: 'trivial', taskType: 'chat' })
    expect(c.reasons.length).toBeGreaterThan(0)
  })

  it('a 100 KB code paste is classified from a bounded window and is complex', () => {
    const paste = 'export const f = (x: number) => x * 2\n'.repeat(Math.ceil(100_000 / 38))
    expect(paste.length).toBeGreaterThan(HUGE_CODE_CHARS)
    const c = one(`Review this code:\n\`\`\`ts\n${paste}\`\`\``)
    expect(c).toMatchObject({ complexity: 'complex', taskType: 'code' })
    expect(c.reasons).toContain(R.LONG_MESSAGE)
  })

  it('the question at the end of a long log paste is still seen', () => {
    const log = '2024-05-01 ERROR java.net.SocketTimeoutException: Read timed out\n'.repeat(200)
    expect(log.length).toBeGreaterThan(LONG_MESSAGE_CHARS)
    expect(one(`${log}Что здесь не так?`)).toMatchObject({
      taskType: 'code',
      complexity: 'moderate',
    })
  })
})

describe('classify: determinism', () => {
  const inputs = [
    'Hi!',
    'Explain the Singleton pattern',
    'Write an auth system with JWT, refresh tokens and rate limiting',
    'Three boxes are labeled wrong. Which box should you open? The liar tells the truth.',
    '2024 ERROR x\n'.repeat(500),
  ]
  it('same input → same output, also after other inputs ran (no regex state leaks)', () => {
    const first = inputs.map((s) => one(s))
    for (let round = 0; round < 3; round++) {
      const again = [...inputs]
        .reverse()
        .map((s) => one(s))
        .reverse()
      expect(again).toEqual(first)
    }
  })

  it('does not mutate the messages', () => {
    const messages = [user('Write a haiku about the sea')]
    const copy = structuredClone(messages)
    classify(messages)
    expect(messages).toEqual(copy)
  })
})

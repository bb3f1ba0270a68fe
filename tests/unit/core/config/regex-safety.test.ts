/**
 * Issue 13 point 6: a `tier_rules` regex that can backtrack catastrophically is refused with a config
 * issue naming the rule, before it ever runs against a model tag; ordinary tier patterns pass, and
 * (checked by running them) stay fast on inputs built to make a backtracking engine struggle.
 */
import { describe, expect, it } from 'vitest'
import { analyseConfigText } from '../../../../electron/core/config/parse-config'
import { backtrackingRisk } from '../../../../electron/core/config/regex-safety'

const NESTED = 'a repeat inside a repeat that can split the same text in many ways, as in (a+)+'
const ALTERNATION = 'a repeated alternation whose branches can start alike, as in (a|ab)+'

describe('backtrackingRisk', () => {
  it.each([
    ['^(a+)+$', NESTED],
    ['(a*)*', NESTED],
    ['(\\w+\\s?)+$', NESTED],
    ['(.*a){12}', NESTED],
    ['(a*b*)+', NESTED],
    ['(a{1,3}){2,}', NESTED],
    ['((a+a+)c)+', NESTED],
    ['(?:x+)+y', NESTED],
    ['([a-z]+)*$', NESTED],
    ['(A+)+', NESTED],
    // Lazy quantifiers backtrack the same way, in another order; a lookahead's repeats still run.
    ['(a+?)+?$', NESTED],
    ['(?=(a+)+)b', NESTED],
    ['(a|a)*$', ALTERNATION],
    ['(a|ab)+', ALTERNATION],
    ['(\\w|\\d)+', ALTERNATION],
    // Case folding (the rules run with the i flag): A and a are the same character.
    ['(A|ab)+', ALTERNATION],
  ])('%s is refused: %s', (pattern, risk) => {
    expect(backtrackingRisk(pattern)).toBe(risk)
  })

  const SAFE = [
    '^llama3',
    'coder',
    '(qwen|llama)\\d+',
    '\\d+b$',
    '(?:-instruct)?$',
    '[a-z]+:\\d+',
    'a{2,5}',
    '(ab)+',
    '(\\d+\\.)+',
    '\\d+(\\.\\d+)*',
    '^(llama|mistral)-?\\d+(\\.\\d+)?[bm]?$',
    '[\\]a]+',
    '\\(x+\\)+',
    '(x\\d+)+',
    '(a+b)+',
    'qwen2\\.5-coder',
    '[^:]+:latest',
    '(a|b)+',
  ]

  it.each(SAFE)('%s passes', (pattern) => {
    expect(backtrackingRisk(pattern)).toBeNull()
  })

  it('the patterns that pass really are fast on hostile model tags', () => {
    const hostile = ['a', '1', '1.', 'x1', 'ab', ' a'].map((unit) => `${unit.repeat(3000)}!`)
    for (const pattern of SAFE) {
      const re = new RegExp(pattern, 'i')
      const t0 = performance.now()
      for (const text of hostile) re.test(text)
      // A catastrophic pattern on 3,000 repetitions would not end this century; a safe one takes
      // milliseconds (up to ~0.8 s seen on a two-core machine at load 18), so the bound tells the two
      // apart without measuring the machine.
      expect(performance.now() - t0, pattern).toBeLessThan(5000)
    }
  })
})

describe('tier_rules: a catastrophic regex is a config issue naming the rule', () => {
  const O = 'llm.providers.ollama'
  const wrap = (rules: string) => `llm:\n  providers:\n    ollama:\n      tier_rules:\n${rules}`

  it('refuses ^(a+)+$ at its key, line and column, and keeps the good rule before it', () => {
    const result = analyseConfigText(
      wrap(
        "        - { match: '^llama', tier: fast }\n        - { match: '^(a+)+$', tier: fast }\n",
      ),
    )
    expect(result.config).toBeNull()
    expect(result.issues).toEqual([
      {
        key: `${O}.tier_rules.1.match`,
        line: 6,
        column: 20,
        message: `must not be able to backtrack catastrophically (${NESTED}); match the repeated part once, e.g. "^a+$" instead of "^(a+)+$" (got "^(a+)+$")`,
      },
    ])
  })

  it('a safe rule loads', () => {
    const result = analyseConfigText(wrap("        - { match: '\\d+(\\.\\d+)*b$', tier: fast }\n"))
    expect(result.issues).toEqual([])
    expect(result.config?.llm.providers.ollama.tier_rules).toEqual([
      { match: '\\d+(\\.\\d+)*b$', tier: 'fast' },
    ])
  })
})

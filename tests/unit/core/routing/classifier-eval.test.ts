// Accuracy of the classifier on the labeled set tests/fixtures/classifier-eval.yaml. Prints a table
// and fails below floors set from the measured figures minus a small margin (see FLOORS).

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { z } from 'zod'
import { describe, expect, it } from 'vitest'
import { classify } from '../../../../electron/core/routing/classifier'
import type { ChatMessage } from '../../../../shared/types/chat'
import type { Complexity } from '../../../../shared/types/routing'

const LEVELS: readonly Complexity[] = ['trivial', 'simple', 'moderate', 'complex']

const Message = z.object({
  role: z.enum(['system', 'user', 'assistant', 'tool']),
  content: z.string(),
})
const Item = z
  .object({
    prompt: z.string().optional(),
    messages: z.array(Message).optional(),
    repeat: z.object({ text: z.string(), times: z.number().int().positive() }).optional(),
    complexity: z.enum(['trivial', 'simple', 'moderate', 'complex']),
    task: z.enum(['greeting', 'chat', 'explanation', 'code', 'reasoning', 'writing']),
    lang: z.enum(['en', 'ru', 'de', 'none']),
    split: z.enum(['tuning', 'holdout']).default('tuning'),
  })
  .strict()
  .refine((i) => (i.prompt === undefined) !== (i.messages === undefined), {
    message: 'each item needs exactly one of prompt or messages',
  })
const EvalSet = z.object({ items: z.array(Item).min(150) })
type EvalItem = z.infer<typeof Item>

/**
 * Floors, measured on this set (see the report of issue 3): tuning split complexity 191/193,
 * task 193/193; held-out split complexity 49/50, task 49/50 (42/50 and 43/50 before the one round
 * of general fixes it prompted). Floors sit a few points under those so a real regression fails
 * and a relabel or a tweak does not.
 */
const FLOORS = {
  complexity: 0.95,
  task: 0.97,
  adjacent: 0.99,
  perLanguageComplexity: 0.92,
  perLanguageTask: 0.95,
  holdoutComplexity: 0.9,
  holdoutTask: 0.9,
}

function expand(text: string, item: EvalItem): string {
  return item.repeat === undefined
    ? text
    : text.replace('{{REPEAT}}', item.repeat.text.repeat(item.repeat.times))
}

function messagesOf(item: EvalItem): ChatMessage[] {
  const base = item.messages ?? [{ role: 'user' as const, content: item.prompt ?? '' }]
  return base.map((m) => ({ role: m.role, content: expand(m.content, item) }))
}

interface Tally {
  n: number
  complexity: number
  task: number
  adjacent: number
}

const emptyTally = (): Tally => ({ n: 0, complexity: 0, task: 0, adjacent: 0 })
const pct = (k: number, n: number) =>
  n === 0 ? '   -  ' : `${((100 * k) / n).toFixed(1)}%`.padStart(6)

describe('classifier accuracy on tests/fixtures/classifier-eval.yaml', () => {
  const path = join(__dirname, '../../../fixtures/classifier-eval.yaml')
  const set = EvalSet.parse(parse(readFileSync(path, 'utf8')))
  const groups = new Map<string, Tally>()
  const misses: string[] = []
  const add = (key: string, ok: { c: boolean; t: boolean; a: boolean }) => {
    const g = groups.get(key) ?? emptyTally()
    g.n++
    if (ok.c) g.complexity++
    if (ok.t) g.task++
    if (ok.a) g.adjacent++
    groups.set(key, g)
  }
  for (const item of set.items) {
    const got = classify(messagesOf(item))
    const distance = Math.abs(LEVELS.indexOf(got.complexity) - LEVELS.indexOf(item.complexity))
    const ok = { c: distance === 0, t: got.taskType === item.task, a: distance <= 1 }
    for (const key of ['all', `lang:${item.lang}`, `split:${item.split}`, `task:${item.task}`]) {
      add(key, ok)
    }
    if (!ok.c || !ok.t) {
      const text = messagesOf(item).at(-1)?.content ?? ''
      misses.push(
        `  want ${item.complexity}/${item.task}, got ${got.complexity}/${got.taskType} ` +
          `[${got.reasons.join(',')}]: ${JSON.stringify(text.slice(0, 70))}`,
      )
    }
  }
  const tally = (key: string) => groups.get(key) ?? emptyTally()

  it('prints the accuracy table', () => {
    const rows = [...groups.entries()]
      .sort(([a], [b]) => (a === 'all' ? -1 : b === 'all' ? 1 : a.localeCompare(b)))
      .map(
        ([key, g]) =>
          `${key.padEnd(18)} ${String(g.n).padStart(4)}  ${pct(g.complexity, g.n)}  ` +
          `${pct(g.adjacent, g.n)}  ${pct(g.task, g.n)}`,
      )
    console.log(
      [
        'classifier eval     n  complexity  ±1 level  task',
        ...rows,
        `misses (${misses.length}):`,
        ...misses,
      ].join('\n'),
    )
    expect(tally('all').n).toBe(set.items.length)
  })

  it('overall accuracy is above the floors', () => {
    const all = tally('all')
    expect(all.complexity / all.n).toBeGreaterThanOrEqual(FLOORS.complexity)
    expect(all.task / all.n).toBeGreaterThanOrEqual(FLOORS.task)
    expect(all.adjacent / all.n).toBeGreaterThanOrEqual(FLOORS.adjacent)
  })

  it.each(['en', 'ru', 'de'])('accuracy in %s is above the floors', (lang) => {
    const g = tally(`lang:${lang}`)
    expect(g.n).toBeGreaterThanOrEqual(40)
    expect(g.complexity / g.n).toBeGreaterThanOrEqual(FLOORS.perLanguageComplexity)
    expect(g.task / g.n).toBeGreaterThanOrEqual(FLOORS.perLanguageTask)
  })

  it('the held-out split is above its floors', () => {
    const g = tally('split:holdout')
    expect(g.n).toBeGreaterThanOrEqual(40)
    expect(g.complexity / g.n).toBeGreaterThanOrEqual(FLOORS.holdoutComplexity)
    expect(g.task / g.n).toBeGreaterThanOrEqual(FLOORS.holdoutTask)
  })

  it('covers every task type and complexity level', () => {
    const tasks = new Set(set.items.map((i) => i.task))
    const levels = new Set(set.items.map((i) => i.complexity))
    expect(tasks.size).toBe(6)
    expect(levels.size).toBe(4)
  })
})

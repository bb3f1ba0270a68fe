import { describe, expect, it } from 'vitest'
import {
  ModuleSelectionError,
  changedModules,
  coreFolderOf,
  selectModules,
} from '../../../tools/mutate/modules'
import {
  belowFloor,
  renderSurvivors,
  renderTable,
  summarise,
  type MutantOutcome,
} from '../../../tools/mutate/report'

const FILES = [
  'electron/core/routing/router.ts',
  'electron/core/routing/scoring.ts',
  'electron/core/routing/index.ts',
  'electron/core/routing/classifier-lexicon.ts',
  'electron/core/chat/chat-executor.ts',
  'electron/core/models/model-index.ts',
  'electron/core/app-core.ts',
  'electron/main/index.ts',
  'tests/unit/core/routing/router.test.ts',
]

describe('which modules are mutated', () => {
  it.each([
    ['electron/core/routing/router.ts', 'routing'],
    ['./electron/core/chat/chat-executor.ts', 'chat'],
    ['electron\\core\\api\\request-guard.ts', 'api'],
    ['electron/core/discovery/mdns/mdns-resolver.ts', 'discovery'],
    ['electron/core/routing/index.ts', null],
    ['electron/core/routing/classifier-lexicon.ts', null],
    ['electron/core/models/model-index.ts', null],
    ['electron/core/app-core.ts', null],
    ['electron/core/config/types.d.ts', null],
    ['tests/unit/core/routing/router.test.ts', null],
  ])('%s belongs to %s', (path, folder) => {
    expect(coreFolderOf(path)).toBe(folder)
  })

  it('takes a module by its full path or its path inside the core, and a folder by name', () => {
    expect(selectModules(['routing/router.ts'], FILES)).toEqual(['electron/core/routing/router.ts'])
    expect(selectModules(['electron/core/chat/chat-executor.ts'], FILES)).toEqual([
      'electron/core/chat/chat-executor.ts',
    ])
    expect(selectModules(['routing/'], FILES)).toEqual([
      'electron/core/routing/router.ts',
      'electron/core/routing/scoring.ts',
    ])
    expect(selectModules(['electron/core'], FILES)).toEqual([
      'electron/core/chat/chat-executor.ts',
      'electron/core/routing/router.ts',
      'electron/core/routing/scoring.ts',
    ])
  })

  it('lists a module named twice once', () => {
    expect(selectModules(['routing', 'routing/router.ts'], FILES)).toHaveLength(2)
  })

  it('refuses an argument that names no core module, saying what it takes', () => {
    expect(() => selectModules(['routing/route.ts'], FILES)).toThrow(ModuleSelectionError)
    expect(() => selectModules(['routing/route.ts'], FILES)).toThrow(
      /"routing\/route.ts" names no core module.*routing\/router.ts or chat\//,
    )
    expect(() => selectModules(['models/model-index.ts'], FILES)).toThrow(/names no core module/)
    // A prefix of a file name is not a folder.
    expect(() => selectModules(['routing/rout'], FILES)).toThrow(/names no core module/)
  })

  it('says why a left-out file is not mutated', () => {
    expect(() => selectModules(['routing/classifier-lexicon.ts'], FILES)).toThrow(
      /not mutated: word lists/,
    )
  })

  it('keeps only the core modules of a change', () => {
    expect(
      changedModules([
        'README.md',
        'electron/core/routing/scoring.ts',
        'electron/core/routing/index.ts',
        'tests/unit/core/routing/scoring.test.ts',
        'electron/core/api/local-api.ts',
        'electron/core/routing/scoring.ts',
      ]),
    ).toEqual(['electron/core/api/local-api.ts', 'electron/core/routing/scoring.ts'])
  })
})

function outcome(
  fileName: string,
  status: string,
  line = 0,
  extra: Partial<MutantOutcome> = {},
): MutantOutcome {
  return {
    fileName,
    status,
    mutatorName: 'ConditionalExpression',
    replacement: 'true',
    location: { start: { line, column: 4 } },
    ...extra,
  }
}

describe('scores', () => {
  const ROOT = '/repo'
  const results = [
    outcome('/repo/electron/core/routing/router.ts', 'Killed'),
    outcome('/repo/electron/core/routing/router.ts', 'Killed'),
    outcome('/repo/electron/core/routing/router.ts', 'Timeout'),
    outcome('/repo/electron/core/routing/router.ts', 'Survived', 41),
    outcome('/repo/electron/core/routing/router.ts', 'Ignored'),
    outcome('/repo/electron/core/routing/router.ts', 'CompileError'),
    outcome('/repo/electron/core/routing/scoring.ts', 'NoCoverage', 9),
    outcome('/repo/electron/core/routing/scoring.ts', 'Killed'),
    outcome('/repo/electron/core/chat/chat-executor.ts', 'RuntimeError'),
  ]
  const summary = summarise(results, ROOT)

  it('count killed and timed-out mutants as detected, over the observable ones only', () => {
    const router = summary.modules.find((m) => m.name === 'electron/core/routing/router.ts')
    // 3 detected of 4 observable: the ignored and the compile error never count.
    expect(router).toMatchObject({ killed: 2, timeout: 1, survived: 1, ignored: 1, errors: 1 })
    expect(router?.score).toBeCloseTo(75)
    const scoring = summary.modules.find((m) => m.name === 'electron/core/routing/scoring.ts')
    expect(scoring?.score).toBeCloseTo(50)
  })

  it('give a module with nothing observable no score rather than 0 or 100', () => {
    const executor = summary.modules.find((m) => m.name === 'electron/core/chat/chat-executor.ts')
    expect(executor?.score).toBeNull()
    expect(renderTable([executor!], 'module')).toContain('| n/a |')
  })

  it('add up per folder and over all', () => {
    expect(summary.folders.map((f) => [f.name, f.score])).toEqual([
      ['chat', null],
      ['routing', (100 * 4) / 6],
    ])
    expect(summary.total).toMatchObject({ killed: 3, timeout: 1, survived: 1, noCoverage: 1 })
  })

  it('list the survivors and the uncovered, in file and line order, with one-based positions', () => {
    expect(summary.survivors.map((s) => `${s.fileName}:${s.location.start.line}`)).toEqual([
      'electron/core/routing/router.ts:41',
      'electron/core/routing/scoring.ts:9',
    ])
    const text = renderSurvivors(summary.survivors)
    expect(text.split('\n')).toEqual([
      'electron/core/routing/router.ts:42:5 ConditionalExpression: true',
      'electron/core/routing/scoring.ts:10:5 ConditionalExpression (no test covers it): true',
    ])
    expect(renderSurvivors([])).toBe('No surviving mutants.')
  })

  it('fold a multi-line replacement onto its line', () => {
    const text = renderSurvivors([
      outcome('electron/core/routing/router.ts', 'Survived', 0, { replacement: '{\n  x()\n}' }),
    ])
    expect(text).toBe('electron/core/routing/router.ts:1:5 ConditionalExpression: { x() }')
  })

  it('name the modules under the floor', () => {
    expect(belowFloor(summary, 85).map((m) => m.name)).toEqual([
      'electron/core/routing/router.ts',
      'electron/core/routing/scoring.ts',
    ])
    expect(belowFloor(summary, 60).map((m) => m.name)).toEqual(['electron/core/routing/scoring.ts'])
    // A score on the floor is not under it.
    expect(belowFloor(summary, 50)).toEqual([])
  })

  it('render a Markdown table with one row per module', () => {
    const table = renderTable(summary.modules, 'module').split('\n')
    expect(table[0]).toBe(
      '| module | score | killed | timeout | survived | no coverage | ignored | errors |',
    )
    expect(table).toContain('| electron/core/routing/router.ts | 75.0 % | 2 | 1 | 1 | 0 | 1 | 1 |')
    expect(table).toHaveLength(2 + 3)
  })
})

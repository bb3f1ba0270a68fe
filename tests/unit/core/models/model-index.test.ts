import { describe, expect, it } from 'vitest'
import {
  buildModelEntries,
  uniqueModelCount,
  type LoadedModel,
  type ShowInfo,
  type TagModel,
} from '../../../../electron/core/models/model-index'

function tag(
  name: string,
  parameterSize: string,
  size = 1_000,
  extra: Partial<TagModel> = {},
): TagModel {
  return {
    name,
    model: name,
    size,
    digest: `sha-${name}`,
    details: {
      family: name.split(':')[0] ?? '',
      parameter_size: parameterSize,
      quantization_level: 'Q4_K_M',
    },
    ...extra,
  }
}

const remoteTags: TagModel[] = [
  tag('llama3.3:70b', '70.6B', 42_520_413_916),
  tag('gemma3:12b', '12.2B', 8_149_190_253),
  tag('qwen2.5-coder:14b', '14.8B', 8_988_124_298),
  tag('qwen3:14b', '14.8B', 9_276_198_565),
  tag('nomic-embed-text:latest', '137M', 274_302_450),
]

const shows = new Map<string, ShowInfo | null>([
  ['gemma3:12b', { capabilities: ['completion', 'vision'] }],
  ['qwen3:14b', { capabilities: ['completion', 'tools', 'thinking'] }],
  ['nomic-embed-text:latest', { capabilities: ['embedding'] }],
  ['llama3.3:70b', null],
])

describe('buildModelEntries', () => {
  const ps: LoadedModel[] = [
    { name: 'gemma3:12b', model: 'gemma3:12b', size: 10_000, size_vram: 10_000 },
    { name: 'llama3.3:70b', model: 'llama3.3:70b', size: 50_000, size_vram: 30_000 },
  ]
  const entries = buildModelEntries(
    'remote',
    remoteTags,
    ps,
    shows,
    [],
    new Map([['qwen3:14b', 42.5]]),
  )
  const byName = new Map(entries.map((e) => [e.name, e]))

  it.each([
    ['llama3.3:70b', 'powerful', [], true, true, false],
    ['gemma3:12b', 'balanced', ['vision'], true, true, true],
    ['qwen2.5-coder:14b', 'balanced', ['code'], true, false, null],
    ['qwen3:14b', 'balanced', ['reasoning'], true, false, null],
    ['nomic-embed-text:latest', 'fast', ['embedding'], false, false, null],
  ] as const)(
    '%s: %s %j chat=%s loaded=%s fullyInGpu=%s',
    (name, tier, specs, chat, loaded, gpu) => {
      const e = byName.get(name)
      expect(e).toBeDefined()
      expect(e?.tier).toBe(tier)
      expect(e?.specialisations).toEqual(specs)
      expect(e?.chatCapable).toBe(chat)
      expect(e?.loaded).toBe(loaded)
      expect(e?.fullyInGpu).toBe(gpu)
    },
  )

  it('carries the details, size, capabilities and measured speed', () => {
    expect(byName.get('qwen3:14b')).toEqual({
      name: 'qwen3:14b',
      serverId: 'remote',
      family: 'qwen3',
      parameterSize: '14.8B',
      parametersB: 14.8,
      quantization: 'Q4_K_M',
      sizeBytes: 9_276_198_565,
      capabilities: ['completion', 'tools', 'thinking'],
      tier: 'balanced',
      specialisations: ['reasoning'],
      chatCapable: true,
      loaded: false,
      fullyInGpu: null,
      loadedContextLength: null,
      tokensPerSecond: 42.5,
    })
    expect(byName.get('llama3.3:70b')?.capabilities).toEqual([])
    expect(byName.get('gemma3:12b')?.tokensPerSecond).toBeNull()
  })

  it('keeps the order of /api/tags and lists a duplicate tag once', () => {
    const list = buildModelEntries(
      's',
      [...remoteTags, tag('gemma3:12b', '12.2B')],
      [],
      new Map(),
      [],
    )
    expect(list.map((e) => e.name)).toEqual(remoteTags.map((t) => t.name))
  })

  it('derives the size from the tag when details are missing', () => {
    const [e] = buildModelEntries('s', [{ name: 'qwen2.5:1.5b' }], [], new Map(), [])
    expect(e).toMatchObject({
      parameterSize: '1.5B',
      parametersB: 1.5,
      tier: 'fast',
      family: '',
      sizeBytes: 0,
    })
  })

  it('matches /api/ps by `model` and treats `name` and `name:latest` alike', () => {
    const list = buildModelEntries(
      's',
      [tag('phi3:latest', '3.8B'), tag('mistral', '7.2B')],
      [
        { name: 'alias-of-phi3', model: 'phi3:latest', size: 5, size_vram: 2 },
        { name: 'mistral:latest', size: 1, size_vram: 1 },
      ],
      new Map(),
      [],
    )
    expect(list.map((e) => [e.name, e.loaded, e.fullyInGpu])).toEqual([
      ['phi3:latest', true, false],
      ['mistral', true, true],
    ])
  })

  it('keeps the context length a loaded runner was started with (a different num_ctx reloads it)', () => {
    const list = buildModelEntries(
      's',
      [tag('gemma3:12b', '12B'), tag('phi3:latest', '3.8B'), tag('qwen3:14b', '14B')],
      [
        { name: 'gemma3:12b', size: 5, size_vram: 5, context_length: 8192 },
        // Older servers do not report it; 0 is no length either.
        { name: 'phi3:latest', size: 5, size_vram: 5 },
      ],
      new Map(),
      [],
    )
    expect(list.map((e) => [e.name, e.loadedContextLength])).toEqual([
      ['gemma3:12b', 8192],
      ['phi3:latest', null],
      ['qwen3:14b', null],
    ])
  })

  it('uses capabilities listed by /api/tags when /api/show gave none', () => {
    const [e] = buildModelEntries(
      's',
      [tag('bge-m3:567m', '567M', 1, { capabilities: ['embedding'] })],
      [],
      new Map(),
      [],
    )
    expect(e).toMatchObject({ capabilities: ['embedding'], chatCapable: false })
  })

  it('an embedding-named model that declares completion may chat', () => {
    const [e] = buildModelEntries(
      's',
      [tag('embed-chat:7b', '7B')],
      [],
      new Map([['embed-chat:7b', { capabilities: ['completion'] }]]),
      [],
    )
    expect(e?.chatCapable).toBe(true)
  })

  it('applies config tier rules', () => {
    const [e] = buildModelEntries('s', [tag('gemma3:12b', '12.2B')], [], new Map(), [
      { match: 'gemma3', tier: 'powerful' },
    ])
    expect(e?.tier).toBe('powerful')
  })

  it('counts unique models across servers', () => {
    const a = buildModelEntries(
      'a',
      [tag('gemma3:1b', '1B'), tag('phi3', '3.8B')],
      [],
      new Map(),
      [],
    )
    const b = buildModelEntries(
      'b',
      [tag('gemma3:1b', '1B'), tag('phi3:latest', '3.8B')],
      [],
      new Map(),
      [],
    )
    expect(uniqueModelCount([a, b])).toBe(2)
  })
})

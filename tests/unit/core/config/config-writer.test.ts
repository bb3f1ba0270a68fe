import { describe, expect, it } from 'vitest'
import type { AillmConfig } from '../../../../shared/types'
import { CONFIG_EXAMPLE_YAML } from '../../../../electron/core/config/config-example'
import { DEFAULT_CONFIG } from '../../../../electron/core/config/config-schema'
import { renderConfigText } from '../../../../electron/core/config/config-writer'
import { parseConfig } from '../../../../electron/core/config/parse-config'

const USER_FILE = `# My AILLM setup — written by hand.
llm:
  providers:
    ollama:
      # the GPU box in the basement
      base_url: http://192.168.178.126:11434   # main server
      fallback_urls:
        - ollama-server.local:11434             # survives a changing IP
      additional_servers:
        # this laptop
        - name: localhost
          url: http://localhost:11434
          priority: SECONDARY   # keep it second
        - name: backup_gpu
          url: http://192.168.178.200:11434
          priority: FALLBACK
      auto_discover: true   # find more
# local API
api:
  port: 8000 # the default, written out anyway
`

const configOf = (text: string): AillmConfig => {
  const { config, issues } = parseConfig(text, 'config.yaml')
  expect(issues).toEqual([])
  return config!
}

const render = (text: string | null, change: (c: AillmConfig) => void) => {
  const want = structuredClone(configOf(text ?? CONFIG_EXAMPLE_YAML))
  change(want)
  const result = renderConfigText(text, want)
  if (!result.ok) throw new Error(JSON.stringify(result.issues))
  // Whatever was written must read back as exactly the config that was asked for.
  expect(configOf(result.text)).toEqual(want)
  return result.text
}

/** yaml re-renders a document: one space before `#`, blank lines may move. Compare without that. */
const lines = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.replace(/\s+#/, ' #'))

/** Lines of `after` not in `before`, and the other way round. */
const lineDiff = (before: string, after: string) => {
  const a = lines(before)
  const b = lines(after)
  return { removed: a.filter((l) => !b.includes(l)), added: b.filter((l) => !a.includes(l)) }
}

describe('renderConfigText keeps the user’s file and changes only what changed', () => {
  it('changing one priority changes one value and keeps every comment', () => {
    const text = render(USER_FILE, (c) => {
      c.llm.providers.ollama.additional_servers[0]!.priority = 'PRIMARY'
    })
    expect(lineDiff(USER_FILE, text)).toEqual({
      removed: ['          priority: SECONDARY # keep it second'],
      added: ['          priority: PRIMARY # keep it second'],
    })
    for (const comment of lines(USER_FILE).filter((l) => l.includes('#'))) {
      if (!comment.includes('SECONDARY')) expect(lines(text)).toContain(comment)
    }
  })

  it('writing the same config back changes nothing (no defaults are spelled out)', () => {
    expect(render(USER_FILE, () => undefined)).toBe(USER_FILE)
  })

  it.each([
    {
      name: 'a nested default key is added under its parent',
      change: (c: AillmConfig) => {
        c.llm.providers.ollama.timeouts.connect_ms = 800
      },
      added: ['      timeouts:', '        connect_ms: 800'],
      removed: [] as string[],
    },
    {
      name: 'a scalar top-level value',
      change: (c: AillmConfig) => {
        c.api.port = 8100
      },
      added: ['  port: 8100 # the default, written out anyway'],
      removed: ['  port: 8000 # the default, written out anyway'],
    },
    {
      name: 'a key that goes back to its default keeps its line with the new value',
      change: (c: AillmConfig) => {
        c.llm.providers.ollama.auto_discover = false
      },
      added: ['      auto_discover: false # find more'],
      removed: ['      auto_discover: true # find more'],
    },
  ])('$name', ({ change, added, removed }) => {
    const diff = lineDiff(USER_FILE, render(USER_FILE, change))
    expect(diff.added).toEqual(added)
    expect(diff.removed).toEqual(removed)
  })

  it('a list that changes length keeps the items it still has, with their comments and spelling', () => {
    const text = render(USER_FILE, (c) => {
      c.llm.providers.ollama.additional_servers.pop()
      c.llm.providers.ollama.fallback_urls.push('http://ollama.local:11434')
    })
    expect(lineDiff(USER_FILE, text)).toEqual({
      removed: [
        '        - name: backup_gpu',
        '          url: http://192.168.178.200:11434',
        '          priority: FALLBACK',
      ],
      added: ['        - http://ollama.local:11434'],
    })
  })

  it.each([
    {
      name: 'appending keeps the comments of the items already there',
      list: '        - NAS # the NAS\n',
      change: (t: string[]) => t.push('gpu-box'),
      want: '        - NAS # the NAS\n        - gpu-box\n',
    },
    {
      name: 'removing the first keeps the others as written',
      list: '        - old\n        # the NAS\n        - NAS # here\n        - pi\n',
      change: (t: string[]) => t.shift(),
      want: '        # the NAS\n        - NAS # here\n        - pi\n',
    },
    {
      name: 'removing one in the middle',
      list: '        - NAS # the NAS\n        - old\n        - pi # the Pi\n',
      change: (t: string[]) => t.splice(1, 1),
      want: '        - NAS # the NAS\n        - pi # the Pi\n',
    },
  ])('trusted_servers: $name', ({ list, change, want }) => {
    const head = 'llm:\n  providers:\n    ollama:\n      trusted_servers:\n'
    const text = render(head + list, (c) => {
      change(c.llm.providers.ollama.trusted_servers)
    })
    expect(text).toBe(head + want)
  })

  it('trusted_servers: a flow list grows in place, keeping its comment', () => {
    const file = 'llm:\n  providers:\n    ollama:\n      trusted_servers: [] # none yet\n'
    const text = render(file, (c) => {
      c.llm.providers.ollama.trusted_servers.push('NAS')
    })
    expect(text).toBe(file.replace('[]', '[ NAS ]'))
  })

  it('task_models entries are added and removed as keys', () => {
    const withCode = render(USER_FILE, (c) => {
      c.llm.providers.ollama.task_models = {
        code: ['qwen2.5-coder:14b'],
        reasoning: ['llama3.3:70b'],
      }
    })
    const without = renderConfigText(withCode, {
      ...configOf(withCode),
      llm: {
        providers: {
          ollama: {
            ...configOf(withCode).llm.providers.ollama,
            task_models: { reasoning: ['llama3.3:70b'] },
          },
        },
      },
    })
    expect(without.ok).toBe(true)
    if (!without.ok) return
    expect(without.text).not.toContain('qwen2.5-coder')
    expect(configOf(without.text).llm.providers.ollama.task_models).toEqual({
      reasoning: ['llama3.3:70b'],
    })
  })

  it('a key written with no value becomes a mapping when something goes under it', () => {
    const text = render('# mine\napi:\n', (c) => {
      c.api.port = 8200
    })
    expect(text).toBe('# mine\napi:\n  port: 8200\n')
  })
})

describe('renderConfigText on files that are not valid yet', () => {
  it('a typo’d key is removed and the bad value replaced', () => {
    const bad = 'api:\n  port: 0 # oops\n  prot: 8000\n# end\n'
    const want = structuredClone(DEFAULT_CONFIG)
    want.api.port = 8300
    const result = renderConfigText(bad, want)
    expect(result.ok && lines(result.text)).toEqual(['api:', '  port: 8300 # oops', '# end'])
  })

  it('an unknown key with a dot in its name is removed, not a crash', () => {
    const bad = 'llm:\n  providers:\n    ollama:\n      timeouts:\n        probe.ms: 100 # typo\n'
    const want = structuredClone(DEFAULT_CONFIG)
    want.api.port = 8300
    const result = renderConfigText(bad, want)
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.text).not.toContain('probe.ms')
    expect(configOf(result.text)).toEqual(want)
  })

  it('a file with YAML syntax errors is refused, with their location', () => {
    const result = renderConfigText('api:\n  port: [8000\n', DEFAULT_CONFIG)
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.issues[0]).toMatchObject({ key: '', line: 3 })
    expect(result.issues[0]?.message).toMatch(/YAML syntax error.*fix the file's YAML/)
  })
})

describe('renderConfigText with no file yet starts from the commented example', () => {
  it.each([null, '', '   \n'])('%j', (current) => {
    const want = structuredClone(DEFAULT_CONFIG)
    want.llm.providers.ollama.base_url = 'http://127.0.0.1:11500'
    want.llm.providers.ollama.additional_servers = []
    const result = renderConfigText(current, want)
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(configOf(result.text)).toEqual(want)
    expect(result.text).toContain('# Use Ollama at all. Default: true.')
    expect(lineDiff(CONFIG_EXAMPLE_YAML, result.text).added).toEqual([
      '      base_url: http://127.0.0.1:11500',
      '      additional_servers: []',
    ])
  })
})

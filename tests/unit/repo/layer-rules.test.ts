/**
 * The layers of style.md point 1 are enforced by ESLint; this proves the rules fire (and stay quiet on allowed imports).
 */
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../../../electron/serve/serve'

const eslint = new ESLint({ cwd: REPO_ROOT })

async function restrictedImportErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath })
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax')
    .map((m) => m.message)
}

describe('layer rules', () => {
  it.each([
    [
      'renderer/views/x.ts',
      "import { createAppCore } from '../../electron/core/app-core'",
      /renderer\/ imports only shared/,
    ],
    ['renderer/views/x.ts', "import { readFileSync } from 'node:fs'", /no Node built-ins/],
    ['renderer/x.ts', "import { ipcRenderer } from 'electron'", /never Electron/],
    [
      'shared/x.ts',
      "import { Emitter } from '../electron/core/emitter'",
      /shared\/ imports nothing/,
    ],
    ['shared/x.ts', "import { join } from 'node:path'", /no Node built-ins/],
    ['electron/core/routing/x.ts', "import { app } from 'electron'", /plain Node/],
    ['electron/serve/x.ts', "import { app } from 'electron'", /plain Node/],
    [
      'electron/core/x.ts',
      "import { buildTrayMenu } from '../main/tray-menu'",
      /imports only shared/,
    ],
    ['electron/main/windows.ts', "import { ipcMain } from 'electron'", /ipc-transport/],
  ])('%s: %s is refused', async (file, code, message) => {
    const errors = await restrictedImportErrors(file, `${code}\nexport const used = 1\n`)
    expect(errors.some((e) => message.test(e))).toBe(true)
  })

  it.each([
    ['renderer/views/x.ts', "import type { ServerView } from '../../shared/types'"],
    ['electron/core/x.ts', "import type { ServerView } from '../../shared/types'"],
    ['electron/main/x.ts', "import { app } from 'electron'"],
    ['electron/main/ipc-transport.ts', "import { ipcMain } from 'electron'"],
  ])('%s: %s is allowed', async (file, code) => {
    expect(await restrictedImportErrors(file, `${code}\nexport const used = 1\n`)).toEqual([])
  })
})

/**
 * "Edit config…" opens config.yaml in the user's editor; a first-time user has none yet, so it is
 * created from the commented example that ships with the core (every key explained).
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { CONFIG_EXAMPLE_YAML } from '../core/config/config-example'

/** Creates `path` (and its folder) from the example unless it exists; true when it was created. */
export function ensureConfigFile(path: string, exampleText: string = CONFIG_EXAMPLE_YAML): boolean {
  mkdirSync(dirname(path), { recursive: true })
  try {
    // 'wx': an existing file — or one the user created a moment ago — is never overwritten.
    writeFileSync(path, exampleText, { encoding: 'utf8', flag: 'wx' })
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw err
  }
}

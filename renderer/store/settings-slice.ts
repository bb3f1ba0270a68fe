import type { ConfigSetResult } from '../../shared/contract'
import type { AillmConfig, ConfigIssue, ConfigView, ServerTestResult } from '../../shared/types'
import type { SliceCreator } from './store-types'
import { messageOf } from './store-types'

/** The config in force, and the outcome of the last save. */
export interface SettingsSlice {
  configView: ConfigView | null
  /** Problems the core refused the last save with (nothing was written then). */
  saveIssues: ConfigIssue[]
  saveState: 'idle' | 'saving' | 'saved' | 'refused' | 'failed'
  saveError: string | null
  saveConfig(config: AillmConfig): Promise<ConfigSetResult | null>
  /** Forgets a refused or failed save (changes discarded, or a newer config took over). */
  clearSaveOutcome(): void
  /** Probes an address once ("Test connection"); a refused call (a bad URL) comes back as its message. */
  testConnection(
    url: string,
  ): Promise<{ ok: true; result: ServerTestResult } | { ok: false; message: string }>
}

/** Creates the settings slice. */
export const createSettingsSlice: SliceCreator<SettingsSlice> = (client) => (set, get) => ({
  configView: null,
  saveIssues: [],
  saveState: 'idle',
  saveError: null,
  async saveConfig(config) {
    set({ saveState: 'saving', saveError: null })
    try {
      const result = await client.invoke('config:set', config)
      if (result.ok) set({ configView: result.view, saveIssues: [], saveState: 'saved' })
      else set({ saveIssues: result.issues, saveState: 'refused' })
      return result
    } catch (err) {
      set({ saveState: 'failed', saveError: `Could not save: ${messageOf(err)}` })
      return null
    }
  },
  async testConnection(url) {
    try {
      return { ok: true, result: await client.invoke('servers:test', url) }
    } catch (err) {
      return { ok: false, message: messageOf(err) }
    }
  },
  clearSaveOutcome() {
    const { saveState, saveIssues, saveError } = get()
    if (
      saveIssues.length === 0 &&
      saveError === null &&
      saveState !== 'refused' &&
      saveState !== 'failed'
    )
      return
    // "Saved" may stay: it is still true of the file.
    set({
      saveIssues: [],
      saveError: null,
      saveState: saveState === 'refused' || saveState === 'failed' ? 'idle' : saveState,
    })
  },
})

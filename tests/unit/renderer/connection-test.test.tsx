// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it } from 'vitest'
import { createAppStore } from '../../../renderer/store/app-store'
import { connectStore } from '../../../renderer/store/bridge'
import { StoreProvider } from '../../../renderer/store/store-context'
import { connectionTestWords } from '../../../renderer/views/settings/connection-test'
import { SettingsView } from '../../../renderer/views/settings/settings-view'
import { FakeCore, flush } from './fake-core'

afterEach(cleanup)

describe('connectionTestWords', () => {
  it.each([
    [
      { ok: true, url: 'u', hostPort: 'box:11434', version: '0.12.3', models: 5, latencyMs: 12 },
      'Reachable at box:11434: Ollama 0.12.3, 5 models, 12 ms',
    ],
    [
      { ok: true, url: 'u', hostPort: 'box:11434', version: null, models: 1, latencyMs: 3 },
      'Reachable at box:11434: Ollama (version unknown), 1 model, 3 ms',
    ],
    [
      { ok: true, url: 'u', hostPort: 'box:11434', version: '0.1', models: null, latencyMs: 3 },
      'Reachable at box:11434: Ollama 0.1, models unknown, 3 ms',
    ],
    [
      { ok: false, url: 'u', hostPort: '10.0.0.9:11434', error: 'connection refused' },
      'Could not reach 10.0.0.9:11434: connection refused',
    ],
  ] as const)('%j → %s', (result, words) => {
    expect(connectionTestWords(result)).toBe(words)
  })
})

describe('Test connection in Settings', () => {
  it('probes what the field says now, unsaved, and says the result (or the refusal) in words', async () => {
    const core = new FakeCore({
      'servers:test': async (url) => {
        if (!url.startsWith('http')) throw new Error(`"${url}" needs http:// in front`)
        return {
          ok: true,
          url,
          hostPort: 'edited:11434',
          version: '0.12.3',
          models: 2,
          latencyMs: 7,
        }
      },
    })
    const store = createAppStore(core)
    connectStore(store, core, { setTimer: () => undefined })
    render(
      <StoreProvider store={store}>
        <SettingsView />
      </StoreProvider>,
    )
    await act(flush)
    const field = screen.getByRole('textbox', { name: 'Main server URL (base_url)' })
    await userEvent.clear(field)
    await userEvent.type(field, 'http://edited:11434')
    await userEvent.click(
      screen.getByRole('button', { name: 'Test connection to the main server' }),
    )
    await act(flush)
    const out = screen.getByRole('status', { name: 'Connection test of the main server' })
    expect(out.textContent).toBe('Reachable at edited:11434: Ollama 0.12.3, 2 models, 7 ms')
    expect(core.calls.filter((c) => c.channel === 'servers:test').map((c) => c.args)).toEqual([
      ['http://edited:11434'],
    ])
    // Edited after the test: the result says which address it was for.
    await userEvent.type(field, '0')
    expect(out.textContent).toMatch(/\(for http:\/\/edited:11434; the address has changed since\)$/)
    await userEvent.clear(field)
    await userEvent.type(field, 'edited')
    await userEvent.click(
      screen.getByRole('button', { name: 'Test connection to the main server' }),
    )
    await act(flush)
    expect(out.textContent).toBe('"edited" needs http:// in front')
  })
})

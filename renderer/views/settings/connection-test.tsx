import { useState } from 'react'
import '../../styles/connection-test.css'
import type { ServerTestResult } from '../../../shared/types'
import { useAppStore } from '../../store/store-context'

/** A test's outcome in words: "Reachable: Ollama 0.12.3, 5 models, 12 ms" or the host:port and the cause. */
export function connectionTestWords(r: ServerTestResult): string {
  if (!r.ok) return `Could not reach ${r.hostPort}: ${r.error}`
  const version = r.version === null ? 'Ollama (version unknown)' : `Ollama ${r.version}`
  const models =
    r.models === null ? 'models unknown' : `${r.models} ${r.models === 1 ? 'model' : 'models'}`
  return `Reachable at ${r.hostPort}: ${version}, ${models}, ${r.latencyMs} ms`
}

type TestState =
  | { kind: 'idle' }
  | { kind: 'testing'; url: string }
  | { kind: 'done'; result: ServerTestResult; url: string }
  | { kind: 'failed'; message: string; url: string }

/**
 * "Test connection" next to a server's address: probes what the field says now (saved or not) and says
 * what came back. A result for an address since edited is marked as such, so it never seems to vouch
 * for the new text.
 */
export function ConnectionTest({ url, what }: { url: string; what: string }) {
  const test = useAppStore((s) => s.testConnection)
  const [state, setState] = useState<TestState>({ kind: 'idle' })
  const run = (): void => {
    const asked = url
    setState({ kind: 'testing', url: asked })
    void test(asked).then((r) =>
      setState(
        r.ok
          ? { kind: 'done', result: r.result, url: asked }
          : { kind: 'failed', message: r.message, url: asked },
      ),
    )
  }
  const stale = state.kind !== 'idle' && state.url !== url
  const ok = state.kind === 'done' && state.result.ok
  return (
    <div className="connection-test">
      <button
        type="button"
        aria-label={`Test connection to ${what}`}
        disabled={state.kind === 'testing'}
        onClick={run}
      >
        {state.kind === 'testing' ? 'Testing…' : 'Test connection'}
      </button>
      <output
        className={`small ${state.kind === 'idle' || state.kind === 'testing' ? 'muted' : ok ? 'test-ok' : 'inline-error'}`}
        aria-live="polite"
        aria-label={`Connection test of ${what}`}
      >
        {state.kind === 'testing' && `Testing ${state.url}…`}
        {state.kind === 'done' && connectionTestWords(state.result)}
        {state.kind === 'failed' && state.message}
        {stale && state.kind !== 'testing' && ` (for ${state.url}; the address has changed since)`}
      </output>
    </div>
  )
}

import { useEffect, useId, useState } from 'react'
import type { ReactElement } from 'react'
import type {
  AillmConfig,
  ConfigIssue,
  OllamaProviderConfig,
  Priority,
} from '../../../shared/types'
import { useAppStore } from '../../store/store-context'
import { applyFormEdits } from './form-edits'
import { ConnectionTest } from './connection-test'
import { RestartNotice } from './restart-notice'

const P = 'llm.providers.ollama'
const PRIORITIES: Priority[] = ['PRIMARY', 'SECONDARY', 'FALLBACK']

/** Where an issue sits in the file, e.g. "line 4, column 7". */
export function issuePlace(i: ConfigIssue): string {
  if (i.line === null) return ''
  return `line ${i.line}${i.column !== null ? `, column ${i.column}` : ''}`
}

/** The issues whose key is exactly this field's key. */
export function issuesAt(issues: ConfigIssue[], key: string): ConfigIssue[] {
  return issues.filter((i) => i.key === key)
}

/** A labelled control with the issues of its key shown inline next to it. */
function Field({
  label,
  issueKey,
  issues,
  children,
}: {
  label: string
  issueKey: string
  issues: ConfigIssue[]
  children: (a11y: {
    id: string
    'aria-invalid': boolean
    'aria-describedby': string | undefined
  }) => ReactElement
}) {
  const id = useId()
  const mine = issuesAt(issues, issueKey)
  const errId = `${id}-err`
  return (
    <div className={`field${mine.length ? ' has-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        'aria-invalid': mine.length > 0,
        'aria-describedby': mine.length ? errId : undefined,
      })}
      {mine.length > 0 && (
        <span id={errId} className="inline-error" role="alert">
          {mine.map((i) => `${i.message}${issuePlace(i) ? ` (${issuePlace(i)})` : ''}`).join('; ')}
        </span>
      )}
    </div>
  )
}

function Check({
  label,
  hint,
  checked,
  onChange,
  issueKey,
  issues,
}: {
  label: string
  hint: string
  checked: boolean
  onChange: (v: boolean) => void
  issueKey: string
  issues: ConfigIssue[]
}) {
  const mine = issuesAt(issues, issueKey)
  return (
    <div className="field check">
      <label>
        <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
        {label}
      </label>
      <span className="muted small">{hint}</span>
      {mine.length > 0 && (
        <span className="inline-error" role="alert">
          {mine.map((i) => i.message).join('; ')}
        </span>
      )}
    </div>
  )
}

/** Settings: servers, distributed mode, discovery, local API — edited on a copy, saved with config:set. */
export function SettingsView() {
  const view = useAppStore((s) => s.configView)
  const saveIssues = useAppStore((s) => s.saveIssues)
  const saveState = useAppStore((s) => s.saveState)
  const saveError = useAppStore((s) => s.saveError)
  const saveConfig = useAppStore((s) => s.saveConfig)
  const clearSaveOutcome = useAppStore((s) => s.clearSaveOutcome)
  const [draft, setDraft] = useState<AillmConfig | null>(null)
  // The config the draft was copied from: Save writes only what differs from it.
  const [base, setBase] = useState<AillmConfig | null>(null)
  const [dirty, setDirty] = useState(false)

  // Follow the file while the user has not started editing (another window or the file changed it);
  // a refused save's issues no longer describe what the form shows then.
  useEffect(() => {
    if (view && !dirty) {
      setDraft(structuredClone(view.config))
      setBase(structuredClone(view.config))
      clearSaveOutcome()
    }
  }, [view, dirty, clearSaveOutcome])

  if (!view || !draft || !base) return <div className="view settings muted">Loading settings…</div>

  const o = draft.llm.providers.ollama
  const issues = [...saveIssues, ...view.issues]
  const edit = (fn: (o: OllamaProviderConfig, c: AillmConfig) => void): void => {
    const next = structuredClone(draft)
    fn(next.llm.providers.ollama, next)
    setDraft(next)
    setDirty(true)
  }

  return (
    <form
      className="view settings"
      onSubmit={(e) => {
        e.preventDefault()
        void saveConfig(applyFormEdits(base, draft, view.config)).then((r) => {
          if (r?.ok) setDirty(false)
        })
      }}
    >
      <div className="view-header">
        <h2>Settings</h2>
        <span className="muted small">
          Config file: <code>{view.path}</code>
        </span>
      </div>

      <RestartNotice pending={view.restartNeeded} />

      {issues.length > 0 && (
        <div className="banner banner-error" role="alert">
          <strong>
            {saveIssues.length > 0
              ? 'Not saved — fix these first:'
              : 'The config file has errors (the last good config is in force):'}
          </strong>
          <ul className="issues">
            {issues.map((i, n) => (
              <li key={n}>
                {issuePlace(i) && <span>{issuePlace(i)} — </span>}
                <code>{i.key || '(file)'}</code>: {i.message}
              </li>
            ))}
          </ul>
        </div>
      )}

      <fieldset>
        <legend>Main server</legend>
        <Field label="Main server URL (base_url)" issueKey={`${P}.base_url`} issues={issues}>
          {(a) => (
            <input
              {...a}
              type="text"
              placeholder="http://192.168.1.10:11434"
              value={o.base_url ?? ''}
              onChange={(e) =>
                edit((c) => {
                  c.base_url = e.target.value.trim() === '' ? null : e.target.value
                })
              }
            />
          )}
        </Field>
        <ConnectionTest url={o.base_url ?? ''} what="the main server" />
        <p className="muted small">
          Other addresses of the main server (fallback_urls), tried in order — e.g. its mDNS name.
        </p>
        {o.fallback_urls.map((u, i) => (
          <div className="row" key={i}>
            <Field
              label={`Fallback address ${i + 1}`}
              issueKey={`${P}.fallback_urls.${i}`}
              issues={issues}
            >
              {(a) => (
                <input
                  {...a}
                  type="text"
                  value={u}
                  onChange={(e) =>
                    edit((c) => {
                      c.fallback_urls[i] = e.target.value
                    })
                  }
                />
              )}
            </Field>
            <ConnectionTest url={u} what={`fallback address ${i + 1}`} />
            <button
              type="button"
              aria-label={`Remove fallback address ${i + 1}`}
              onClick={() => edit((c) => void c.fallback_urls.splice(i, 1))}
            >
              Remove
            </button>
          </div>
        ))}
        <button type="button" onClick={() => edit((c) => void c.fallback_urls.push(''))}>
          Add fallback address
        </button>
      </fieldset>

      <fieldset>
        <legend>Additional servers</legend>
        {o.additional_servers.length === 0 && <p className="muted small">None yet.</p>}
        {o.additional_servers.map((s, i) => {
          const rowKey = `${P}.additional_servers.${i}`
          const n = i + 1
          return (
            <div className="server-row" key={i} role="group" aria-label={`Server ${n}`}>
              <Field label={`Name of server ${n}`} issueKey={`${rowKey}.name`} issues={issues}>
                {(a) => (
                  <input
                    {...a}
                    type="text"
                    value={s.name}
                    onChange={(e) =>
                      edit((c) => {
                        const t = c.additional_servers[i]
                        if (t) t.name = e.target.value
                      })
                    }
                  />
                )}
              </Field>
              <Field label={`URL of server ${n}`} issueKey={`${rowKey}.url`} issues={issues}>
                {(a) => (
                  <input
                    {...a}
                    type="text"
                    value={s.url}
                    onChange={(e) =>
                      edit((c) => {
                        const t = c.additional_servers[i]
                        if (t) t.url = e.target.value
                      })
                    }
                  />
                )}
              </Field>
              <ConnectionTest url={s.url} what={`server ${s.name || n}`} />
              <Field
                label={`Priority of server ${n}`}
                issueKey={`${rowKey}.priority`}
                issues={issues}
              >
                {(a) => (
                  <select
                    {...a}
                    value={s.priority}
                    onChange={(e) =>
                      edit((c) => {
                        const t = c.additional_servers[i]
                        if (t) t.priority = e.target.value as Priority
                      })
                    }
                  >
                    {PRIORITIES.map((p) => (
                      <option key={p}>{p}</option>
                    ))}
                  </select>
                )}
              </Field>
              <button
                type="button"
                aria-label={`Remove server ${s.name || n}`}
                onClick={() => edit((c) => void c.additional_servers.splice(i, 1))}
              >
                Remove
              </button>
              {issuesAt(issues, rowKey).map((iss, k) => (
                <span key={k} className="inline-error" role="alert">
                  {iss.message}
                </span>
              ))}
            </div>
          )
        })}
        <button
          type="button"
          onClick={() =>
            edit((c) =>
              c.additional_servers.push({
                name: `server${c.additional_servers.length + 1}`,
                url: 'http://',
                priority: 'SECONDARY',
              }),
            )
          }
        >
          Add server
        </button>
        <p className="muted small">
          PRIMARY: for all tasks by default · SECONDARY: for fallback or specific tasks · FALLBACK:
          only when the others are unavailable.
        </p>
      </fieldset>

      <fieldset>
        <legend>Routing and discovery</legend>
        <Check
          label="Distributed mode"
          hint="Route each message across all servers; off = talk to one server like a plain client."
          checked={o.distributed_mode}
          onChange={(v) => edit((c) => void (c.distributed_mode = v))}
          issueKey={`${P}.distributed_mode`}
          issues={issues}
        />
        <Check
          label="Auto-discover servers on the LAN"
          hint="Browse mDNS for _ollama._tcp and resolve *.local names."
          checked={o.auto_discover}
          onChange={(v) => edit((c) => void (c.auto_discover = v))}
          issueKey={`${P}.auto_discover`}
          issues={issues}
        />
        <Check
          label="Trust discovered servers automatically"
          hint="Otherwise a discovered server is shown on the dashboard and used only once you trust it."
          checked={o.trust_discovered}
          onChange={(v) => edit((c) => void (c.trust_discovered = v))}
          issueKey={`${P}.trust_discovered`}
          issues={issues}
        />
      </fieldset>

      <fieldset>
        <legend>Local API (Ollama / OpenAI compatible)</legend>
        <Field label="API host" issueKey="api.host" issues={issues}>
          {(a) => (
            <input
              {...a}
              type="text"
              value={draft.api.host}
              onChange={(e) => edit((_o, c) => void (c.api.host = e.target.value))}
            />
          )}
        </Field>
        <Field label="API port" issueKey="api.port" issues={issues}>
          {(a) => (
            <input
              {...a}
              type="number"
              min={1}
              max={65535}
              value={Number.isFinite(draft.api.port) ? draft.api.port : ''}
              onChange={(e) => edit((_o, c) => void (c.api.port = Number(e.target.value)))}
            />
          )}
        </Field>
        <p className="muted small">
          A host other than 127.0.0.1 exposes the API to the LAN and needs a token.
        </p>
      </fieldset>

      <div className="form-actions">
        <button type="submit" className="primary" disabled={saveState === 'saving'}>
          {saveState === 'saving' ? 'Saving…' : 'Save'}
        </button>
        <button
          type="button"
          disabled={!dirty}
          // The effect above then copies the config in force and forgets a refused save.
          onClick={() => setDirty(false)}
        >
          Discard changes
        </button>
        <span role="status" className="muted">
          {saveState === 'saved' && !dirty ? 'Saved (comments in the file are kept).' : ''}
          {dirty ? 'Unsaved changes' : ''}
        </span>
        {saveError && (
          <span role="alert" className="inline-error">
            {saveError}
          </span>
        )}
      </div>
    </form>
  )
}

import { useShallow } from 'zustand/react/shallow'
import type { ServerView } from '../../../shared/types'
import { useAppStore } from '../../store/store-context'
import { clock } from '../../format'
import { ModelMatrix } from './model-matrix'
import { ServerMap } from './server-map'

/** What to check when no server answers: the three usual causes, and where the config lives. */
export function NoServerHelp({ configPath }: { configPath: string | null }) {
  return (
    <div className="empty" role="note">
      <h3>No Ollama server is reachable</h3>
      <ul>
        <li>
          Is Ollama running? On each machine: <code>ollama serve</code> (or start the Ollama app),
          then <code>curl http://localhost:11434/api/version</code>.
        </li>
        <li>
          On the GPU box, Ollama listens only on itself by default: start it with{' '}
          <code>OLLAMA_HOST=0.0.0.0</code> so the laptop can reach it, and open port 11434 in its
          firewall.
        </li>
        <li>
          Are the addresses right? They are in your config file
          {configPath ? (
            <>
              {' '}
              <code>{configPath}</code>
            </>
          ) : null}{' '}
          — edit them under <a href="#/settings">Settings</a>.
        </li>
      </ul>
    </div>
  )
}

function offlineNotes(servers: ServerView[]) {
  return servers.flatMap((s) =>
    s.health.kind === 'offline' && s.trusted
      ? [
          {
            id: s.id,
            text: `${s.name} is offline since ${clock(s.health.since)}: ${s.health.error}`,
          },
        ]
      : [],
  )
}

/** The dashboard: map of servers and models, the model × server matrix, discovery controls. */
export function DashboardView() {
  const servers = useAppStore((s) => s.servers)
  const lit = useAppStore((s) => s.litUntil)
  const loaded = useAppStore((s) => s.loaded)
  const trust = useAppStore((s) => s.trust)
  const rediscover = useAppStore((s) => s.rediscover)
  const rediscovering = useAppStore((s) => s.rediscovering)
  const serversError = useAppStore((s) => s.serversError)
  const configPath = useAppStore((s) => s.configView?.path ?? null)
  const configIssues = useAppStore(useShallow((s) => s.configView?.issues ?? []))
  const untrusted = servers.filter((s) => !s.trusted)
  const trusted = servers.filter((s) => s.trusted)
  const reachable = trusted.filter(
    (s) => s.health.kind === 'online' || s.health.kind === 'degraded',
  )
  const modelCount = reachable.reduce((n, s) => n + s.models.length, 0)
  const offline = offlineNotes(servers)

  return (
    <div className="view dashboard">
      <div className="view-header">
        <h2>Servers and models</h2>
        <button type="button" onClick={() => void rediscover()} disabled={rediscovering}>
          {rediscovering ? 'Rediscovering…' : 'Rediscover'}
        </button>
      </div>
      {serversError && (
        <p role="alert" className="inline-error">
          {serversError}
        </p>
      )}
      {configIssues.length > 0 && (
        <div className="banner banner-error" role="alert">
          <strong>Your config file has errors</strong> (the last good config is in force):
          <ul>
            {configIssues.map((i, n) => (
              <li key={n}>
                {i.line !== null
                  ? `line ${i.line}${i.column !== null ? `:${i.column}` : ''} — `
                  : ''}
                <code>{i.key}</code>: {i.message}
              </li>
            ))}
          </ul>
          <a href="#/settings">Open Settings</a>
        </div>
      )}
      {offline.length > 0 && reachable.length > 0 && (
        <div className="banner banner-warn" role="status" aria-live="polite">
          {offline.map((o) => (
            <div key={o.id}>{o.text} — requests go to the other servers.</div>
          ))}
        </div>
      )}
      {loaded &&
        trusted.length > 0 &&
        reachable.length === 0 &&
        !trusted.some((s) => s.health.kind === 'probing') && (
          <NoServerHelp configPath={configPath} />
        )}
      {loaded && servers.length === 0 && (
        <div className="empty">
          <h3>No servers configured or found yet</h3>
          <p>
            Add your Ollama servers under <a href="#/settings">Settings</a>, or turn on
            auto-discover to find them on the LAN, then press Rediscover.
          </p>
          <NoServerHelp configPath={configPath} />
        </div>
      )}
      {reachable.length > 0 && modelCount === 0 && (
        <div className="empty" role="note">
          <h3>No models yet</h3>
          <p>
            The reachable servers have no models. Pull one on the server, e.g.{' '}
            <code>ollama pull gemma3:1b</code>, and it appears here within a minute (or press
            Rediscover).
          </p>
        </div>
      )}
      {untrusted.length > 0 && (
        <section className="discovered" aria-labelledby="discovered-h">
          <h3 id="discovered-h">Discovered on the LAN — not used until you trust them</h3>
          <ul>
            {untrusted.map((s) => (
              <li key={s.id}>
                <strong>{s.name}</strong> <span className="muted">{s.url}</span>{' '}
                <span className="muted">({s.models.length} models)</span>{' '}
                <button type="button" onClick={() => void trust(s.id)}>
                  Trust {s.name}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
      {!loaded && <p className="muted">Loading servers…</p>}
      {servers.length > 0 && (
        <div className="dashboard-grid">
          <ServerMap servers={servers} lit={lit} onTrust={(id) => void trust(id)} />
          <ModelMatrix servers={servers} />
        </div>
      )}
    </div>
  )
}

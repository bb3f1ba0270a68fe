import { useMemo } from 'react'
import { Background, Controls, Handle, Position, ReactFlow } from '@xyflow/react'
import type { Edge, Node, NodeProps } from '@xyflow/react'
import '@xyflow/react/dist/style.css'
import type { ServerView } from '../../../shared/types'
import { STATUS_WORDS, fleetStatus, latencyWords, statusDetail } from '../../format'
import '../../styles/fleet.css'
import { LoadedMark, TierBadge } from '../../components/tier-badge'

type LaptopNode = Node<{ label: string }, 'laptop'>
type ServerNode = Node<{ server: ServerView; onTrust: (id: string) => void }, 'server'>

/** Status → the colour class of a server node and its edge: the one language of format.ts. */
export function statusClass(s: ServerView): string {
  return `status-${fleetStatus(s)}`
}

function LaptopCard({ data }: NodeProps<LaptopNode>) {
  return (
    <div className="map-node laptop" aria-label="This computer">
      <svg className="laptop-icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
        <rect
          x="4"
          y="5"
          width="16"
          height="10"
          rx="1.5"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.8"
        />
        <path d="M2 18h20" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
      </svg>
      <strong>{data.label}</strong>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  )
}

/** One server on the map: status, priority, latency, addresses, source and its models. */
export function ServerCard({
  server: s,
  onTrust,
}: {
  server: ServerView
  onTrust: (id: string) => void
}) {
  const offline = fleetStatus(s) === 'offline'
  return (
    <section className={`map-node server ${statusClass(s)}`} aria-label={`Server ${s.name}`}>
      <header>
        <span className="status-dot" aria-hidden="true" />
        <strong>{s.name}</strong>
        <span className="badge priority">{s.priority}</span>
        <span className="badge source">{s.source}</span>
      </header>
      <div className="small">
        <span className="status-word">{STATUS_WORDS[fleetStatus(s)]}</span>
        {statusDetail(s) && <span className="muted"> — {statusDetail(s)}</span>}
      </div>
      <div className="small">
        {s.url}
        {s.resolvedAddress ? ` (${s.resolvedAddress})` : ''}
      </div>
      <div className="muted small">
        <LatencyLine server={s} />
        {s.inFlight > 0 ? ` · ${s.inFlight} in flight` : ''}
      </div>
      {!s.trusted && (
        <button type="button" className="nodrag" onClick={() => onTrust(s.id)}>
          Trust {s.name}
        </button>
      )}
      {s.models.length === 0 ? (
        <p className="muted small">
          No models{s.health.kind === 'online' ? ' installed' : ' known'}
        </p>
      ) : (
        <ul className="model-list">
          {s.models.map((m) => (
            <li key={m.name}>
              <span className={offline ? 'model-offline' : undefined}>{m.name}</span>{' '}
              <TierBadge tier={m.tier} />
              {m.loaded && !offline && <LoadedMark />}
              {offline && <span className="visually-hidden"> (unavailable: server offline)</span>}
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}

/** The latency, once per card: the moving average, greyed and marked stale when the server is gone. */
function LatencyLine({ server }: { server: ServerView }) {
  const l = latencyWords(server)
  if (!l) return <>latency —</>
  return <span className={l.stale ? 'latency stale' : 'latency'}>latency {l.text}</span>
}

function ServerNodeView({ data }: NodeProps<ServerNode>) {
  return (
    <>
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <ServerCard server={data.server} onTrust={data.onTrust} />
    </>
  )
}

/** The smallest zoom: 14 px card text × 0.86 = 12 px, the least that stays readable. */
export const MIN_READABLE_ZOOM = 0.86

const nodeTypes = { laptop: LaptopCard, server: ServerNodeView }

/** The map: this computer on the left, an edge to every server; an edge lights up when routed to. */
export function ServerMap({
  servers,
  lit,
  onTrust,
}: {
  servers: ServerView[]
  lit: Record<string, number>
  onTrust: (id: string) => void
}) {
  const { nodes, edges } = useMemo(() => {
    const rowH = (s: ServerView) => 150 + s.models.length * 26
    const total = servers.reduce((sum, s) => sum + rowH(s) + 30, 0)
    let y = 0
    const serverNodes: ServerNode[] = servers.map((s) => {
      const node: ServerNode = {
        id: `server:${s.id}`,
        type: 'server',
        position: { x: 320, y },
        data: { server: s, onTrust },
      }
      y += rowH(s) + 30
      return node
    })
    const laptop: LaptopNode = {
      id: 'laptop',
      type: 'laptop',
      position: { x: 0, y: Math.max(0, total / 2 - 40) },
      data: { label: 'This computer' },
    }
    const edges: Edge[] = servers.map((s) => ({
      id: `edge:${s.id}`,
      source: 'laptop',
      target: `server:${s.id}`,
      animated: s.id in lit,
      className: `${statusClass(s)}${s.id in lit ? ' lit' : ''}`,
      label: s.id in lit ? 'routing' : undefined,
    }))
    return { nodes: [laptop as Node, ...serverNodes], edges }
  }, [servers, lit, onTrust])

  return (
    <div
      className="server-map readable"
      aria-label="Map of this computer and its servers"
      role="region"
    >
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        // Fit, but never below 0.86 (14 px text stays ≥12 px): a tall fleet scrolls (pan) instead.
        fitView
        fitViewOptions={{ minZoom: MIN_READABLE_ZOOM, maxZoom: 1 }}
        panOnScroll
        nodesConnectable={false}
        // The layout is computed from the servers on every change; a dragged card would snap back.
        nodesDraggable={false}
        proOptions={{ hideAttribution: true }}
        minZoom={MIN_READABLE_ZOOM}
      >
        <Background />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  )
}

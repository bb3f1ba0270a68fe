import { useMemo } from 'react'
import { modeKey, modeLabel, parseModeKey } from '../format'
import { useAppStore } from '../store/store-context'

/** The global routing mode, the same choices as the tray's radio items; calls mode:set. */
export function ModeSwitch() {
  const mode = useAppStore((s) => s.mode)
  const setMode = useAppStore((s) => s.setMode)
  const modeError = useAppStore((s) => s.modeError)
  const all = useAppStore((s) => s.servers)
  const servers = useMemo(
    () => all.filter((v) => v.trusted).map((v) => ({ id: v.id, name: v.name })),
    [all],
  )
  const current = mode ? modeKey(mode) : ''
  const extra = mode?.kind === 'model' ? mode : null
  return (
    <div className="mode-switch">
      <label htmlFor="mode-switch">Routing mode</label>
      <select
        id="mode-switch"
        value={current}
        disabled={!mode}
        onChange={(e) => {
          const next = parseModeKey(e.target.value)
          if (next) void setMode(next)
        }}
      >
        {!mode && <option value="">loading…</option>}
        <option value="auto">Automatic (route by task)</option>
        {servers.map((s) => (
          <option key={s.id} value={`server:${s.id}`}>
            Only {s.name}
          </option>
        ))}
        {extra && <option value={modeKey(extra)}>{modeLabel(extra, [])}</option>}
        {mode?.kind === 'server' && !servers.some((s) => s.id === mode.serverId) && (
          <option value={modeKey(mode)}>Only {mode.serverId} (not available)</option>
        )}
      </select>
      {modeError && (
        <span role="alert" className="inline-error">
          {modeError}
        </span>
      )}
    </div>
  )
}

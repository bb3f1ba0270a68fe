import { useMemo } from 'react'
import type { RoutingMode } from '../../../shared/types'
import { assertNever } from '../../../shared/types'
import { isReachable, modeKey, modeLabel, parseModeKey } from '../../format'
import '../../styles/fleet.css'
import { useAppStore } from '../../store/store-context'

/**
 * The line under the picker that says how it relates to the header's routing mode: the picker's choice
 * overrides the header for messages sent from the chat; "Auto" follows the header. Null when there is
 * nothing to say (both automatic).
 */
export function overrideNote(
  chatMode: RoutingMode | null,
  headerMode: RoutingMode | null,
  servers: { id: string; name: string }[],
): string | null {
  const header = headerMode && headerMode.kind !== 'auto' ? modeLabel(headerMode, servers) : null
  if (chatMode) {
    return header
      ? `Overrides “${header}” (the header’s routing mode) for messages sent here.`
      : 'Overrides automatic routing for messages sent here.'
  }
  return header ? `Follows the header’s routing mode: ${header}.` : null
}

/**
 * The chat's model picker: Auto (the header's mode), or one model on one server (sent as the message's
 * mode, overriding the header — said in a line under it). Models of unreachable servers are listed but
 * cannot be picked.
 */
export function ModelPicker() {
  const chatMode = useAppStore((s) => s.chatMode)
  const headerMode = useAppStore((s) => s.mode)
  const setChatMode = useAppStore((s) => s.setChatMode)
  const servers = useAppStore((s) => s.servers)
  const groups = useMemo(
    () =>
      servers
        .filter((v) => v.trusted && v.models.some((m) => m.chatCapable))
        .map((v) => ({
          id: v.id,
          name: v.name,
          up: isReachable(v),
          models: v.models.filter((m) => m.chatCapable).map((m) => m.name),
        })),
    [servers],
  )
  const missing = chatMode && !offers(groups, chatMode) ? chatMode : null
  const note = overrideNote(chatMode, headerMode, servers)
  const pickedDown =
    chatMode?.kind === 'model' && groups.some((g) => g.id === chatMode.serverId && !g.up)
  return (
    <div className="model-picker">
      <label htmlFor="model-picker">Model</label>
      <select
        id="model-picker"
        value={modeKey(chatMode)}
        aria-describedby={note ? 'model-picker-note' : undefined}
        onChange={(e) => setChatMode(parseModeKey(e.target.value))}
      >
        <option value="chat-auto">
          {headerMode && headerMode.kind !== 'auto'
            ? `Auto: ${modeLabel(headerMode, servers)}`
            : 'Auto (route by task)'}
        </option>
        {groups.map((g) => (
          <optgroup key={g.id} label={g.up ? g.name : `${g.name} — offline`}>
            {g.models.map((m) => {
              const key = modeKey({ kind: 'model', model: m, serverId: g.id })
              return (
                <option key={m} value={key} disabled={!g.up && key !== modeKey(chatMode)}>
                  {m} @ {g.name}
                  {g.up ? '' : ' (unavailable: server offline)'}
                </option>
              )
            })}
          </optgroup>
        ))}
        {missing && (
          // Without it the select would show "Auto" while messages still go to the pinned model.
          <option value={modeKey(missing)}>{pinnedLabel(missing)} (not available)</option>
        )}
      </select>
      {note && (
        <span
          className={`override-note${chatMode ? ' conflict' : ''}`}
          id="model-picker-note"
          role="note"
        >
          {note}
        </span>
      )}
      {pickedDown && (
        <span className="override-note conflict" role="alert">
          This server is offline: pick another model or Auto.
        </span>
      )}
    </div>
  )
}

/** Whether the picker lists this mode among the trusted servers' chat models. */
function offers(groups: { id: string; models: string[] }[], mode: RoutingMode): boolean {
  if (mode.kind !== 'model') return false
  return groups.some((g) => g.id === mode.serverId && g.models.includes(mode.model))
}

function pinnedLabel(mode: RoutingMode): string {
  switch (mode.kind) {
    case 'model':
      return mode.serverId ? `${mode.model} @ ${mode.serverId}` : mode.model
    case 'server':
      return `Only ${mode.serverId}`
    case 'auto':
      return 'Automatic'
    default:
      return assertNever(mode)
  }
}

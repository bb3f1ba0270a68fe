import { useMemo } from 'react'
import type { RoutingMode } from '../../../shared/types'
import { assertNever } from '../../../shared/types'
import { modeKey, parseModeKey } from '../../format'
import { useAppStore } from '../../store/store-context'

/** The chat's model picker: Auto, or one model on one server (sent as the message's mode). */
export function ModelPicker() {
  const chatMode = useAppStore((s) => s.chatMode)
  const setChatMode = useAppStore((s) => s.setChatMode)
  const servers = useAppStore((s) => s.servers)
  const groups = useMemo(
    () =>
      servers
        .filter((v) => v.trusted && v.models.some((m) => m.chatCapable))
        .map((v) => ({
          id: v.id,
          name: v.name,
          models: v.models.filter((m) => m.chatCapable).map((m) => m.name),
        })),
    [servers],
  )
  const missing = chatMode && !offers(groups, chatMode) ? chatMode : null
  return (
    <div className="model-picker">
      <label htmlFor="model-picker">Model</label>
      <select
        id="model-picker"
        value={modeKey(chatMode)}
        onChange={(e) => setChatMode(parseModeKey(e.target.value))}
      >
        <option value="chat-auto">Auto (route by task)</option>
        {groups.map((g) => (
          <optgroup key={g.id} label={g.name}>
            {g.models.map((m) => (
              <option key={m} value={modeKey({ kind: 'model', model: m, serverId: g.id })}>
                {m} @ {g.name}
              </option>
            ))}
          </optgroup>
        ))}
        {missing && (
          // Without it the select would show "Auto" while messages still go to the pinned model.
          <option value={modeKey(missing)}>{pinnedLabel(missing)} (not available)</option>
        )}
      </select>
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

import { useMemo } from 'react'
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
      </select>
    </div>
  )
}

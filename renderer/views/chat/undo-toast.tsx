import { useAppStore } from '../../store/store-context'

/** "Deleted “…”" with Undo, while the conversation can still be brought back. */
export function UndoToasts() {
  const pending = useAppStore((s) => s.pendingDeletes)
  const undo = useAppStore((s) => s.undoDelete)
  return (
    <div className="toasts" role="status" aria-label="Notifications" aria-live="polite">
      {pending.map((p) => (
        <div key={p.id} className="toast">
          <span className="toast-text">Deleted “{p.title || 'Untitled'}”.</span>
          <button type="button" onClick={() => undo(p.id)}>
            Undo
          </button>
        </div>
      ))}
    </div>
  )
}

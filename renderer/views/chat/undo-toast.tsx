import { useAppStore } from '../../store/store-context'

/**
 * "Deleted “…”" with Undo, while the conversation can still be brought back; "Message edited" with
 * Undo edit, while the turns an edit replaced can.
 */
export function UndoToasts() {
  const pending = useAppStore((s) => s.pendingDeletes)
  const undo = useAppStore((s) => s.undoDelete)
  const edited = useAppStore((s) => s.editUndo)
  const undoEdit = useAppStore((s) => s.undoEdit)
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
      {edited && (
        <div className="toast">
          <span className="toast-text">Message edited and sent again.</span>
          <button type="button" onClick={() => void undoEdit()}>
            Undo edit
          </button>
        </div>
      )}
    </div>
  )
}

import type { ResponseMetadata } from '../../../shared/types'

/** The seam note when the metadata alone tells of a continued answer (a stored message). */
export function continuedNote(md: ResponseMetadata): string {
  const cut = md.attempts.find((a) => a.outcome === 'interrupted')
  return cut
    ? `This answer was cut off on ${cut.model} @ ${cut.serverName} and continued on ${md.model} @ ${md.server_name}.`
    : `This answer was interrupted and continued on ${md.model} @ ${md.server_name}.`
}

/** The warning banner for answers from a simplified fallback model or continued elsewhere. */
export function AnswerWarnings({
  metadata,
  seamNotes = [],
}: {
  metadata: ResponseMetadata | null
  seamNotes?: string[]
}) {
  const fallback = metadata?.fallback === true
  const continued = metadata?.continued === true || seamNotes.length > 0
  if (!fallback && !continued) return null
  return (
    <div className="banner banner-warn answer-warning" role="alert">
      {fallback && (
        <p>
          <span aria-hidden="true">⚠ </span>
          {metadata?.warning ?? 'A simplified model is being used'}
        </p>
      )}
      {continued && (
        <p>
          <span aria-hidden="true">⤳ </span>
          {seamNotes.length > 0 ? seamNotes.join(' ') : metadata ? continuedNote(metadata) : ''}
        </p>
      )}
    </div>
  )
}

import { useId, useState } from 'react'
import type {
  ConversationMessage,
  RoutingDecision,
  SerializedError,
  Tier,
} from '../../../shared/types'
import { answerVersions } from '../../../shared/answer-version'
import type { StreamState } from '../../store/chat-stream'
import { useAppStore } from '../../store/store-context'
import { nextTier, seamWordsInText } from '../../format'
import { AnswerWarnings } from './answer-warnings'
import { answerSpeed, speedLabel } from './answer-speed'
import { biggerModelUnavailable } from './bigger-model'
import { CopyButton } from './copy-button'
import { MarkdownText } from './markdown-text'
import { RouteBadge } from './route-badge'

/** The routing decision with this id, while the log still holds it. */
export function useDecision(id: string | null | undefined): RoutingDecision | null {
  return useAppStore((s) => (id ? (s.decisions.find((d) => d.id === id) ?? null) : null))
}

/**
 * A stored answer. A regenerated one has versions: "‹ 2/3 ›" switches between them, each with its own
 * route badge, decision, warnings and speed; it opens on the newest. Key it by the number of versions
 * so a new version shows at once.
 */
export function StoredAnswer({
  message,
  isLast,
  error,
  onRegenerate,
}: {
  message: ConversationMessage
  isLast: boolean
  /** Why this (interrupted) answer failed, while the store still knows; it concerns the newest version. */
  error: SerializedError | null
  onRegenerate: (minTier?: 'balanced' | 'powerful') => void
}) {
  const setChatMode = useAppStore((s) => s.setChatMode)
  const versions = answerVersions(message)
  const newest = versions.length - 1
  const [picked, setPicked] = useState(newest)
  const index = Math.min(picked, newest)
  const version = versions[index] ?? versions[newest]
  const md = version?.metadata ?? null
  const decision = useDecision(md?.decision_id)
  const tier = useAppStore((s): Tier | null => {
    if (decision?.chosen) return decision.chosen.tier
    if (!md) return null
    const entry = s.servers
      .find((v) => v.name === md.server_name)
      ?.models.find((m) => m.name === md.model)
    return entry?.tier ?? (md.used_fast_model ? 'fast' : null)
  })
  const up = tier ? nextTier(tier) : 'powerful'
  // Until the fleet's first snapshot arrives nothing is known to be missing.
  const noBigger = useAppStore((s) =>
    up && s.loaded ? biggerModelUnavailable(s.servers, up) : null,
  )
  const reasonId = useId()
  if (!version) return null
  const failure = index === newest ? error : null
  return (
    <article className="message assistant" aria-label="Answer">
      {versions.length > 1 && (
        <div
          className="answer-versions"
          role="group"
          aria-label={`Answer versions: ${index + 1} of ${versions.length}`}
        >
          <button
            type="button"
            aria-label="Previous version"
            disabled={index === 0}
            onClick={() => setPicked(index - 1)}
          >
            ‹
          </button>
          <span className="version-count">
            {index + 1}/{versions.length}
          </span>
          <button
            type="button"
            aria-label="Next version"
            disabled={index === newest}
            onClick={() => setPicked(index + 1)}
          >
            ›
          </button>
        </div>
      )}
      <AnswerWarnings metadata={md} />
      {version.thinking && version.thinking.text !== '' && (
        <ThinkingPart
          text={version.thinking.text}
          label={storedThinkingLabel(version.thinking.durationMs)}
        />
      )}
      <MarkdownText text={seamWordsInText(version.content)} />
      {version.interrupted &&
        (version.stopped ? (
          <p className="interrupted" role="note">
            Stopped
          </p>
        ) : failure ? (
          <p className="interrupted" role="alert">
            Interrupted — {failure.message}
          </p>
        ) : (
          <p className="interrupted" role="note">
            Interrupted — this answer was cut short and not completed.
          </p>
        ))}
      <RouteBadge
        metadata={md}
        decision={decision}
        onUseModel={
          isLast
            ? (t) => {
                // The model picker's override path: pinned there (and said so), then answered again.
                setChatMode({ kind: 'model', model: t.model, serverId: t.serverId })
                onRegenerate()
              }
            : undefined
        }
      />
      <AnswerSpeedLine metadata={md} />
      <div className="message-actions">
        {version.content !== '' && <CopyButton text={version.content} label="Copy answer" />}
        {isLast && (
          <>
            <button type="button" onClick={() => onRegenerate()}>
              Regenerate
            </button>
            {up && (
              <button
                type="button"
                disabled={noBigger !== null}
                aria-describedby={noBigger !== null ? reasonId : undefined}
                onClick={() => onRegenerate(up)}
              >
                Regenerate with a more powerful model
              </button>
            )}
            {up && noBigger !== null && (
              <span id={reasonId} className="regenerate-reason muted small">
                {noBigger}
              </span>
            )}
          </>
        )}
      </div>
    </article>
  )
}

/** Tokens/s and time to first token under an answer, from the server's counts. */
function AnswerSpeedLine({ metadata }: { metadata: ConversationMessage['metadata'] }) {
  const speed = answerSpeed(metadata)
  if (!speed) return null
  return (
    <p className="answer-speed muted small" aria-label="Speed">
      {speedLabel(speed)}
    </p>
  )
}

/** A thinking model's reasoning, folded: "Thinking…" while it thinks, then "Thought for 12 s". */
export function thinkingLabel(stream: Pick<StreamState, 'thinkingStartedAt' | 'thinkingEndedAt'>) {
  const { thinkingStartedAt: start, thinkingEndedAt: end } = stream
  if (start === null || end === null) return 'Thinking…'
  return `Thought for ${Math.max(1, Math.round((end - start) / 1000))} s`
}

/** The label of saved reasoning: "Thought for 12 s", or "Thought" when the duration was not measured. */
export function storedThinkingLabel(durationMs: number | null): string {
  if (durationMs === null) return 'Thought'
  return `Thought for ${Math.max(1, Math.round(durationMs / 1000))} s`
}

/** Reasoning, folded under its label. */
export function ThinkingPart({ text, label }: { text: string; label: string }) {
  return (
    <details className="thinking">
      <summary>{label}</summary>
      <MarkdownText text={text} />
    </details>
  )
}

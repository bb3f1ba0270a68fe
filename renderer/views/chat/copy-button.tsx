import { useEffect, useState } from 'react'

/** How long "Copied" shows before the button reads "Copy" again. */
export const COPIED_MS = 1500

/** A Copy button for `text`; says "Copied" (or why not) for a moment. `label` names what it copies. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle')
  useEffect(() => {
    if (state === 'idle') return
    const timer = setTimeout(() => setState('idle'), COPIED_MS)
    return () => clearTimeout(timer)
  }, [state])
  return (
    <button
      type="button"
      className="copy"
      aria-label={state === 'idle' ? label : undefined}
      onClick={() => {
        // The clipboard is there in secure contexts only (app://, localhost, https).
        const clip = typeof navigator !== 'undefined' ? navigator.clipboard : undefined
        if (!clip) {
          setState('failed')
          return
        }
        clip.writeText(text).then(
          () => setState('copied'),
          () => setState('failed'),
        )
      }}
    >
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : 'Copy'}
    </button>
  )
}

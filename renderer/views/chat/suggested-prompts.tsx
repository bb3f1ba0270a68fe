import { useShallow } from 'zustand/react/shallow'
import type { ServerView } from '../../../shared/types'
import { visionModelReachable } from '../../store/vision'
import { useAppStore } from '../../store/store-context'

/** One suggestion on the empty chat: what the button says and the text it puts in the message box. */
export interface SuggestedPrompt {
  kind: 'question' | 'code' | 'reasoning' | 'image'
  label: string
  text: string
}

const BASE: readonly SuggestedPrompt[] = [
  { kind: 'question', label: 'A quick question', text: 'What is the capital of Australia?' },
  {
    kind: 'code',
    label: 'A coding task',
    text: 'Write a TypeScript function that groups an array of objects by a key, with unit tests.',
  },
  {
    kind: 'reasoning',
    label: 'A reasoning puzzle',
    text: 'A bat and a ball cost $1.10 together. The bat costs $1.00 more than the ball. How much does the ball cost? Explain step by step.',
  },
]

const IMAGE: SuggestedPrompt = {
  kind: 'image',
  label: 'Ask about an image',
  text: 'What is in this image? Describe it in a few sentences.',
}

/** The empty chat's suggestions: one per task class; the image one only when a vision model is there. */
export function suggestedPrompts(servers: readonly ServerView[]): SuggestedPrompt[] {
  return visionModelReachable(servers) ? [...BASE, IMAGE] : [...BASE]
}

/**
 * Buttons that fill the message box with an example (they never send it), so a first-time user sees
 * what the router does with each kind of task.
 */
export function SuggestedPrompts() {
  const prompts = useAppStore(useShallow((s) => suggestedPrompts(s.servers)))
  const fill = useAppStore((s) => s.fillComposer)
  return (
    <section className="suggestions" aria-labelledby="suggestions-heading">
      <h3 id="suggestions-heading">Try one of these</h3>
      <ul>
        {prompts.map((p) => (
          <li key={p.kind}>
            <button type="button" className="suggestion" onClick={() => fill(p.text)}>
              <span className="suggestion-label">{p.label}</span>
              <span className="suggestion-text">{p.text}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  )
}

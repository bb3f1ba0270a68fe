import type { KeyboardEvent } from 'react'

/**
 * Keeps Tab inside a modal: from its last control Tab goes to the first, and Shift+Tab from the first
 * to the last. `selector` names the controls the cycle runs over. Other keys are left alone.
 */
export function wrapTab(e: KeyboardEvent, root: HTMLElement | null, selector: string): void {
  if (e.key !== 'Tab' || !root) return
  const items = [...root.querySelectorAll<HTMLElement>(selector)]
  const first = items[0]
  const last = items[items.length - 1]
  if (e.shiftKey && document.activeElement === first) {
    e.preventDefault()
    last?.focus()
  } else if (!e.shiftKey && document.activeElement === last) {
    e.preventDefault()
    first?.focus()
  }
}

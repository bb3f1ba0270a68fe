/** A listener registration; call it to stop listening. */
export type Disposable = () => void

/**
 * A tiny typed event emitter for "snapshot, then events" services (style.md point 3).
 * Listener errors are reported, never allowed to break the emitter or the other listeners.
 */
export class Emitter<T> {
  private readonly listeners = new Set<(value: T) => void>()

  /** Subscribe; returns the unsubscribe function. */
  readonly event = (listener: (value: T) => void): Disposable => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value)
      } catch (err) {
        console.error('Event listener failed:', err)
      }
    }
  }

  get size(): number {
    return this.listeners.size
  }

  dispose(): void {
    this.listeners.clear()
  }
}

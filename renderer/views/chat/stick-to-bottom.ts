import { useCallback, useLayoutEffect, useRef, useState } from 'react'

/** How close to the bottom (px) still counts as "at the latest". */
const AT_BOTTOM_PX = 32

/**
 * Keeps a scrolling log at its newest line while the person is there, and lets go as soon as they scroll
 * up to read: `pinned` is false then (show "Jump to latest"); scrolling back to the bottom, or `jump()`,
 * pins it again. `contentSize` is anything that grows with the content; `resetKey` (the conversation)
 * pins and jumps when it changes.
 */
export function useStickToBottom(resetKey: unknown, contentSize: number) {
  const ref = useRef<HTMLDivElement | null>(null)
  const [pinned, setPinned] = useState(true)
  const pinnedRef = useRef(true)
  const lastTop = useRef(0)

  const pin = useCallback((value: boolean) => {
    pinnedRef.current = value
    setPinned(value)
  }, [])

  const toBottom = useCallback(() => {
    const el = ref.current
    if (!el) return
    el.scrollTop = el.scrollHeight
    lastTop.current = el.scrollTop
  }, [])

  const onScroll = useCallback(() => {
    const el = ref.current
    if (!el) return
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight <= AT_BOTTOM_PX
    // Growing content leaves scrollTop alone; only the person moves it up.
    if (atBottom) {
      if (!pinnedRef.current) pin(true)
    } else if (el.scrollTop < lastTop.current && pinnedRef.current) pin(false)
    lastTop.current = el.scrollTop
  }, [pin])

  useLayoutEffect(() => {
    pin(true)
    toBottom()
  }, [resetKey, pin, toBottom])

  useLayoutEffect(() => {
    if (pinnedRef.current) toBottom()
  }, [contentSize, toBottom])

  const jump = useCallback(() => {
    pin(true)
    toBottom()
  }, [pin, toBottom])

  return { ref, onScroll, pinned, jump }
}

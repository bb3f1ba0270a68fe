import { useSyncExternalStore } from 'react'

/** The app's views, each at a hash route (the Electron shell opens windows at #/chat and #/dashboard). */
export const ROUTES = ['dashboard', 'chat', 'routing', 'settings'] as const
export type Route = (typeof ROUTES)[number]

/** The route of a location hash; unknown hashes fall back to the dashboard. */
export function routeOf(hash: string): Route {
  const name = hash.replace(/^#\/?/, '').split(/[/?&]/)[0] ?? ''
  return (ROUTES as readonly string[]).includes(name) ? (name as Route) : 'dashboard'
}

function subscribe(cb: () => void): () => void {
  window.addEventListener('hashchange', cb)
  return () => window.removeEventListener('hashchange', cb)
}

/** The current hash route, re-rendering on hashchange. */
export function useHashRoute(): Route {
  return useSyncExternalStore(subscribe, () => routeOf(window.location.hash))
}

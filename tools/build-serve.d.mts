/** Bundles entry points (out path → source, relative to the repo root) with esbuild; default: serve and demo. */
export function buildServe(entries?: Record<string, string>): Promise<void>

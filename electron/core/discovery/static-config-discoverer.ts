import type { OllamaProviderConfig } from '../../../shared/types'
import type { Logger } from '../logger'
import type { Discoverer, FoundServer } from './discoverer'
import { normalizeHostUrl } from '../config/host-url'

/** Server id and name given to `base_url` (and its `fallback_urls`). */
export const PRIMARY_SERVER_ID = 'primary'

/**
 * Servers from config.yaml (style.md point 6): `base_url` plus `fallback_urls` as one server named
 * `primary` (PRIMARY), then each of `additional_servers`. All trusted, source `config`. With
 * `enabled: false` there are none. A URL already used by an earlier entry, a name already taken
 * or an unusable address is skipped with a warning.
 */
export class StaticConfigDiscoverer implements Discoverer {
  private readonly read: () => OllamaProviderConfig

  /** `config` may be a getter so a refresh sees the config as it is now. */
  constructor(
    config: OllamaProviderConfig | (() => OllamaProviderConfig),
    private readonly logger: Logger | null = null,
  ) {
    this.read = typeof config === 'function' ? config : () => config
  }

  /** Lists the configured servers; never throws. */
  discover(_signal: AbortSignal): Promise<FoundServer[]> {
    return Promise.resolve(this.list(this.read()))
  }

  private list(config: OllamaProviderConfig): FoundServer[] {
    if (!config.enabled) return []
    const usedUrls = new Map<string, string>()
    const usedIds = new Set<string>()
    const servers: FoundServer[] = []

    const take = (owner: string, raw: string, key: string): string | null => {
      let url: string
      try {
        url = normalizeHostUrl(raw)
      } catch (err) {
        this.logger?.warn(`Config ${key}: ${(err as Error).message}; skipped`)
        return null
      }
      const holder = usedUrls.get(url)
      if (holder !== undefined) {
        this.logger?.warn(`Config ${key}: ${url} is already used by server ${holder}; skipped`)
        return null
      }
      usedUrls.set(url, owner)
      return url
    }

    if (config.base_url !== null && config.base_url.trim() !== '') {
      const urls: string[] = []
      const base = take(PRIMARY_SERVER_ID, config.base_url, 'base_url')
      if (base !== null) urls.push(base)
      config.fallback_urls.forEach((raw, i) => {
        const url = take(PRIMARY_SERVER_ID, raw, `fallback_urls.${i}`)
        if (url !== null) urls.push(url)
      })
      if (urls.length > 0) {
        usedIds.add(PRIMARY_SERVER_ID)
        servers.push({
          id: PRIMARY_SERVER_ID,
          name: PRIMARY_SERVER_ID,
          urls,
          priority: 'PRIMARY',
          source: 'config',
          trusted: true,
        })
      }
    }

    config.additional_servers.forEach((entry, i) => {
      const key = `additional_servers.${i}`
      if (usedIds.has(entry.name)) {
        this.logger?.warn(`Config ${key}: server name "${entry.name}" is already used; skipped`)
        return
      }
      const url = take(entry.name, entry.url, `${key}.url`)
      if (url === null) return
      usedIds.add(entry.name)
      servers.push({
        id: entry.name,
        name: entry.name,
        urls: [url],
        priority: entry.priority,
        source: 'config',
        trusted: true,
      })
    })
    return servers
  }
}

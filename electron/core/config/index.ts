/** The config module: defaults → file → environment → validate; hot reload; comment-keeping writes. */
export { ConfigService, type ConfigServiceOptions } from './config-service'
export { ConfigError, formatConfigIssue } from './config-issues'
export { ENV_OVERRIDES, type EnvOverrideName } from './config-env'
export { CONFIG_EXAMPLE_YAML } from './config-example'
export { defaultConfigPath, resolveConfigPath, type ResolveConfigPathOptions } from './config-paths'
export {
  configSchema,
  DEFAULT_CONFIG,
  DEFAULT_LOCAL_SERVER,
  PRIORITIES,
  TASK_TYPES,
} from './config-schema'
export { renderConfigText, writeFileAtomic, type RenderConfigResult } from './config-writer'
export { HostUrlError, isLoopbackHost, normalizeHostUrl, OLLAMA_DEFAULT_PORT } from './host-url'
export {
  loadConfig,
  loadConfigOrThrow,
  readConfigText,
  type ConfigLoadResult,
  type LoadConfigOptions,
} from './load-config'
export {
  analyseConfigText,
  parseConfig,
  type ConfigAnalysis,
  type ParseConfigResult,
} from './parse-config'

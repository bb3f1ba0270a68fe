/** The Ollama fleet simulator: real HTTP servers that speak the Ollama API, with fault injection. */
export { startSimServer, OllamaSimServer, openAiError } from './sim-server'
export { startFleet, parseFleetSpec, loadFleetSpec, FleetSpecError } from './fleet'
export { parseFault, parseFaultShorthand, FaultError } from './fault'
export { resolveModel, defaultTokensPerSecond, type ResolvedModel } from './model-catalog'
export { parseGoDuration, parseKeepAlive, type KeepAlive } from './keep-alive'
export {
  FAULT_KINDS,
  type Fault,
  type Fleet,
  type FleetOverrides,
  type FleetServerSpec,
  type FleetSpec,
  type SimLoadedModel,
  type SimModelSpec,
  type SimRequestRecord,
  type SimServer,
  type SimServerOptions,
  type SimState,
} from './types'

export { buildModelEntries, uniqueModelCount } from './model-index'
export type { LoadedModel, ShowInfo, TagModel } from './model-index'
export { formatParameterSize, parameterSizeFromTag, parseParameterSize } from './parameter-size'
export { tierBySize, tierOf } from './tier'
export type { TierVerdict } from './tier'
export {
  BUILTIN_TIER_RULES,
  CAPABILITY_SPECIALISATIONS,
  TIER_THRESHOLDS,
  UNKNOWN_SIZE_TIER,
} from './tier-rules'

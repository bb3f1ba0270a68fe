import { createHash } from 'node:crypto'
import type { SimModelSpec } from './types'

/** A model with every fact the simulator reports filled in. */
export interface ResolvedModel {
  name: string
  family: string
  parameterSize: string
  /** Parameter count in billions, used for size and speed. */
  parametersB: number
  quantization: string
  sizeBytes: number
  sizeVram: number
  capabilities: string[]
  contextLength: number
  /** Vector length of embeddings (`<family>.embedding_length`). */
  embeddingLength: number
  digest: string
  modifiedAt: string
  loadMs: number | null
  tokensPerSecond: number
  /** Prompt processing speed when the spec gives one; null = derived from the decode speed. */
  promptTokensPerSecond: number | null
  /** Where a cloud model really runs; null for local models. */
  remote: { host: string; model: string } | null
}

/** Where Ollama's cloud models run. */
const CLOUD_HOST = 'https://ollama.com:443'
/** The size /api/tags reports for a cloud model: a manifest, no weights. */
const CLOUD_MANIFEST_BYTES = 384

/** Known facts of library models, keyed by `<base>:<tag>` (Ollama's own numbers where we know them). */
const KNOWN: Record<string, { parameterSize: string; sizeBytes?: number }> = {
  'gemma3:270m': { parameterSize: '268.10M', sizeBytes: 291_554_930 },
  'gemma3:1b': { parameterSize: '1B', sizeBytes: 815_319_791 },
  'gemma3:4b': { parameterSize: '4.3B', sizeBytes: 3_338_801_804 },
  'gemma3:12b': { parameterSize: '12.2B', sizeBytes: 8_149_190_253 },
  'gemma3:27b': { parameterSize: '27.4B', sizeBytes: 17_396_936_887 },
  'llama3.3:70b': { parameterSize: '70.6B', sizeBytes: 42_520_413_916 },
  'llama3.2:1b': { parameterSize: '1.2B', sizeBytes: 1_321_098_329 },
  'llama3.2:3b': { parameterSize: '3.2B', sizeBytes: 2_019_393_189 },
  'llama3.1:8b': { parameterSize: '8.0B', sizeBytes: 4_920_753_328 },
  'qwen2.5:0.5b': { parameterSize: '494.03M', sizeBytes: 397_821_319 },
  'qwen2.5:1.5b': { parameterSize: '1.5B', sizeBytes: 986_061_892 },
  'qwen2.5:3b': { parameterSize: '3.1B', sizeBytes: 1_929_912_432 },
  'qwen2.5:7b': { parameterSize: '7.6B', sizeBytes: 4_683_087_332 },
  'qwen2.5:14b': { parameterSize: '14.8B', sizeBytes: 8_988_124_069 },
  'qwen2.5:32b': { parameterSize: '32.8B', sizeBytes: 19_851_349_856 },
  'qwen2.5:72b': { parameterSize: '72.7B', sizeBytes: 47_415_724_626 },
  'qwen2.5-coder:1.5b': { parameterSize: '1.5B', sizeBytes: 986_062_089 },
  'qwen2.5-coder:7b': { parameterSize: '7.6B', sizeBytes: 4_683_087_561 },
  'qwen2.5-coder:14b': { parameterSize: '14.8B', sizeBytes: 8_988_124_298 },
  'qwen2.5-coder:32b': { parameterSize: '32.8B', sizeBytes: 19_851_349_985 },
  'qwen3:0.6b': { parameterSize: '751.63M', sizeBytes: 522_653_767 },
  'qwen3:1.7b': { parameterSize: '2.0B', sizeBytes: 1_359_293_444 },
  'qwen3:4b': { parameterSize: '4.0B', sizeBytes: 2_620_788_260 },
  'qwen3:8b': { parameterSize: '8.2B', sizeBytes: 5_225_388_164 },
  'qwen3:14b': { parameterSize: '14.8B', sizeBytes: 9_276_198_565 },
  'qwen3:32b': { parameterSize: '32.8B', sizeBytes: 20_201_253_588 },
  'phi3:3b': { parameterSize: '3.8B', sizeBytes: 2_176_178_913 },
  'phi3:mini': { parameterSize: '3.8B', sizeBytes: 2_176_178_913 },
  'phi3:3.8b': { parameterSize: '3.8B', sizeBytes: 2_176_178_913 },
  'phi3:latest': { parameterSize: '3.8B', sizeBytes: 2_176_178_913 },
  'phi3:medium': { parameterSize: '14.0B', sizeBytes: 7_897_126_241 },
  'phi3:14b': { parameterSize: '14.0B', sizeBytes: 7_897_126_241 },
  'mistral:7b': { parameterSize: '7.2B', sizeBytes: 4_113_301_824 },
  'mistral:latest': { parameterSize: '7.2B', sizeBytes: 4_113_301_824 },
  'llama3.2:latest': { parameterSize: '3.2B', sizeBytes: 2_019_393_189 },
  'gemma3:latest': { parameterSize: '4.3B', sizeBytes: 3_338_801_804 },
  'qwen3:latest': { parameterSize: '8.2B', sizeBytes: 5_225_388_164 },
  'nomic-embed-text:latest': { parameterSize: '137M', sizeBytes: 274_302_450 },
  'all-minilm:latest': { parameterSize: '23M', sizeBytes: 45_960_996 },
  'mxbai-embed-large:latest': { parameterSize: '334M', sizeBytes: 669_615_493 },
}

/** Family (architecture), context length, embedding length and capabilities by model base name. */
interface FamilyFacts {
  family: string
  contextLength: number
  embeddingLength: number
  capabilities: string[]
}

const EMBEDDING_BASES: Record<string, FamilyFacts> = {
  'nomic-embed-text': {
    family: 'nomic-bert',
    contextLength: 2048,
    embeddingLength: 768,
    capabilities: ['embedding'],
  },
  'all-minilm': {
    family: 'bert',
    contextLength: 512,
    embeddingLength: 384,
    capabilities: ['embedding'],
  },
  'mxbai-embed-large': {
    family: 'bert',
    contextLength: 512,
    embeddingLength: 1024,
    capabilities: ['embedding'],
  },
}

/** Prefix rules, first match wins; `base` is the name before `:`. */
const FAMILY_RULES: { test: (base: string) => boolean; facts: (tag: string) => FamilyFacts }[] = [
  {
    test: (b) => b === 'gemma3',
    facts: (tag) => ({
      family: 'gemma3',
      contextLength: tag === '1b' || tag === '270m' ? 32_768 : 131_072,
      embeddingLength: 3840,
      // The 270m and 1b variants are text only; the larger ones see images.
      capabilities: tag === '1b' || tag === '270m' ? ['completion'] : ['completion', 'vision'],
    }),
  },
  {
    test: (b) => b.startsWith('gemma'),
    facts: () => ({
      family: 'gemma2',
      contextLength: 8192,
      embeddingLength: 3584,
      capabilities: ['completion'],
    }),
  },
  {
    test: (b) => b.startsWith('qwen3'),
    facts: () => ({
      family: 'qwen3',
      contextLength: 40_960,
      embeddingLength: 5120,
      capabilities: ['completion', 'tools', 'thinking'],
    }),
  },
  {
    // Coder models whose template takes a suffix: Ollama reports `insert` (fill-in-the-middle).
    test: (b) => b.startsWith('qwen2.5-coder'),
    facts: () => ({
      family: 'qwen2',
      contextLength: 32_768,
      embeddingLength: 5120,
      capabilities: ['completion', 'tools', 'insert'],
    }),
  },
  {
    test: (b) => b.startsWith('qwen2') || b.startsWith('qwen'),
    facts: () => ({
      family: 'qwen2',
      contextLength: 32_768,
      embeddingLength: 5120,
      capabilities: ['completion', 'tools'],
    }),
  },
  {
    test: (b) => b.startsWith('deepseek-r1'),
    facts: () => ({
      family: 'qwen2',
      contextLength: 131_072,
      embeddingLength: 5120,
      capabilities: ['completion', 'thinking'],
    }),
  },
  {
    test: (b) => b.startsWith('gpt-oss'),
    facts: () => ({
      family: 'gptoss',
      contextLength: 131_072,
      embeddingLength: 2880,
      capabilities: ['completion', 'tools', 'thinking'],
    }),
  },
  {
    test: (b) => b.startsWith('phi3'),
    facts: () => ({
      family: 'phi3',
      contextLength: 131_072,
      embeddingLength: 3072,
      capabilities: ['completion'],
    }),
  },
  {
    test: (b) => b.startsWith('llava') || b.endsWith('-vision'),
    facts: () => ({
      family: 'llama',
      contextLength: 131_072,
      embeddingLength: 4096,
      capabilities: ['completion', 'vision'],
    }),
  },
  {
    test: (b) => /^llama3\.[123]$/.test(b) || b.startsWith('mistral'),
    facts: () => ({
      family: 'llama',
      contextLength: 131_072,
      embeddingLength: 8192,
      capabilities: ['completion', 'tools'],
    }),
  },
  {
    test: (b) => b.startsWith('llama') || b.startsWith('codellama'),
    facts: () => ({
      family: 'llama',
      contextLength: 8192,
      embeddingLength: 4096,
      capabilities: ['completion'],
    }),
  },
]

/** Splits `name[:tag]` into its base and tag (`latest` when none). */
export function splitModelName(name: string): { base: string; tag: string } {
  const at = name.lastIndexOf(':')
  if (at <= 0) return { base: name, tag: 'latest' }
  return { base: name.slice(0, at), tag: name.slice(at + 1) || 'latest' }
}

/** Ollama treats `gemma3` and `gemma3:latest` as the same model. */
export function normalizeModelName(name: string): string {
  const { base, tag } = splitModelName(name.trim())
  return `${base}:${tag}`
}

/** Reads a parameter count from a tag or a parameter_size string: `14b` → 14, `137M` → 0.137. */
export function parseParameterCount(text: string): number | null {
  const m = /(\d+(?:\.\d+)?)\s*([bm])\b/i.exec(text)
  if (!m?.[1] || !m[2]) return null
  const value = Number(m[1])
  return m[2].toLowerCase() === 'b' ? value : value / 1000
}

/** Formats billions the way Ollama does: `1.5B`, `14.8B`, `137M`. */
function formatParameterSize(b: number): string {
  if (b < 1) return `${Math.round(b * 1000)}M`
  return Number.isInteger(b) ? `${b}B` : `${b.toFixed(1)}B`
}

function isEmbeddingName(base: string): boolean {
  return base in EMBEDDING_BASES || /embed|minilm|(^|-)bge(-|$)/.test(base)
}

function familyFacts(base: string, tag: string): FamilyFacts {
  const embedding = EMBEDDING_BASES[base]
  if (embedding) return embedding
  if (isEmbeddingName(base)) {
    return { family: 'bert', contextLength: 512, embeddingLength: 768, capabilities: ['embedding'] }
  }
  for (const rule of FAMILY_RULES) if (rule.test(base)) return rule.facts(tag)
  // Unknown families: the alphabetic head of the name, e.g. `granite3.1-dense` → `granite`.
  const head = /^[a-z]+/i.exec(base)?.[0] ?? base
  return { family: head, contextLength: 8192, embeddingLength: 4096, capabilities: ['completion'] }
}

/** Generation speed by size: ~120 tok/s at 1B down to ~8 tok/s at 70B (a power law through both). */
export function defaultTokensPerSecond(parametersB: number): number {
  const b = Math.max(parametersB, 0.05)
  return Math.min(400, Math.round(120 * Math.pow(b, -Math.log(15) / Math.log(70))))
}

/** Hex sha256 of a text: digests and every other "random" choice are derived from names. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

/** A fixed date in the past, moved back by up to ~200 days depending on the name. */
function modifiedAtFor(name: string): string {
  const base = Date.UTC(2025, 8, 1, 12, 0, 0)
  const offset = parseInt(sha256Hex(`mtime:${name}`).slice(0, 8), 16) % (200 * 86_400_000)
  return new Date(base - offset).toISOString()
}

/** Fills every missing fact of a model from its name (and the table of known library models). */
export function resolveModel(spec: SimModelSpec | string): ResolvedModel {
  const given: SimModelSpec = typeof spec === 'string' ? { name: spec } : spec
  const name = given.name.trim()
  if (!name) throw new Error('model name must not be empty')
  const key = normalizeModelName(name)
  const { base, tag } = splitModelName(key)
  const known = KNOWN[key]
  const facts = familyFacts(base, tag)
  const parameterSize =
    given.parameterSize ??
    known?.parameterSize ??
    formatParameterSize(
      parseParameterCount(tag) ?? (facts.capabilities[0] === 'embedding' ? 0.1 : 7),
    )
  const parametersB = parseParameterCount(parameterSize) ?? 7
  const cloud =
    given.remoteHost !== undefined || given.remoteModel !== undefined || tag.endsWith('-cloud')
  const sizeBytes =
    given.sizeBytes ??
    known?.sizeBytes ??
    (cloud ? CLOUD_MANIFEST_BYTES : Math.round(parametersB * 0.6e9))
  return {
    // Ollama lists `nomic-embed-text` as `nomic-embed-text:latest`.
    name: key,
    family: given.family ?? facts.family,
    parameterSize,
    parametersB,
    quantization: given.quantization ?? (facts.capabilities[0] === 'embedding' ? 'F16' : 'Q4_K_M'),
    sizeBytes,
    sizeVram: given.sizeVram ?? (cloud ? 0 : sizeBytes),
    capabilities: given.capabilities ?? facts.capabilities,
    contextLength: given.contextLength ?? facts.contextLength,
    embeddingLength: facts.embeddingLength,
    digest: sha256Hex(key),
    modifiedAt: modifiedAtFor(key),
    loadMs: given.loadMs ?? null,
    tokensPerSecond: given.tokensPerSecond ?? defaultTokensPerSecond(parametersB),
    promptTokensPerSecond: given.promptTokensPerSecond ?? null,
    remote: cloud
      ? {
          host: given.remoteHost ?? CLOUD_HOST,
          model: given.remoteModel ?? key.replace(/-cloud$/, ''),
        }
      : null,
  }
}

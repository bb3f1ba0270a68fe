/** Multipliers from Ollama's size suffixes to billions of parameters. */
const UNIT_TO_BILLIONS: Readonly<Record<string, number>> = { k: 1e-6, m: 1e-3, b: 1, t: 1e3 }

// `8x7B` (mixture of experts) counts every expert: that is what has to fit in memory.
const SIZE_TEXT = /^\s*(?:(\d+)\s*x\s*)?(\d+(?:\.\d+)?)\s*([kmbt])\s*$/i

// A size token inside a tag: `:1b`, `-1.5b`, `:8x7b`, `:e2b` (gemma3n "effective"), `:135m`. It must
// not be glued to a letter or digit before it, so `a3b` in `qwen3:30b-a3b` and `q4_K_M` never match.
const SIZE_IN_TAG = /(?:^|[^a-z0-9.])e?(?:(\d+)x)?(\d+(?:\.\d+)?)([mbt])(?![a-z0-9])/i

function toBillions(experts: string | undefined, amount: string, unit: string): number | null {
  const factor = UNIT_TO_BILLIONS[unit.toLowerCase()]
  const value = Number(amount)
  if (factor === undefined || !Number.isFinite(value) || value <= 0) return null
  const count = experts === undefined ? 1 : Number(experts)
  return round(count * value * factor)
}

// Float noise such as 0.49403000000000004 would leak into the UI and the tests.
function round(value: number): number {
  return Math.round(value * 1e6) / 1e6
}

/**
 * Parses Ollama's `details.parameter_size` ("3.2B", "494.03M", "70.6B", "8x7B") into billions of
 * parameters; null when the text is empty or not a size.
 */
export function parseParameterSize(text: string | null | undefined): number | null {
  if (!text) return null
  const m = SIZE_TEXT.exec(text)
  if (!m || m[2] === undefined || m[3] === undefined) return null
  return toBillions(m[1], m[2], m[3])
}

/**
 * Guesses billions of parameters from a model tag: `gemma3:1b` → 1, `qwen2.5-coder-1.5b` → 1.5,
 * `mixtral:8x7b` → 56; null when the tag names no size (`llama3.2:latest`). The part after the
 * colon is searched first because the name part may hold version numbers.
 */
export function parameterSizeFromTag(tag: string): number | null {
  const colon = tag.lastIndexOf(':')
  const parts = colon >= 0 ? [tag.slice(colon + 1), tag.slice(0, colon)] : [tag]
  for (const part of parts) {
    const m = SIZE_IN_TAG.exec(part)
    if (m && m[2] !== undefined && m[3] !== undefined) {
      const value = toBillions(m[1], m[2], m[3])
      if (value !== null) return value
    }
  }
  return null
}

/** Renders billions of parameters the way Ollama does: 1.5 → "1.5B", 0.135 → "135M". */
export function formatParameterSize(billions: number): string {
  if (billions < 1) return `${round(billions * 1000)}M`
  return `${round(billions)}B`
}

/**
 * Request `options` and `format` as Ollama reads them: typed options (api/types.go `FromMap`), the
 * runner options whose change reloads a model (sched.go `needsReload`), and the format check of
 * the runner (llm/server.go).
 */

/** Go kind of each option Ollama knows; unknown keys are ignored (Ollama only logs them). */
const OPTION_KINDS: Record<string, 'integer' | 'float32' | 'boolean' | 'array'> = {
  num_keep: 'integer',
  seed: 'integer',
  num_predict: 'integer',
  top_k: 'integer',
  top_p: 'float32',
  min_p: 'float32',
  typical_p: 'float32',
  repeat_last_n: 'integer',
  temperature: 'float32',
  repeat_penalty: 'float32',
  presence_penalty: 'float32',
  frequency_penalty: 'float32',
  stop: 'array',
  num_ctx: 'integer',
  num_batch: 'integer',
  num_gpu: 'integer',
  main_gpu: 'integer',
  use_mmap: 'boolean',
  num_thread: 'integer',
}

/** The options a runner is started with; any change means a reload. */
export interface RunnerOptions {
  numCtx: number
  numBatch: number
  numGpu: number
  mainGpu: number
  useMmap: boolean | null
  numThread: number
}

/** What a request's options say, after type checks. */
export interface RequestOptions {
  runner: RunnerOptions
  numPredict: number | null
}

/** Validates `options` like Ollama: the error text is the one its 500 answer carries. */
export function readOptions(
  options: Record<string, unknown>,
  defaults: { numCtx: number; trainedContext: number },
): { ok: true; value: RequestOptions } | { ok: false; error: string } {
  const ints = new Map<string, number>()
  let useMmap: boolean | null = null
  for (const [key, value] of Object.entries(options)) {
    const kind = OPTION_KINDS[key]
    if (kind === undefined || value === null) continue
    if (kind === 'integer') {
      if (typeof value !== 'number') return bad(key, 'integer')
      ints.set(key, Math.trunc(value))
    } else if (kind === 'float32') {
      if (typeof value !== 'number') return bad(key, 'float32')
    } else if (kind === 'boolean') {
      if (typeof value !== 'boolean') return bad(key, 'boolean')
      useMmap = value
    } else {
      if (!Array.isArray(value)) return bad(key, 'array')
      if (!value.every((v) => typeof v === 'string')) {
        return { ok: false, error: `option "${key}" must be of an array of strings` }
      }
    }
  }
  const asked = ints.get('num_ctx') ?? defaults.numCtx
  // Ollama caps num_ctx at what the model was trained for.
  const numCtx = Math.min(asked > 0 ? asked : defaults.numCtx, defaults.trainedContext)
  const predict = ints.get('num_predict')
  return {
    ok: true,
    value: {
      runner: {
        numCtx,
        numBatch: ints.get('num_batch') ?? 512,
        numGpu: ints.get('num_gpu') ?? -1,
        mainGpu: ints.get('main_gpu') ?? 0,
        useMmap,
        numThread: ints.get('num_thread') ?? 0,
      },
      numPredict: predict !== undefined && predict > 0 ? predict : null,
    },
  }
}

function bad(key: string, kind: string): { ok: false; error: string } {
  return { ok: false, error: `option "${key}" must be of type ${kind}` }
}

/** True when a loaded runner cannot serve a request with these options (sched.go needsReload). */
export function needsReload(loaded: RunnerOptions, wanted: RunnerOptions): boolean {
  // A negative num_gpu ("as many layers as fit") matches whatever the runner has.
  const gpuDiffers = wanted.numGpu >= 0 && wanted.numGpu !== loaded.numGpu
  return (
    gpuDiffers ||
    loaded.numCtx !== wanted.numCtx ||
    loaded.numBatch !== wanted.numBatch ||
    loaded.mainGpu !== wanted.mainGpu ||
    loaded.useMmap !== wanted.useMmap ||
    loaded.numThread !== wanted.numThread
  )
}

/** A JSON Schema, as far as the simulator reads one. */
export type JsonSchema = Record<string, unknown>

/** What the answer must look like: free text, any JSON object, or a schema's shape. */
export type OutputFormat =
  { kind: 'text' } | { kind: 'json' } | { kind: 'schema'; schema: JsonSchema }

/** Reads `format` like the runner does; the error text is the one of Ollama's 500. */
export function readFormat(
  format: unknown,
): { ok: true; value: OutputFormat } | { ok: false; error: string } {
  if (format === undefined || format === null || format === '') {
    return { ok: true, value: { kind: 'text' } }
  }
  if (format === 'json') return { ok: true, value: { kind: 'json' } }
  if (typeof format === 'object' && !Array.isArray(format)) {
    return { ok: true, value: { kind: 'schema', schema: format as JsonSchema } }
  }
  // Go's %q of the raw JSON bytes: the string's quotes come out escaped.
  const raw = JSON.stringify(format)
  return {
    ok: false,
    error: `invalid format: ${JSON.stringify(raw)}; expected "json" or a valid JSON Schema object`,
  }
}

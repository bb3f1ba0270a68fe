/** The embedding routes: POST /api/embed. */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { readOptions } from './request-options'
import { embeddingFor } from './reply-text'
import {
  ctxDefaults,
  errorText,
  isRecord,
  isWedged,
  keepAliveOf,
  lease,
  loadNsOf,
  MESSAGES,
  preambleFault,
  tokenCount,
  unauthorized,
  type SimContext,
} from './serving'
import type { SimRequestRecord } from './types'
import { abortOnClose, isAbort, JSON_TYPE, readJsonBody, sendJson, waitForAbort } from './wire'

/** POST /api/embed: `{model, input: string | string[]}` → `{model, embeddings}`. */
export async function embed(
  ctx: SimContext,
  req: IncomingMessage,
  res: ServerResponse,
  record: SimRequestRecord,
): Promise<void> {
  const signal = abortOnClose(res)
  const body = await readJsonBody(req)
  if (await preambleFault(ctx, res, 'chat', signal)) return
  if (!body.ok) return sendJson(res, 400, { error: body.error })
  const v = body.value
  const name = v['model']
  if (typeof name !== 'string' || name === '')
    return sendJson(res, 400, { error: MESSAGES.modelRequired })
  record.model = name
  const model = ctx.findModel(name)
  if (!model)
    return sendJson(res, 404, { error: `model "${name}" not found, try pulling it first` })
  if (model.remote) return unauthorized(ctx, res, 'chat')
  const input = v['input']
  let texts: string[]
  if (input === undefined || input === null) texts = []
  else if (typeof input === 'string') texts = input === '' ? [] : [input]
  else if (Array.isArray(input) && input.every((i) => typeof i === 'string'))
    texts = input as string[]
  else return sendJson(res, 400, { error: 'invalid input type' })
  const keepAlive = keepAliveOf(v['keep_alive'])
  if (!keepAlive.ok) return sendJson(res, 400, { error: keepAlive.error })
  const options = readOptions(isRecord(v['options']) ? v['options'] : {}, ctxDefaults(ctx, model))
  if (!options.ok) return sendJson(res, 500, { error: options.error })
  if (texts.length === 0) return sendJson(res, 200, { model: name, embeddings: [] })
  const granted = await lease(ctx, model, options.value.runner, keepAlive.value, signal, () =>
    sendJson(res, 503, { error: MESSAGES.queueFull }),
  )
  if (!granted) return
  try {
    if (isWedged(ctx)) await waitForAbort(signal)
    const promptTokens = texts.reduce((n, t) => n + tokenCount(t), 0)
    const fault = ctx.fault()
    if (fault.kind === 'drop-after') return void res.socket?.destroy()
    if (fault.kind === 'malformed-chunk') {
      res.writeHead(200, { 'Content-Type': JSON_TYPE })
      return void res.end(`{"model":"${name}","embeddings":[[0.1,`)
    }
    if (fault.kind === 'http-error')
      return sendJson(res, fault.status, { error: errorText(fault.status) })
    if (fault.kind === 'crash') {
      granted.crash()
      return sendJson(res, 500, { error: MESSAGES.modelError })
    }
    const loadNs = loadNsOf(granted)
    sendJson(res, 200, {
      model: name,
      embeddings: texts.map((t) => embeddingFor(model.name, t, model.embeddingLength)),
      total_duration: loadNs + promptTokens * 200_000,
      load_duration: loadNs,
      prompt_eval_count: promptTokens,
    })
  } catch (err) {
    if (!isAbort(err)) throw err
  } finally {
    granted.release()
  }
}

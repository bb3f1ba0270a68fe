/**
 * Runs `serve` (startServe: the core, the local API) for the virtual-LAN tests and speaks JSON lines:
 * `ip netns exec aillm-laptop-<pid> tsx tools/netns/serve-driver.ts --config c.yaml --data-dir d`.
 * Prints `{"event":"ready","url":...}` and `{"event":"log",...}` lines; commands on stdin:
 *   {"id":1,"cmd":"servers"}                                  the registry's snapshot
 *   {"id":2,"cmd":"http","method":"POST","path":"/api/chat","body":{...}}   a request to the local API
 *   {"id":3,"cmd":"trust","serverId":"gpu-box"}               the contract's one-click trust
 *   {"id":4,"cmd":"rediscover"}
 */
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { createLogger } from '../../electron/core/logger'
import { startServe, type Serve } from '../../electron/serve/serve'

const { values } = parseArgs({
  options: {
    config: { type: 'string' },
    'data-dir': { type: 'string' },
    advertise: { type: 'boolean' },
  },
  strict: true,
})
if (!values.config || !values['data-dir']) {
  console.error('serve-driver: --config and --data-dir are required')
  process.exit(2)
}

const emit = (line: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`)
}

const logger = createLogger({
  stdout: false,
  sink: (r) => emit({ event: 'log', level: r.level, message: r.message }),
})

async function handle(serve: Serve, msg: Record<string, unknown>): Promise<unknown> {
  switch (msg['cmd']) {
    case 'servers':
      return serve.core.servers()
    case 'http': {
      const res = await fetch(`${serve.url}${String(msg['path'])}`, {
        method: String(msg['method'] ?? 'GET'),
        headers: { 'content-type': 'application/json' },
        ...(msg['body'] !== undefined ? { body: JSON.stringify(msg['body']) } : {}),
      })
      const text = await res.text()
      let json: unknown = null
      try {
        json = JSON.parse(text)
      } catch {
        json = null
      }
      return { status: res.status, json, text: json === null ? text : undefined }
    }
    case 'trust':
      await serve.core.handlers['servers:trust'](String(msg['serverId']))
      return true
    case 'rediscover':
      await serve.core.handlers['servers:rediscover']()
      return true
    default:
      throw new Error(`unknown command ${JSON.stringify(msg['cmd'])}`)
  }
}

async function main(): Promise<void> {
  const serve = await startServe({
    configPath: values.config!,
    dataDir: values['data-dir']!,
    host: '127.0.0.1',
    port: 0,
    logger,
    buildUi: false,
    ...(values.advertise ? { advertise: true } : {}),
  })
  emit({ event: 'ready', url: serve.url })
  createInterface({ input: process.stdin }).on('line', (line) => {
    let msg: Record<string, unknown>
    try {
      msg = JSON.parse(line) as Record<string, unknown>
    } catch {
      emit({ ok: false, error: `not JSON: ${line}` })
      return
    }
    handle(serve, msg)
      .then((result) => emit({ id: msg['id'], ok: true, result }))
      .catch((err: unknown) =>
        emit({ id: msg['id'], ok: false, error: err instanceof Error ? err.message : String(err) }),
      )
  })
  let closing = false
  const shutdown = (): void => {
    if (closing) return
    closing = true
    void serve.close().then(() => {
      emit({ event: 'closed' })
      process.exit(0)
    })
  }
  process.on('SIGTERM', shutdown)
  process.on('SIGINT', shutdown)
}

main().catch((err: unknown) => {
  emit({ event: 'failed', error: err instanceof Error ? err.message : String(err) })
  process.exit(1)
})

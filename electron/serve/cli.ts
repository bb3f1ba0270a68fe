/**
 * `npm run serve -- [--config PATH] [--port N] [--host ADDR] [--data-dir DIR]`: headless AILLM.
 */
import { parseArgs } from 'node:util'
import { resolveConfigPath } from '../core/config'
import { ServeConfigError, startServe, type Serve } from './serve'

const USAGE = `Usage: npm run serve -- [options]

  --config PATH    config file (default: $AILLM_CONFIG, else the user config dir)
  --port N         port of the local API and web UI (default: api.port, 8000)
  --host ADDR      address to bind (default: api.host, 127.0.0.1; other addresses need api.token)
  --data-dir DIR   where conversations and logs are kept
  --advertise      publish this machine's Ollama on the LAN over mDNS (_ollama._tcp)
  --help           this text`

/** Parses the command line; throws with a message naming the bad option. */
export function parseServeArgs(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      advertise: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  })
  let port: number | undefined
  if (values.port !== undefined) {
    port = Number(values.port)
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new Error(`--port must be a whole number from 0 to 65535 (got "${values.port}")`)
    }
  }
  return {
    help: values.help === true,
    configPath: resolveConfigPath({
      ...(values.config !== undefined ? { cliPath: values.config } : {}),
      env: process.env,
    }),
    ...(port !== undefined ? { port } : {}),
    ...(values.host !== undefined ? { host: values.host } : {}),
    ...(values['data-dir'] !== undefined ? { dataDir: values['data-dir'] } : {}),
    ...(values.advertise === true ? { advertise: true } : {}),
  }
}

/** Runs `serve` until SIGINT/SIGTERM. Returns the exit code on failure to start. */
export async function main(argv: string[]): Promise<number | Serve> {
  let args: ReturnType<typeof parseServeArgs>
  try {
    args = parseServeArgs(argv)
  } catch (err) {
    console.error(`aillm serve: ${(err as Error).message}\n\n${USAGE}`)
    return 2
  }
  if (args.help) {
    console.log(USAGE)
    return 0
  }
  let serve: Serve
  try {
    serve = await startServe(args)
  } catch (err) {
    console.error(`aillm serve: ${(err as Error).message}`)
    return err instanceof ServeConfigError ? 2 : 1
  }
  console.log(`AILLM is listening on ${serve.url} (config: ${args.configPath})`)
  console.log(`  Dashboard:          ${serve.uiUrl}`)
  if (serve.tokenSource !== null) {
    // The token itself is never printed: stdout is kept by journald, terminals and CI logs.
    console.log(`                      the API needs a token: it is ${serve.tokenSource};`)
    console.log(
      `                      open ${serve.uiUrl}#token=<token> once (the page keeps it for the session)`,
    )
  }
  console.log(`  Ollama clients:     OLLAMA_HOST=${serve.url}   (model "auto" routes by task)`)
  console.log(`  OpenAI clients:     base URL ${serve.url}/v1`)
  console.log(`  Server status:      curl ${serve.url}/api/models/servers`)
  let closing = false
  const shutdown = (signal: string) => {
    if (closing) return
    closing = true
    console.log(`Received ${signal}, shutting down...`)
    serve
      .close()
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        console.error(`Shutdown failed: ${(err as Error).message}`)
        process.exit(1)
      })
  }
  process.on('SIGINT', () => shutdown('SIGINT'))
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  return serve
}

if (process.argv[1] && /cli\.[cm]?[jt]s$/.test(process.argv[1])) {
  void main(process.argv.slice(2)).then((r) => {
    if (typeof r === 'number') process.exit(r)
  })
}

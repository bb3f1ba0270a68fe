/**
 * `npm run demo`: a simulated fleet shaped like the product spec's topology (a GPU box "remote" with big models,
 * "localhost" with small ones) and `serve` pointed at it, so a newcomer sees routing work with no Ollama at all.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { startFleet, type Fleet } from '../../tools/ollama-sim'
import { REPO_ROOT, startServe, type Serve } from './serve'
import type { Logger } from '../core/logger'

/** The seed fleet: remote on 127.0.0.1:11500, localhost on 127.0.0.1:11501 (beside a real Ollama on 11434). */
export const SEED_FLEET = join(REPO_ROOT, 'tools', 'ollama-sim', 'fleets', 'seed.yaml')

/** The demo's config: the spec's shape, pointed at the simulated fleet, with mDNS off (no multicast here). */
export const DEMO_CONFIG = `# AILLM demo config: the simulated fleet of tools/ollama-sim/fleets/seed.yaml
llm:
  providers:
    ollama:
      enabled: true
      additional_servers:
        - name: remote                      # the GPU box with the big models
          url: http://127.0.0.1:11500
          priority: PRIMARY
        - name: localhost                   # this laptop, small models
          url: http://127.0.0.1:11501
          priority: SECONDARY
      distributed_mode: true
      auto_discover: false                  # the demo uses no mDNS
      mdns:
        enabled: false
api:
  host: 127.0.0.1
  port: 8000
`

/** DEMO_CONFIG pointed at where the fleet really listens (the same text for the seed ports). */
function demoConfigFor(fleet: Fleet): string {
  return DEMO_CONFIG.replace('http://127.0.0.1:11500', fleet.get('remote').url).replace(
    'http://127.0.0.1:11501',
    fleet.get('localhost').url,
  )
}

export interface DemoOptions {
  port?: number
  /**
   * Run the simulated fleet on free ports instead of 11500-11501 (the config is written to match), so two
   * demos (two test runs) can run side by side.
   */
  freeFleetPorts?: boolean
  fleetPath?: string
  logger?: Logger
  buildUi?: boolean
}

/** A running demo. */
export interface Demo {
  fleet: Fleet
  serve: Serve
  dir: string
  close(): Promise<void>
}

/** Starts the fleet and `serve`; everything it made is removed on close. */
export async function startDemo(opts: DemoOptions = {}): Promise<Demo> {
  const dir = mkdtempSync(join(tmpdir(), 'aillm-demo-'))
  const configPath = join(dir, 'config.yaml')
  let fleet: Fleet
  try {
    fleet = await startFleet(
      opts.fleetPath ?? SEED_FLEET,
      opts.freeFleetPorts ? { host: '127.0.0.1', port: 0 } : {},
    )
  } catch (err) {
    rmSync(dir, { recursive: true, force: true })
    throw new Error(
      `Could not start the simulated fleet: ${(err as Error).message}. ` +
        'Is another demo (or another program) using 127.0.0.1:11500-11501? Stop it and try again.',
    )
  }
  writeFileSync(configPath, demoConfigFor(fleet))
  let serve: Serve
  try {
    serve = await startServe({
      configPath,
      dataDir: join(dir, 'data'),
      port: opts.port ?? 8000,
      ...(opts.logger ? { logger: opts.logger } : {}),
      ...(opts.buildUi !== undefined ? { buildUi: opts.buildUi } : {}),
    })
  } catch (err) {
    await fleet.stop()
    rmSync(dir, { recursive: true, force: true })
    throw err
  }
  return {
    fleet,
    serve,
    dir,
    async close() {
      await serve.close()
      await fleet.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string' } }, strict: true })
  const port = values.port === undefined ? 8000 : Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(
      `aillm demo: --port must be a whole number from 0 to 65535 (got "${values.port}")`,
    )
    process.exit(2)
  }
  let demo: Demo
  try {
    demo = await startDemo({ port })
  } catch (err) {
    console.error(`aillm demo: ${(err as Error).message}`)
    process.exit(1)
  }
  for (const s of demo.fleet.servers) console.log(`Simulated Ollama "${s.name}" on ${s.url}`)
  console.log('')
  console.log(`AILLM demo is running. Open ${demo.serve.uiUrl} in your browser.`)
  console.log(`Try:  curl -s ${demo.serve.url}/api/message -d '{"message":"Hi!"}'`)
  console.log('Press Ctrl+C to stop.')
  const stop = () => {
    void demo.close().then(() => process.exit(0))
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

if (process.argv[1] && /demo\.[cm]?[jt]s$/.test(process.argv[1])) void main()

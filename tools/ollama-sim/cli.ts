/**
 * `npm run sim -- [fleet.yaml] [--fault <server>=<kind[:arg]>]...`
 * Starts a simulated Ollama fleet (default: fleets/seed.yaml) and runs until SIGINT/SIGTERM.
 */
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseSimCliArgs } from './cli-args'
import { loadFleetSpec, startFleet } from './fleet'

async function main(): Promise<void> {
  const here = dirname(fileURLToPath(import.meta.url))
  const args = parseSimCliArgs(process.argv.slice(2), resolve(here, 'fleets/seed.yaml'))
  const spec = loadFleetSpec(args.fleetPath)
  for (const { server, fault } of args.faults) {
    const target = spec.servers.find((s) => s.name === server)
    if (!target) throw new Error(`--fault: no server "${server}" in ${args.fleetPath}`)
    target.fault = fault
  }
  const fleet = await startFleet(spec)
  console.log(`ollama-sim: fleet ${args.fleetPath}`)
  for (const s of fleet.servers) {
    const fault = s.fault().kind === 'none' ? '' : ` [fault: ${s.fault().kind}]`
    console.log(`${s.name} ${s.url} (${s.state().models.length} models)${fault}`)
  }
  let stopping = false
  const shutdown = (signal: string): void => {
    if (stopping) return
    stopping = true
    console.log(`ollama-sim: ${signal}, stopping`)
    void fleet.stop().then(() => process.exit(0))
  }
  process.on('SIGINT', () => shutdown('SIGINT'))
  process.on('SIGTERM', () => shutdown('SIGTERM'))
}

main().catch((err: unknown) => {
  console.error(`ollama-sim: ${err instanceof Error ? err.message : String(err)}`)
  process.exit(1)
})

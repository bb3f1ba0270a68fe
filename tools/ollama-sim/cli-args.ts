import { resolve } from 'node:path'
import { parseFaultShorthand } from './fault'
import type { Fault } from './types'

/** Help text of `npm run sim`. */
export const USAGE = `usage: npm run sim -- [fleet.yaml] [--fault <server>=<kind[:arg]>]...
  kinds: none, stopped, frozen (= hang), wedged, slow-first-byte:<ms>, http-error:<500|503>,
         drop-after:<chunks>, malformed-chunk:<after>, trickle:<msPerChunk>, crash:<afterChunks>,
         no-done:<afterChunks>`

/** Parsed command line. */
export interface SimCliArgs {
  fleetPath: string
  faults: { server: string; fault: Fault }[]
}

/** Reads the command line; throws an Error with a message naming the bad argument. */
export function parseSimCliArgs(argv: string[], defaultFleet: string): SimCliArgs {
  const faults: SimCliArgs['faults'] = []
  let fleetPath: string | null = null
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    if (arg === '--fault') {
      const value = argv[++i]
      if (!value) throw new Error('--fault needs <server>=<kind[:arg]>')
      const eq = value.indexOf('=')
      if (eq <= 0) throw new Error(`--fault ${value}: expected <server>=<kind[:arg]>`)
      faults.push({ server: value.slice(0, eq), fault: parseFaultShorthand(value.slice(eq + 1)) })
    } else if (arg === '--help' || arg === '-h') {
      throw new Error(USAGE)
    } else if (arg.startsWith('-')) {
      throw new Error(`unknown option ${arg}\n${USAGE}`)
    } else if (fleetPath === null) {
      fleetPath = arg
    } else {
      throw new Error(`only one fleet file may be given (got ${fleetPath} and ${arg})`)
    }
  }
  return { fleetPath: resolve(fleetPath ?? defaultFleet), faults }
}

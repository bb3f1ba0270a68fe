import { Ollama } from 'ollama'
import { startSimServer, type SimServer, type SimServerOptions } from '../../../tools/ollama-sim'

/** Starts a sim server on a free loopback port, fast unless the test says otherwise. */
export function startFastSim(
  opts: Partial<SimServerOptions> & Pick<SimServerOptions, 'models'>,
): Promise<SimServer> {
  return startSimServer({
    name: 'sim',
    host: '127.0.0.1',
    port: 0,
    tokensPerSecond: 10_000,
    ...opts,
  })
}

/** An ollama-js client for a sim server. */
export function clientFor(server: SimServer): Ollama {
  return new Ollama({ host: server.url })
}

/** Runs a promise that must reject and returns what it rejected with. */
export async function rejection(
  promise: Promise<unknown>,
): Promise<Error & Record<string, unknown>> {
  try {
    await promise
  } catch (err) {
    return err as Error & Record<string, unknown>
  }
  throw new Error('expected the promise to reject, it resolved')
}

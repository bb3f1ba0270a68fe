import { spawn } from 'node:child_process'
import { once } from 'node:events'
import net from 'node:net'

/**
 * A listener in a process that never accepts: once its small backlog is full the kernel drops new
 * SYNs, so a connect hangs the way it does to a box that vanished from the LAN.
 */
export async function blackHole(): Promise<{ name: string; url: string; stop(): void }> {
  // The port goes out synchronously and the process blocks at once: no event-loop turn, no accept.
  const script = `
    const server = require('node:net').createServer()
    server.listen({ host: '127.0.0.1', port: 0, backlog: 1 }, () => {
      require('node:fs').writeSync(1, server.address().port + '\\n')
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)
    })`
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
  const [data] = (await once(child.stdout, 'data')) as [Buffer]
  const port = Number(data.toString().trim())
  // Fill the accept queue (backlog 0 would mean Node's default of 511); these stay queued for good.
  const fillers = Array.from({ length: 4 }, () =>
    net.connect(port, '127.0.0.1').on('error', () => {}),
  )
  await new Promise((r) => setTimeout(r, 50))
  return {
    name: 'hole',
    url: `http://127.0.0.1:${port}`,
    stop: () => {
      for (const socket of fillers) socket.destroy()
      child.kill()
    },
  }
}

/**
 * A controllable mDNS responder for the virtual-LAN tests; run it only inside a test namespace:
 * `ip netns exec aillm-gpu-<pid> tsx tools/netns/responder.ts --interface 10.231.0.2`.
 * It answers A queries for host names it is told about and publishes `_ollama._tcp` services via
 * bonjour-service. Commands arrive as JSON lines on stdin, replies go to stdout:
 *   {"id":1,"cmd":"host","name":"ollama-server.local","address":"10.231.0.2"}   answer A for a name
 *   {"id":2,"cmd":"host","name":"ollama-server.local","address":null}           stop answering
 *   {"id":3,"cmd":"publish","name":"gpu-box","port":11434,"host":"gpu-box.local","txt":{}}
 *   {"id":4,"cmd":"unpublish"}                                                   goodbye for all services
 *   {"id":5,"cmd":"interface","address":"10.231.0.3"}                          re-open on a new address
 */
import { parseArgs } from 'node:util'
import { createInterface } from 'node:readline'
import { Bonjour } from 'bonjour-service'
import makeMdns from 'multicast-dns'

const { values } = parseArgs({
  options: { interface: { type: 'string' }, ttl: { type: 'string' } },
  strict: true,
})
if (!values.interface) {
  console.error(
    'responder: --interface <IPv4 address> is required (run it inside a test namespace)',
  )
  process.exit(2)
}
let iface = values.interface
const ttl = Number(values.ttl ?? 120)
const hosts = new Map<string, string>()
let published: { name: string; port: number; host: string; txt: Record<string, string> }[] = []

const emit = (line: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`)
}

const socketOptions = (): { interface: string; bind: string } => ({
  interface: iface,
  bind: '0.0.0.0',
})

type Mdns = ReturnType<typeof makeMdns>
let mdns: Mdns
let bonjour: InstanceType<typeof Bonjour>

function openSockets(): Mdns {
  mdns = makeMdns(socketOptions())
  mdns.on('error', (err) => emit({ event: 'error', message: String(err) }))
  mdns.on('warning', (err) => emit({ event: 'warning', message: String(err) }))
  mdns.on('query', (query) => {
    for (const q of query.questions ?? []) {
      const address = hosts.get(q.name.toLowerCase())
      if (address === undefined || (q.type !== 'A' && String(q.type) !== 'ANY')) continue
      mdns.respond({ answers: [{ name: q.name, type: 'A', ttl, flush: true, data: address }] })
      emit({ event: 'answered', name: q.name, address })
    }
  })
  bonjour = new Bonjour(socketOptions() as never, (err: unknown) =>
    emit({ event: 'error', message: String(err) }),
  )
  for (const s of published) bonjour.publish({ ...s, type: 'ollama' })
  return mdns
}

function closeSockets(): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 1500)
    bonjour.unpublishAll(() => {
      bonjour.destroy()
      mdns.destroy(() => {
        clearTimeout(timer)
        resolve()
      })
    })
  })
}

async function handle(msg: Record<string, unknown>): Promise<unknown> {
  switch (msg['cmd']) {
    case 'host': {
      const name = String(msg['name']).toLowerCase()
      if (msg['address'] === null) hosts.delete(name)
      else hosts.set(name, String(msg['address']))
      return [...hosts]
    }
    case 'publish': {
      const service = {
        name: String(msg['name']),
        port: Number(msg['port']),
        host: String(msg['host']),
        txt: (msg['txt'] ?? {}) as Record<string, string>,
      }
      published.push(service)
      bonjour.publish({ ...service, type: 'ollama' })
      return service
    }
    case 'unpublish': {
      published = []
      await new Promise<void>((resolve) => bonjour.unpublishAll(() => resolve()))
      return true
    }
    case 'interface': {
      await closeSockets()
      iface = String(msg['address'])
      await new Promise<void>((resolve) => openSockets().once('ready', () => resolve()))
      return iface
    }
    default:
      throw new Error(`unknown command ${JSON.stringify(msg['cmd'])}`)
  }
}

openSockets().on('ready', () => emit({ event: 'ready', interface: iface }))
createInterface({ input: process.stdin }).on('line', (line) => {
  let msg: Record<string, unknown>
  try {
    msg = JSON.parse(line) as Record<string, unknown>
  } catch {
    emit({ ok: false, error: `not JSON: ${line}` })
    return
  }
  handle(msg)
    .then((result) => emit({ id: msg['id'], ok: true, result }))
    .catch((err: unknown) => emit({ id: msg['id'], ok: false, error: String(err) }))
})
const shutdown = (): void => {
  void closeSockets().then(() => process.exit(0))
}
process.on('SIGTERM', shutdown)
process.on('SIGINT', shutdown)
process.stdin.on('end', shutdown)

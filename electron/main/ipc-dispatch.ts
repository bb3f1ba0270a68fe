/**
 * The Electron IPC transport's logic, free of Electron so it is unit-tested in plain Node: which channels
 * exist, which senders may call them, dispatch to the core's handlers (arguments checked against the
 * channel's schema, core/contract/) and errors as `{name, message}`.
 * ipc-transport.ts wires this to ipcMain and webContents.
 */
import { ContractArgumentError, invokeChecked } from '../core/contract/contract-call'
import type { Disposable } from '../core/emitter'
import type {
  ContractHandlers,
  EventChannel,
  EventPayload,
  RequestChannel,
} from '../../shared/contract'
import { EVENT_CHANNELS, REQUEST_CHANNELS } from '../../shared/contract'
import type { SerializedError } from '../../shared/types'
import { serializeError } from '../../shared/types'
import { APP_ORIGIN } from './app-url'

/** What crosses back over IPC for every request: a value, or the error as `{name, message}`. */
export type IpcResult = { ok: true; value: unknown } | { ok: false; error: SerializedError }

/** Refused because the channel is not in the contract. */
export class UnknownChannelError extends Error {
  override readonly name = 'UnknownChannelError'
  constructor(readonly channel: unknown) {
    super(`Unknown IPC channel ${JSON.stringify(channel)}: not one of the contract's channels`)
  }
}

/** Refused because the caller is not one of our own windows' top frames on our own origin. */
export class ForeignSenderError extends Error {
  override readonly name = 'ForeignSenderError'
  constructor(
    readonly channel: string,
    readonly senderUrl: string | null,
    readonly reason: string,
  ) {
    super(`IPC call to "${channel}" refused from ${senderUrl ?? '(no frame)'}: ${reason}`)
  }
}

/** Refused because the arguments are not an array (a hand-crafted message). */
export class BadIpcArgumentsError extends Error {
  override readonly name = 'BadIpcArgumentsError'
  constructor(readonly channel: string) {
    super(`IPC call to "${channel}" has malformed arguments`)
  }
}

const requestChannels: ReadonlySet<string> = new Set(REQUEST_CHANNELS)
const eventChannels: ReadonlySet<string> = new Set(EVENT_CHANNELS)

/** True when `name` is one of the contract's request channels. */
export function isRequestChannel(name: unknown): name is RequestChannel {
  return typeof name === 'string' && requestChannels.has(name)
}

/** True when `name` is one of the contract's event channels. */
export function isEventChannel(name: unknown): name is EventChannel {
  return typeof name === 'string' && eventChannels.has(name)
}

/** The origins our own content comes from. */
export interface TrustedOrigins {
  /** electron-vite's dev server (`ELECTRON_RENDERER_URL`), only when not packaged. */
  devServerUrl?: string | null
  /** Folder of the built renderer, for a file:// fallback; null disables file:// entirely. */
  fileRoot?: string | null
}

/** What the transport tells us about the frame that sent an IPC message. */
export interface IpcSenderInfo {
  /** senderFrame.url, null when the frame is gone (navigated away or destroyed). */
  url: string | null
  /** The frame is the top frame of its page (no iframes are ours). */
  isMainFrame: boolean
  /** The frame belongs to a window this app created. */
  fromOurWindow: boolean
}

/** Why a sender is refused, or null when it is ours (the Electron docs' senderFrame check). */
export function senderProblem(sender: IpcSenderInfo, trusted: TrustedOrigins = {}): string | null {
  if (sender.url === null) return 'the sending frame is gone'
  if (!sender.fromOurWindow) return 'not one of our windows'
  if (!sender.isMainFrame) return 'not a top-level frame'
  if (!isTrustedUrl(sender.url, trusted)) return 'origin is not ours'
  return null
}

/** True when `raw` is on one of our origins: app://aillm, the dev server, or the renderer's files. */
export function isTrustedUrl(raw: string, trusted: TrustedOrigins = {}): boolean {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return false
  }
  if (`${url.protocol}//${url.host}` === APP_ORIGIN) return true
  if (trusted.devServerUrl) {
    try {
      if (url.origin === new URL(trusted.devServerUrl).origin) return true
    } catch {
      // A malformed dev server URL trusts nothing.
    }
  }
  if (trusted.fileRoot && url.protocol === 'file:') {
    const root = new URL(`file://${toPosixRoot(trusted.fileRoot)}`).pathname
    return url.host === '' && url.pathname.startsWith(root)
  }
  return false
}

/**
 * True when `raw` is our one document (the SPA's index.html, on any of our origins): the only place a
 * window may navigate to. Other URLs of our origin (a relative link in an answer resolves to
 * `app://aillm/README.md`) would replace the app with a "not found" page. Views change by hash only.
 */
export function isOwnDocumentUrl(raw: string, trusted: TrustedOrigins = {}): boolean {
  if (!isTrustedUrl(raw, trusted)) return false
  const url = new URL(raw)
  if (url.protocol === 'file:') {
    const root = new URL(`file://${toPosixRoot(trusted.fileRoot ?? '/')}`).pathname
    return url.pathname === `${root}index.html`
  }
  let base = '/'
  const dev = parseUrl(trusted.devServerUrl)
  // appUrlFor puts index.html under the dev server URL's own path, if it has one.
  if (dev && url.origin === dev.origin) base = `${dev.pathname.replace(/\/+$/, '')}/`
  return url.pathname === base || url.pathname === `${base}index.html`
}

function parseUrl(raw: string | null | undefined): URL | null {
  if (!raw) return null
  try {
    return new URL(raw)
  } catch {
    return null
  }
}

function toPosixRoot(dir: string): string {
  const posix = dir.replace(/\\/g, '/')
  const withSlash = posix.startsWith('/') ? posix : `/${posix}`
  return withSlash.endsWith('/') ? withSlash : `${withSlash}/`
}

/** Something that can be told about refused calls (a Logger fits). */
export interface IpcWarn {
  warn(message: string): void
}

/** Handles one IPC request: validate channel, sender and arguments, call the handler, wrap the result. */
export type IpcDispatch = (
  channel: unknown,
  sender: IpcSenderInfo,
  args: unknown,
) => Promise<IpcResult>

/** Builds the dispatcher over the core's contract handlers. Never rejects: failures become values. */
export function createIpcDispatcher(opts: {
  handlers: ContractHandlers
  trusted?: TrustedOrigins
  logger?: IpcWarn
}): IpcDispatch {
  const trusted = opts.trusted ?? {}
  return async (channel, sender, args) => {
    try {
      if (!isRequestChannel(channel)) throw new UnknownChannelError(channel)
      const problem = senderProblem(sender, trusted)
      if (problem !== null) throw new ForeignSenderError(channel, sender.url, problem)
      if (!Array.isArray(args)) throw new BadIpcArgumentsError(channel)
      // The same check as the WebSocket's: each argument against the channel's schema.
      const value = await invokeChecked(opts.handlers, channel, args)
      return { ok: true, value }
    } catch (err) {
      // A bad argument from one of our own windows is a renderer bug: worth a line in the log.
      if (
        err instanceof UnknownChannelError ||
        err instanceof ForeignSenderError ||
        err instanceof ContractArgumentError
      ) {
        opts.logger?.warn(err.message)
      }
      return { ok: false, error: serializeError(err) }
    }
  }
}

/** Subscribes to the core's events, the part of AppCore the transports need. */
export type CoreEvents = <C extends EventChannel>(
  channel: C,
  listener: (payload: EventPayload<C>) => void,
) => Disposable

/** Forwards every event channel of the core to `send` (all windows); returns one unsubscribe. */
export function forwardCoreEvents(
  on: CoreEvents,
  send: (channel: EventChannel, payload: unknown) => void,
): Disposable {
  const offs = EVENT_CHANNELS.map((channel) =>
    on(channel, (payload: unknown) => send(channel, payload)),
  )
  return () => {
    for (const off of offs) off()
  }
}

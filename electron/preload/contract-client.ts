/**
 * The renderer's ContractClient over Electron IPC, built from an ipcRenderer-like object so it is tested
 * in plain Node. Only contract channel names pass; the IPC event object never reaches the renderer.
 */
import type {
  ContractClient,
  EventChannel,
  EventPayload,
  RequestArgs,
  RequestChannel,
  RequestResult,
} from '../../shared/contract'
import { EVENT_CHANNELS, REQUEST_CHANNELS } from '../../shared/contract'
import type { IpcResult } from '../main/ipc-dispatch'

/** The slice of ipcRenderer the client uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown
}

const requestChannels: ReadonlySet<string> = new Set(REQUEST_CHANNELS)
const eventChannels: ReadonlySet<string> = new Set(EVENT_CHANNELS)

function namedError(name: string, message: string): Error {
  const err = new Error(message)
  err.name = name
  return err
}

function isIpcResult(value: unknown): value is IpcResult {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { ok?: unknown }).ok === 'boolean'
  )
}

/** Creates the client the preload exposes as `window.aillm`. */
export function createContractClient(ipc: IpcRendererLike): ContractClient {
  return {
    async invoke<C extends RequestChannel>(
      channel: C,
      ...args: RequestArgs<C>
    ): Promise<RequestResult<C>> {
      if (typeof channel !== 'string' || !requestChannels.has(channel)) {
        throw namedError(
          'UnknownChannelError',
          `Unknown request channel ${JSON.stringify(channel)}`,
        )
      }
      const result = await ipc.invoke(channel, ...args)
      if (!isIpcResult(result)) {
        throw namedError('IpcProtocolError', `Malformed answer on "${channel}"`)
      }
      if (!result.ok) throw namedError(result.error.name, result.error.message)
      return result.value as RequestResult<C>
    },
    on<C extends EventChannel>(
      channel: C,
      listener: (payload: EventPayload<C>) => void,
    ): () => void {
      if (typeof channel !== 'string' || !eventChannels.has(channel)) {
        throw namedError('UnknownChannelError', `Unknown event channel ${JSON.stringify(channel)}`)
      }
      if (typeof listener !== 'function') {
        throw namedError('TypeError', `Listener for "${channel}" is not a function`)
      }
      // Only the payload crosses: the IPC event would hand the renderer a reference to ipcRenderer.
      const wrapped = (_event: unknown, payload?: unknown): void => {
        listener(payload as EventPayload<C>)
      }
      ipc.on(channel, wrapped)
      let subscribed = true
      return () => {
        if (!subscribed) return
        subscribed = false
        ipc.removeListener(channel, wrapped)
      }
    },
  }
}

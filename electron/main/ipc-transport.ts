/**
 * The Electron IPC transport: the only module that touches ipcMain (lint-enforced). One ipcMain.handle per
 * contract request channel, every call's sender checked; every core event sent to all our windows.
 */
import { ipcMain } from 'electron'
import type { IpcMainInvokeEvent, WebContents } from 'electron'
import type { Disposable } from '../core/emitter'
import type { ContractHandlers } from '../../shared/contract'
import { REQUEST_CHANNELS } from '../../shared/contract'
import type { CoreEvents, IpcSenderInfo, IpcWarn, TrustedOrigins } from './ipc-dispatch'
import { createIpcDispatcher, forwardCoreEvents, isTrustedUrl } from './ipc-dispatch'

/** What the transport needs from the app: the core and a view of our windows. */
export interface IpcTransportOptions {
  handlers: ContractHandlers
  on: CoreEvents
  /** The web contents of every window we created (for the sender check and for events). */
  ourWebContents: () => WebContents[]
  trusted: TrustedOrigins
  logger: IpcWarn
}

function senderInfo(event: IpcMainInvokeEvent, ours: WebContents[]): IpcSenderInfo {
  const frame = event.senderFrame
  return {
    url: frame ? frame.url : null,
    isMainFrame: frame !== null && frame.parent === null,
    fromOurWindow: ours.includes(event.sender),
  }
}

/** Registers the request handlers and event forwarding; the returned function undoes both. */
export function registerIpcTransport(opts: IpcTransportOptions): Disposable {
  const dispatch = createIpcDispatcher({
    handlers: opts.handlers,
    trusted: opts.trusted,
    logger: opts.logger,
  })
  for (const channel of REQUEST_CHANNELS) {
    ipcMain.handle(channel, (event, ...args: unknown[]) =>
      dispatch(channel, senderInfo(event, opts.ourWebContents()), args),
    )
  }
  const stopEvents = forwardCoreEvents(opts.on, (channel, payload) => {
    for (const contents of opts.ourWebContents()) {
      // A window that somehow left our origin gets nothing (navigation is blocked; this is the backstop).
      if (!contents.isDestroyed() && isTrustedUrl(contents.getURL(), opts.trusted)) {
        contents.send(channel, payload)
      }
    }
  })
  return () => {
    stopEvents()
    for (const channel of REQUEST_CHANNELS) ipcMain.removeHandler(channel)
  }
}

// Preload (sandboxed, CJS, self-contained): exposes the typed contract client as `window.aillm`. Nothing
// raw crosses the bridge — no ipcRenderer, no event objects — only invoke/on over contract channel names.
import { contextBridge, ipcRenderer } from 'electron'
import { createContractClient } from './contract-client'

const client = createContractClient(ipcRenderer)

contextBridge.exposeInMainWorld('aillm', {
  invoke: client.invoke,
  on: client.on,
})

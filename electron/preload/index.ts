// contextBridge: exposes the contract's typed client (issue 6).
import { contextBridge } from 'electron'

contextBridge.exposeInMainWorld('aillm', { version: 1 })

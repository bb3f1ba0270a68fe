// Electron shell entry. Filled in by issue 6 (tray, windows, IPC transport).
import { app } from 'electron'

void app.whenReady().then(() => {
  console.log('AILLM desktop shell starting')
})

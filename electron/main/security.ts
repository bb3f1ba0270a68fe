/**
 * The Electron security checklist, applied app-wide: our content from the app:// protocol with a strict
 * CSP, every permission denied, navigation and new windows blocked, http(s) links to the browser only
 * after vetting, no <webview>.
 */
import { readFile } from 'node:fs/promises'
import { app, protocol, session, shell } from 'electron'
import type { Session, WebContents } from 'electron'
import { APP_CSP, APP_SCHEME, contentTypeFor, devCsp, resolveAppPath } from './app-url'
import { isSafeExternalUrl } from './external-links'
import type { IpcWarn, TrustedOrigins } from './ipc-dispatch'
import { isOwnDocumentUrl } from './ipc-dispatch'

/** Must run before `app.ready`: makes app:// a standard, secure origin (fetch, relative URLs, CSP 'self'). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
    },
  ])
}

/** Serves out/renderer on app://aillm/ with path-traversal checks and the CSP on every answer. */
export function serveAppProtocol(rendererDir: string, logger: IpcWarn): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const resolved = resolveAppPath(rendererDir, request.url)
    if (!resolved.ok) {
      logger.warn(`app:// refused ${request.url}: ${resolved.reason}`)
      return new Response(resolved.reason, { status: resolved.status })
    }
    try {
      const body = await readFile(resolved.path)
      return new Response(body, {
        status: 200,
        headers: {
          'Content-Type': contentTypeFor(resolved.path),
          'Content-Security-Policy': APP_CSP,
          'X-Content-Type-Options': 'nosniff',
        },
      })
    } catch {
      return new Response('not found', { status: 404 })
    }
  })
}

/** Denies every permission (camera, notifications from pages, …) and adds the CSP to dev server pages. */
export function hardenSession(target: Session, devServerUrl: string | null): void {
  target.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  target.setPermissionCheckHandler(() => false)
  if (devServerUrl) {
    const policy = devCsp(devServerUrl)
    const origin = new URL(devServerUrl).origin
    target.webRequest.onHeadersReceived((details, callback) => {
      if (!details.url.startsWith(origin)) return callback({})
      callback({
        responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [policy] },
      })
    })
  }
}

/** Opens a link in the user's browser when it is a plain http(s) URL; anything else is dropped. */
export function openExternalSafely(url: string, logger: IpcWarn): void {
  if (isSafeExternalUrl(url)) {
    void shell.openExternal(url).catch((err: unknown) => {
      logger.warn(`Could not open ${url} in the browser: ${String(err)}`)
    })
  } else {
    logger.warn(`Refused to open a non-web link: ${url.slice(0, 200)}`)
  }
}

function hardenContents(contents: WebContents, trusted: TrustedOrigins, logger: IpcWarn): void {
  const guard = (event: { preventDefault(): void }, url: string): void => {
    // Only our own document (a reload); any other URL, even on our origin, would unload the app.
    if (isOwnDocumentUrl(url, trusted)) return
    event.preventDefault()
    openExternalSafely(url, logger)
  }
  contents.on('will-navigate', (event) => guard(event, event.url))
  contents.on('will-redirect', (event) => guard(event, event.url))
  contents.setWindowOpenHandler(({ url }) => {
    openExternalSafely(url, logger)
    return { action: 'deny' }
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())
}

/** Applies the checklist to the default session and to every web contents created from now on. */
export function installSecurity(opts: {
  devServerUrl: string | null
  trusted: TrustedOrigins
  logger: IpcWarn
}): void {
  hardenSession(session.defaultSession, opts.devServerUrl)
  app.on('web-contents-created', (_event, contents) =>
    hardenContents(contents, opts.trusted, opts.logger),
  )
}

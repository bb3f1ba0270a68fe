import { ConnectionStatus, DisconnectedBanner } from './components/connection-status'
import { FailoverToast } from './components/failover-toast'
import { ModeSwitch } from './components/mode-switch'
import type { Route } from './use-hash-route'
import { useHashRoute } from './use-hash-route'
import { ChatView } from './views/chat/chat-view'
import { DashboardView } from './views/dashboard/dashboard-view'
import { RoutingLogView } from './views/routing/routing-log-view'
import { SettingsView } from './views/settings/settings-view'

const NAV: { route: Route; label: string }[] = [
  { route: 'dashboard', label: 'Dashboard' },
  { route: 'chat', label: 'Chat' },
  { route: 'routing', label: 'Routing log' },
  { route: 'settings', label: 'Settings' },
]

function View({ route }: { route: Route }) {
  switch (route) {
    case 'dashboard':
      return <DashboardView />
    case 'chat':
      return <ChatView />
    case 'routing':
      return <RoutingLogView />
    case 'settings':
      return <SettingsView />
  }
}

/** The app shell: navigation, the mode switch and connection state on every view. */
export function App() {
  const route = useHashRoute()
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <h1>AILLM</h1>
        <nav aria-label="Views">
          <ul>
            {NAV.map((n) => (
              <li key={n.route}>
                <a href={`#/${n.route}`} aria-current={route === n.route ? 'page' : undefined}>
                  {n.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="header-right">
          <ModeSwitch />
          <ConnectionStatus />
        </div>
      </header>
      <DisconnectedBanner />
      <main id="main" tabIndex={-1}>
        <View route={route} />
      </main>
      <FailoverToast />
    </div>
  )
}

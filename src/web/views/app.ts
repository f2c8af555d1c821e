import type { AppState } from '../model/state.js';
import type { Store } from '../model/store.js';
import type { Actions } from './actions.js';
import { ConnectionIndicator } from './connection-indicator.js';
import { DeviceList } from './device-list.js';
import { useNow, useStore } from './hooks.js';
import { html } from './html.js';
import { LoginForm } from './login-form.js';

export interface AppProps {
  store: Store<AppState>;
  actions: Actions;
}

/** The page: a bar with the realm and the connection, then the login form or the devices. */
export function App({ store, actions }: AppProps) {
  const state = useStore(store);
  const now = useNow(1000);
  const { auth, connection, realm } = state;
  return html`
    <header class="topbar">
      <div class="brand">
        <svg class="brand-mark" viewBox="0 0 24 24" aria-hidden="true"><path d="M4 7h10m0 0-3-3m3 3-3 3M20 17H10m0 0 3-3m-3 3 3 3" /></svg>
        <h1 class="brand-name">switchyard</h1>
        <span class="realm" title="WAMP realm">${realm}</span>
      </div>
      <div class="topbar-end">
        <${ConnectionIndicator} connection=${connection} signInNeeded=${auth.required} onRetry=${actions.retry} />
        ${auth.authid !== null
          ? html`<button type="button" class="button button-small button-ghost" onClick=${actions.logout}>Sign out <span class="authid">${auth.authid}</span></button>`
          : null}
      </div>
    </header>
    <main class="content">
      ${auth.required
        ? html`<${LoginForm} realm=${realm} auth=${auth} onLogin=${actions.login} />`
        : html`<${DeviceList} devices=${state.devices} phase=${connection.phase} realm=${realm} problem=${state.problem} now=${now} actions=${actions} />`}
    </main>
  `;
}

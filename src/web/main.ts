import { render } from 'preact';
import { ConnectionManager, tabCredentials } from './model/connection.js';
import { DeviceSync } from './model/device-sync.js';
import { initialState } from './model/state.js';
import { createStore } from './model/store.js';
import type { Actions } from './views/actions.js';
import { App } from './views/app.js';
import { html } from './views/html.js';
import { connectBrowser } from './wamp.js';

/**
 * The browser UI. It always talks to /ws of the server that served it: a link must not be able
 * to send the login form's password to another router. `?realm=` (default home) and `?prefix=`
 * (the devices' URI prefix, default devices) pick what it shows.
 */
const params = new URLSearchParams(location.search);
const realm = params.get('realm') || 'home';
const prefix = params.get('prefix') || 'devices';
const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;

/** sessionStorage, or undefined where reading it throws (storage disabled, sandboxed frames). */
function tabStorage(): Storage | undefined {
  try {
    return globalThis.sessionStorage;
  } catch {
    return undefined;
  }
}

const store = createStore(initialState(realm));
const sync = new DeviceSync(store, { prefix });
const connection = new ConnectionManager({
  store,
  connect: connectBrowser,
  credentials: tabCredentials(tabStorage()),
  url,
  realm,
  onSession: (session) => {
    store.update((state) => (state.problem === null ? state : { ...state, problem: null }));
    sync.attach(session).catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      store.update((state) => ({ ...state, problem: `Cannot follow the devices (${prefix}.*): ${reason}` }));
    });
  },
  onSignedOut: () => sync.detach(),
});

const actions: Actions = {
  set: (device, actuator, value) => sync.set(device, actuator, value),
  toggle: (device, actuator) => sync.toggle(device, actuator),
  dismissError: (device, actuator) => sync.dismissError(device, actuator),
  login: (credentials) => connection.login(credentials),
  logout: () => connection.logout(),
  retry: () => connection.retry(),
};

// Connect first: the WebSocket handshake runs while the first render happens.
connection.start();
const root = document.getElementById('app')!;
root.textContent = '';
render(html`<${App} store=${store} actions=${actions} />`, root);

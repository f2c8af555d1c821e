import type { ReconnectOptions } from '../../client/connect-options.js';
import type { StateEvent, StateListener } from '../../client/connection-state.js';
import { AbortedError, AuthenticationError } from '../../client/errors.js';
import type { AuthOptions } from '../../client/types.js';
import { ErrorUri } from '../../protocol/uris.js';
import type { SyncSession } from './device-sync.js';
import type { AppState, AuthView, ConnectionView, LoginMethod } from './state.js';
import type { Store } from './store.js';

/** What the login form collects. */
export interface Credentials {
  readonly method: LoginMethod;
  readonly authid: string;
  readonly secret: string;
}

/** The options the page passes to the browser client's connect() (src/browser.ts). */
export interface PageConnectOptions {
  url: string;
  realm: string;
  serializer: 'json';
  auth?: AuthOptions;
  reconnect: ReconnectOptions;
  onState: StateListener;
}

export interface PageSession extends SyncSession {
  close(): Promise<void>;
}

export type ConnectFn = (options: PageConnectOptions) => Promise<PageSession>;

/** Where credentials are kept: only for the tab's session (sessionStorage), never longer. */
export interface CredentialStore {
  load(): Credentials | undefined;
  save(credentials: Credentials): void;
  clear(): void;
}

const STORAGE_KEY = 'switchyard.credentials';

/** A CredentialStore on `storage` (the tab's sessionStorage); without one, nothing is kept. */
export function tabCredentials(storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | undefined): CredentialStore {
  return {
    load() {
      try {
        const parsed: unknown = JSON.parse(storage?.getItem(STORAGE_KEY) ?? 'null');
        if (typeof parsed !== 'object' || parsed === null) return undefined;
        const { method, authid, secret } = parsed as Record<string, unknown>;
        if ((method !== 'ticket' && method !== 'wampcra') || typeof authid !== 'string' || typeof secret !== 'string') return undefined;
        return { method, authid, secret };
      } catch {
        return undefined;
      }
    },
    save(credentials) {
      try {
        storage?.setItem(STORAGE_KEY, JSON.stringify(credentials));
      } catch {
        // Storage full or disabled (private mode): the sign-in still holds for this page.
      }
    },
    clear() {
      try {
        storage?.removeItem(STORAGE_KEY);
      } catch {
        // As above.
      }
    },
  };
}

export interface ConnectionManagerOptions {
  store: Store<AppState>;
  connect: ConnectFn;
  credentials: CredentialStore;
  url: string;
  realm: string;
  /** A session joined for the first time (after a sign-in too). */
  onSession(session: PageSession): void;
  /** The session is gone for good (sign-out). */
  onSignedOut(): void;
  now?: () => number;
  /** Whether WebCrypto is there (WAMP-CRA needs it; browsers offer it on https and localhost only). */
  hasWebCrypto?: () => boolean;
}

/** A LAN: retry soon, and never wait long. */
const RECONNECT: ReconnectOptions = { initialMs: 300, maxMs: 5000 };

/**
 * Opens the page's session (anonymous, or with the credentials kept for this tab), follows its
 * state into the store, and shows the login form when the realm refuses the session.
 */
export class ConnectionManager {
  readonly #options: ConnectionManagerOptions;
  readonly #now: () => number;
  #session: PageSession | undefined;
  /** Counts sessions opened, so the events of an abandoned one are ignored. */
  #generation = 0;

  constructor(options: ConnectionManagerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Connects with the kept credentials, or anonymously. */
  start(): void {
    this.#open(this.#options.credentials.load(), false);
  }

  /** The login form's submit: resolves when it joined or failed (the store says which). */
  login(credentials: Credentials): Promise<void> {
    if (credentials.method === 'wampcra' && !(this.#options.hasWebCrypto?.() ?? hasWebCrypto())) {
      this.#setAuth({ error: 'WAMP-CRA needs a secure page (https, or localhost). Use a ticket, or open the page over https.' });
      return Promise.resolve();
    }
    return this.#open(credentials, true);
  }

  /** Leaves the session, forgets the credentials, shows the login form. */
  logout(): void {
    this.#generation++;
    this.#options.credentials.clear();
    void this.#session?.close();
    this.#session = undefined;
    this.#options.onSignedOut();
    this.#setAuth({ required: true, busy: false, error: null, authid: null });
    this.#setConnection({ phase: 'closed', retryAt: null, message: 'Signed out.' });
  }

  /** After the session closed for good (not for a refused login): try again. */
  retry(): void {
    this.start();
  }

  async #open(credentials: Credentials | undefined, fromForm: boolean): Promise<void> {
    const generation = ++this.#generation;
    void this.#session?.close();
    this.#session = undefined;
    let joined = false;
    const current = (): boolean => generation === this.#generation;
    const onState = (event: StateEvent): void => {
      if (!current()) return;
      if (event.state === 'joined') joined = true;
      if (event.state === 'closed') {
        // Before the first join the rejection below reports it; afterwards, it is reported here.
        if (joined) this.#closed(event.error, credentials);
        return;
      }
      this.#setConnection(phaseOf(event, joined, this.#now()));
    };
    this.#setConnection({ phase: 'connecting', retryAt: null, message: null });
    if (fromForm) this.#setAuth({ busy: true, error: null });
    const { url, realm } = this.#options;
    try {
      const session = await this.#options.connect({
        url,
        realm,
        serializer: 'json',
        reconnect: RECONNECT,
        onState,
        ...(credentials !== undefined ? { auth: toAuth(credentials) } : {}),
      });
      if (!current()) {
        void session.close();
        return;
      }
      this.#session = session;
      if (credentials !== undefined) this.#options.credentials.save(credentials);
      this.#setAuth({ required: false, busy: false, error: null, authid: credentials?.authid ?? null });
      this.#options.onSession(session);
    } catch (error) {
      if (current()) this.#closed(error, credentials);
    }
  }

  #closed(error: unknown, credentials: Credentials | undefined): void {
    this.#session = undefined;
    if (isRefusal(error)) {
      if (credentials !== undefined) this.#options.credentials.clear();
      this.#options.onSignedOut();
      this.#setAuth({
        required: true,
        busy: false,
        authid: null,
        error: credentials === undefined ? null : 'Sign-in refused: check the user name and the password.',
      });
      this.#setConnection({ phase: 'closed', retryAt: null, message: 'Sign-in needed.' });
      return;
    }
    this.#setAuth({ busy: false });
    this.#setConnection({ phase: 'closed', retryAt: null, message: closeMessage(error, this.#options.realm) });
  }

  #setConnection(connection: ConnectionView): void {
    this.#options.store.update((state) => (sameConnection(state.connection, connection) ? state : { ...state, connection }));
  }

  #setAuth(change: Partial<AuthView>): void {
    this.#options.store.update((state) => ({ ...state, auth: { ...state.auth, ...change } }));
  }
}

function phaseOf(event: StateEvent, joined: boolean, now: number): ConnectionView {
  switch (event.state) {
    case 'joined':
      return { phase: 'connected', retryAt: null, message: null };
    case 'retrying':
      return { phase: joined ? 'reconnecting' : 'connecting', retryAt: event.delayMs !== undefined ? now + event.delayMs : null, message: null };
    case 'connecting':
      return { phase: joined ? 'reconnecting' : 'connecting', retryAt: null, message: null };
    default:
      return { phase: 'reconnecting', retryAt: null, message: null };
  }
}

function sameConnection(a: ConnectionView, b: ConnectionView): boolean {
  return a.phase === b.phase && a.retryAt === b.retryAt && a.message === b.message;
}

function toAuth(credentials: Credentials): AuthOptions {
  return credentials.method === 'ticket'
    ? { method: 'ticket', authid: credentials.authid, ticket: credentials.secret }
    : { method: 'wampcra', authid: credentials.authid, secret: credentials.secret };
}

/** The realm wants a (different) login: show the form. */
function isRefusal(error: unknown): boolean {
  if (error instanceof AuthenticationError) return true;
  return error instanceof AbortedError && (error.uri === ErrorUri.NOT_AUTHORIZED || error.uri === ErrorUri.AUTHORIZATION_FAILED);
}

function closeMessage(error: unknown, realm: string): string {
  if (error instanceof AbortedError && error.uri === ErrorUri.NO_SUCH_REALM) return `This router has no realm "${realm}".`;
  if (error instanceof Error) return `Disconnected: ${error.message}`;
  return 'Disconnected.';
}

function hasWebCrypto(): boolean {
  return typeof globalThis.crypto?.subtle?.importKey === 'function';
}

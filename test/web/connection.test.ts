import { describe, expect, it } from 'vitest';
import { AbortedError, AuthenticationError } from '../../src/client/errors.js';
import {
  ConnectionManager,
  tabCredentials,
  type CredentialStore,
  type Credentials,
  type PageConnectOptions,
  type PageSession,
} from '../../src/web/model/connection.js';
import { initialState, type AppState } from '../../src/web/model/state.js';
import { createStore, type Store } from '../../src/web/model/store.js';

/** Records connect() calls; each is settled by the test. */
function fakeConnect() {
  const attempts: { options: PageConnectOptions; resolve(session: PageSession): void; reject(error: Error): void }[] = [];
  const connect = (options: PageConnectOptions) =>
    new Promise<PageSession>((resolve, reject) => attempts.push({ options, resolve, reject }));
  return { attempts, connect };
}

function session(): PageSession & { closed: number } {
  const s = {
    closed: 0,
    call: () => Promise.reject(new Error('not used')),
    subscribe: () => Promise.reject(new Error('not used')),
    close: () => Promise.resolve(void s.closed++),
  };
  return s;
}

function memoryCredentials(initial?: Credentials): CredentialStore & { value: Credentials | undefined } {
  const store = {
    value: initial,
    load: () => store.value,
    save: (c: Credentials) => void (store.value = c),
    clear: () => void (store.value = undefined),
  };
  return store;
}

function setup(credentials = memoryCredentials(), hasWebCrypto = true) {
  const store: Store<AppState> = createStore(initialState('home'));
  const { attempts, connect } = fakeConnect();
  const sessions: PageSession[] = [];
  let signedOut = 0;
  const manager = new ConnectionManager({
    store,
    connect,
    credentials,
    url: 'ws://pi:8080/ws',
    realm: 'home',
    onSession: (s) => void sessions.push(s),
    onSignedOut: () => void signedOut++,
    now: () => 1000,
    hasWebCrypto: () => hasWebCrypto,
  });
  return { store, attempts, manager, sessions, credentials, signedOut: () => signedOut };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
const refused = () => new AuthenticationError('wamp.error.no_matching_auth_method');

describe('ConnectionManager', () => {
  it('connects anonymously over JSON and follows the session state', async () => {
    const { store, attempts, manager, sessions } = setup();
    manager.start();
    expect(attempts[0]!.options).toMatchObject({ url: 'ws://pi:8080/ws', realm: 'home', serializer: 'json' });
    expect(attempts[0]!.options.auth).toBeUndefined();
    expect(store.get().connection.phase).toBe('connecting');
    const onState = attempts[0]!.options.onState;
    onState({ state: 'joined' });
    attempts[0]!.resolve(session());
    await flush();
    expect(store.get().connection.phase).toBe('connected');
    expect(sessions).toHaveLength(1);
    onState({ state: 'disconnected' });
    expect(store.get().connection.phase).toBe('reconnecting');
    onState({ state: 'retrying', delayMs: 500 });
    expect(store.get().connection).toEqual({ phase: 'reconnecting', retryAt: 1500, message: null });
    onState({ state: 'joined' });
    expect(store.get().connection.phase).toBe('connected');
  });

  it('shows the login form, without an error, when the realm refuses anonymous sessions', async () => {
    const { store, attempts, manager } = setup();
    manager.start();
    attempts[0]!.reject(refused());
    await flush();
    expect(store.get().auth).toMatchObject({ required: true, error: null, busy: false });
  });

  it('signs in with a ticket and keeps it for the tab', async () => {
    const { store, attempts, manager, credentials } = setup();
    manager.start();
    attempts[0]!.reject(refused());
    await flush();
    const login = manager.login({ method: 'ticket', authid: 'alice', secret: 's3cret' });
    expect(store.get().auth.busy).toBe(true);
    expect(attempts[1]!.options.auth).toEqual({ method: 'ticket', authid: 'alice', ticket: 's3cret' });
    attempts[1]!.resolve(session());
    await login;
    expect(store.get().auth).toEqual({ required: false, busy: false, error: null, authid: 'alice' });
    expect(credentials.value).toEqual({ method: 'ticket', authid: 'alice', secret: 's3cret' });
  });

  it('says why when a sign-in is refused, and forgets the credentials', async () => {
    const { store, attempts, manager, credentials } = setup(memoryCredentials({ method: 'wampcra', authid: 'bob', secret: 'old' }));
    manager.start();
    expect(attempts[0]!.options.auth).toEqual({ method: 'wampcra', authid: 'bob', secret: 'old' });
    attempts[0]!.reject(new AuthenticationError('wamp.error.authentication_failed'));
    await flush();
    expect(store.get().auth.required).toBe(true);
    expect(store.get().auth.error).toMatch(/refused/);
    expect(credentials.value).toBeUndefined();
  });

  it('refuses WAMP-CRA where the page has no WebCrypto (plain http on the LAN)', async () => {
    const { store, attempts, manager } = setup(memoryCredentials(), false);
    await manager.login({ method: 'wampcra', authid: 'bob', secret: 'x' });
    expect(attempts).toHaveLength(0);
    expect(store.get().auth.error).toMatch(/secure page/);
  });

  it('shows the form again when the credentials stop working after a reconnect', async () => {
    const { store, attempts, manager, signedOut } = setup(memoryCredentials({ method: 'ticket', authid: 'alice', secret: 'a' }));
    manager.start();
    attempts[0]!.options.onState({ state: 'joined' });
    attempts[0]!.resolve(session());
    await flush();
    attempts[0]!.options.onState({ state: 'closed', error: new AuthenticationError('wamp.error.authentication_failed') });
    expect(store.get().auth.required).toBe(true);
    expect(signedOut()).toBe(1);
  });

  it('reports a realm that does not exist, and retries on request', async () => {
    const { store, attempts, manager } = setup();
    manager.start();
    attempts[0]!.reject(new AbortedError('wamp.error.no_such_realm'));
    await flush();
    expect(store.get().connection).toMatchObject({ phase: 'closed', message: 'This router has no realm "home".' });
    expect(store.get().auth.required).toBe(false);
    manager.retry();
    expect(attempts).toHaveLength(2);
  });

  it('signs out: closes the session, forgets the credentials, shows the form', async () => {
    const { store, attempts, manager, credentials, signedOut } = setup(memoryCredentials({ method: 'ticket', authid: 'alice', secret: 'a' }));
    manager.start();
    const s = session();
    attempts[0]!.resolve(s);
    await flush();
    manager.logout();
    expect(s.closed).toBe(1);
    expect(credentials.value).toBeUndefined();
    expect(store.get().auth).toMatchObject({ required: true, authid: null });
    expect(signedOut()).toBe(1);
    // Events of the old session no longer count.
    attempts[0]!.options.onState({ state: 'joined' });
    expect(store.get().connection.phase).toBe('closed');
  });

  it('closes a session that joins after a newer attempt started', async () => {
    const { attempts, manager, sessions } = setup();
    manager.start();
    void manager.login({ method: 'ticket', authid: 'a', secret: 'b' });
    const late = session();
    attempts[0]!.resolve(late);
    await flush();
    expect(late.closed).toBe(1);
    expect(sessions).toHaveLength(0);
  });
});

describe('tabCredentials', () => {
  it('keeps credentials in the given storage and ignores what it cannot read', () => {
    const data = new Map<string, string>();
    const storage = {
      getItem: (k: string) => data.get(k) ?? null,
      setItem: (k: string, v: string) => void data.set(k, v),
      removeItem: (k: string) => void data.delete(k),
    };
    const kept = tabCredentials(storage);
    expect(kept.load()).toBeUndefined();
    kept.save({ method: 'ticket', authid: 'a', secret: 'b' });
    expect(kept.load()).toEqual({ method: 'ticket', authid: 'a', secret: 'b' });
    data.set('switchyard.credentials', '{"method":"plain"}');
    expect(kept.load()).toBeUndefined();
    data.set('switchyard.credentials', 'not json');
    expect(kept.load()).toBeUndefined();
    kept.clear();
    expect(data.size).toBe(0);
    expect(tabCredentials(undefined).load()).toBeUndefined();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationError } from '../../src/client/errors.js';
import type { AuthOptions } from '../../src/client/types.js';
import { connect, type ManagedSession } from '../../src/node.js';
import { AUTH_REALMS, PORCH_SEED, STRANGER_SEED } from '../client/auth/auth-realm.js';
import { startTestRouter, type TestRouter } from '../helpers/start-router.js';
import { requireSystem } from '../helpers/system-deps.js';
import { openAutobahn } from './peers/autobahn-js.js';
import { hasPythonAutobahn, PyPeer, PyPeerError } from './peers/py-peer.js';
import { withTimeout } from './peers/timeouts.js';
import { OUR_CLIENTS } from './peers/our-client.js';

const runPython = requireSystem('python3-autobahn', hasPythonAutobahn);

const ACCEPTED: [string, AuthOptions, { authid: string; authrole: string; authmethod: string }][] = [
  ['ticket', { method: 'ticket', authid: 'alice', ticket: 'secret123' }, { authid: 'alice', authrole: 'user', authmethod: 'ticket' }],
  ['WAMP-CRA', { method: 'wampcra', authid: 'bob', secret: 'prq7+YkJ1/KlW1X0YczMHw==' }, { authid: 'bob', authrole: 'user', authmethod: 'wampcra' }],
  ['salted WAMP-CRA', { method: 'wampcra', authid: 'carol', secret: 'carol-password' }, { authid: 'carol', authrole: 'user', authmethod: 'wampcra' }],
  ['cryptosign', { method: 'cryptosign', authid: 'porch', privateKey: PORCH_SEED }, { authid: 'porch', authrole: 'device', authmethod: 'cryptosign' }],
];

const REFUSED: [string, AuthOptions][] = [
  ['a wrong ticket', { method: 'ticket', authid: 'alice', ticket: 'secret124' }],
  ['a wrong WAMP-CRA secret', { method: 'wampcra', authid: 'bob', secret: 'prq7+YkJ1/KlW1X0YczMHx==' }],
  ['a wrong salted WAMP-CRA password', { method: 'wampcra', authid: 'carol', secret: 'carol-passw0rd' }],
  ['an unknown cryptosign key', { method: 'cryptosign', authid: 'porch', privateKey: STRANGER_SEED }],
];

/**
 * Our client authenticating against our router's realm with users (ticket, WAMP-CRA with and
 * without salt, cryptosign), and authenticated sessions of our client and Autobahn|Python /
 * Autobahn|JS working with each other.
 */
describe.skipIf(!runPython)('interop: our client authentication', () => {
  let router: TestRouter;
  let py: PyPeer;

  beforeAll(async () => {
    router = await startTestRouter({ realms: AUTH_REALMS });
    py = await PyPeer.start(router);
  });

  afterAll(async () => {
    await py?.stop();
    await router?.close();
  });

  describe.each(OUR_CLIENTS)('our client on $label', (variant) => {
    const open = (auth: AuthOptions) =>
      connect({ url: variant.url(router), realm: 'home', serializer: variant.serializer, auth, reconnect: false, connectTimeoutMs: 5_000 });

    it.each(ACCEPTED)('joins with %s', async (_method, auth, expected) => {
      const client = await open(auth);
      try {
        expect(client.session?.details).toMatchObject(expected);
        expect(client.session?.authrole).toBe(expected.authrole);
      } finally {
        await client.leave();
      }
    });

    it.each(REFUSED)('rejects with AuthenticationError wamp.error.authentication_failed for %s', async (_case, auth) => {
      const error = await open(auth).then(
        async (client) => {
          await client.leave();
          return 'joined';
        },
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(AuthenticationError);
      expect((error as AuthenticationError).uri).toBe('wamp.error.authentication_failed');
    });
  });

  describe('with authenticated third-party peers', () => {
    let device: ManagedSession;
    let user: ManagedSession;

    beforeAll(async () => {
      const url = `rs://${router.host}:${router.rawsocketPort}`;
      device = await connect({ url, realm: 'home', auth: { method: 'cryptosign', authid: 'porch', privateKey: PORCH_SEED }, reconnect: false });
      user = await connect({ url, realm: 'home', auth: { method: 'wampcra', authid: 'carol', secret: 'carol-password' }, reconnect: false });
      await py.open('alice', { transport: 'rawsocket', serializer: 'cbor', auth: { method: 'ticket', authid: 'alice', secret: 'secret123' } });
      await py.open('porch', { transport: 'websocket', serializer: 'msgpack', auth: { method: 'cryptosign', authid: 'porch', seed: PORCH_SEED } });
    });

    afterAll(async () => {
      await Promise.allSettled([device?.leave(), user?.leave(), py?.close('alice'), py?.close('porch')]);
    });

    it('lets a ticket-authenticated Python caller see the caller authid of our client', async () => {
      await device.register('devices.porch.light.set', ({ args, details }) => ({ set: args[0], by: details['caller_authid'] }), {
        discloseCaller: true,
      });
      const answer = await py.call('alice', 'devices.porch.light.set', [true]);
      expect(answer.args).toEqual([{ set: true, by: 'alice' }]);
    });

    it('lets our salted-WAMP-CRA client call a procedure a cryptosign Python device registered', async () => {
      await py.register('porch', 'devices.porch.lamp.get', 'describe', { tag: 'lamp' });
      const answer = await user.call('devices.porch.lamp.get', [1], { unit: 'lux' });
      expect(answer.args).toEqual([{ tag: 'lamp', procedure: 'devices.porch.lamp.get', args: [1], kwargs: { unit: 'lux' } }]);
    });

    it('refuses our cryptosign device a registration outside its permitted prefix', async () => {
      await expect(device.register('devices.garage.door.open', () => 'open')).rejects.toMatchObject({ uri: 'wamp.error.not_authorized' });
    });

    it('delivers a publication of our cryptosign device to an Autobahn|JS subscriber authenticated with ticket', async () => {
      const peer = await openAutobahn(router, { transport: 'websocket', serializer: 'json', auth: { method: 'ticket', authid: 'alice', secret: 'secret123' } });
      try {
        let received!: (args: unknown[]) => void;
        const arrived = new Promise<unknown[]>((resolve) => (received = resolve));
        await withTimeout(peer.session.subscribe('devices.porch.light.state', (args) => received(args)), 'Autobahn|JS subscribe');
        await device.publish('devices.porch.light.state', [true], { source: 'test' }, { acknowledge: true });
        expect(await withTimeout(arrived, 'event at Autobahn|JS')).toEqual([true]);
      } finally {
        await peer.close();
      }
    });

    it('refuses an Autobahn|Python session the wrong ticket while our sessions stay joined', async () => {
      const error = await py.open('intruder', { transport: 'rawsocket', serializer: 'cbor', auth: { method: 'ticket', authid: 'alice', secret: 'nope' } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PyPeerError);
      expect((error as PyPeerError).uri).toBe('wamp.error.authentication_failed');
      expect((await user.call('devices.porch.lamp.get', ['still'])).args).toEqual([{ tag: 'lamp', procedure: 'devices.porch.lamp.get', args: ['still'], kwargs: {} }]);
    });
  });
});

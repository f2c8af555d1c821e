import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_REALMS, PORCH_PUBKEY, PORCH_SEED, STRANGER_SEED } from '../client/auth/auth-realm.js';
import { startTestRouter } from '../helpers/start-router.js';
import { requireSystem } from '../helpers/system-deps.js';
import { AutobahnOpenError, openAutobahn } from './peers/autobahn-js.js';
import { hasPythonAutobahn, PyPeer, PyPeerError, type PyAuth, type RouterAddress } from './peers/py-peer.js';
import { openWampy } from './peers/wampy-js.js';

const runPython = requireSystem('python3-autobahn', hasPythonAutobahn);

/** Credentials as every client library takes them (ticket and CRA secrets in `secret`). */
type Credentials = { method: 'ticket' | 'wampcra'; authid: string; secret: string } | { method: 'cryptosign'; authid: string; seed: string };

/** WELCOME.Details as the client library reports them, or the ABORT reason. */
type JoinOutcome = { joined: Record<string, unknown> } | { refused: string };

interface Client {
  label: string;
  join(router: RouterAddress, auth: Credentials): Promise<JoinOutcome>;
}

const ACCEPTED: [string, Credentials, { authrole: string }][] = [
  ['ticket', { method: 'ticket', authid: 'alice', secret: 'secret123' }, { authrole: 'user' }],
  ['WAMP-CRA', { method: 'wampcra', authid: 'bob', secret: 'prq7+YkJ1/KlW1X0YczMHw==' }, { authrole: 'user' }],
  ['salted WAMP-CRA', { method: 'wampcra', authid: 'carol', secret: 'carol-password' }, { authrole: 'user' }],
  ['cryptosign', { method: 'cryptosign', authid: 'porch', seed: PORCH_SEED }, { authrole: 'device' }],
];

const REFUSED: [string, Credentials][] = [
  ['a wrong ticket', { method: 'ticket', authid: 'alice', secret: 'secret124' }],
  ['a wrong WAMP-CRA secret', { method: 'wampcra', authid: 'bob', secret: 'prq7+YkJ1/KlW1X0YczMHx==' }],
  ['a wrong salted WAMP-CRA password', { method: 'wampcra', authid: 'carol', secret: 'carol-passw0rd' }],
  ['an unknown cryptosign key', { method: 'cryptosign', authid: 'porch', seed: STRANGER_SEED }],
];

describe.skipIf(!runPython)('interop: authentication', () => {
  let router: Awaited<ReturnType<typeof startTestRouter>>;
  let py: PyPeer;
  let opened = 0;

  beforeAll(async () => {
    router = await startTestRouter({ realms: AUTH_REALMS });
    py = await PyPeer.start(router);
  });

  afterAll(async () => {
    await py?.stop();
    await router?.close();
  });

  function python(transport: 'websocket' | 'rawsocket', serializer: 'json' | 'msgpack' | 'cbor'): Client {
    return {
      label: `Autobahn|Python ${transport}/${serializer}`,
      async join(_router, auth) {
        const name = `auth-${++opened}`;
        try {
          const welcome = await py.open(name, { transport, serializer, auth: auth as PyAuth });
          await py.close(name);
          return { joined: { ...welcome } };
        } catch (error) {
          if (error instanceof PyPeerError) return { refused: error.uri };
          throw error;
        }
      },
    };
  }

  const clients: Client[] = [
    python('rawsocket', 'cbor'),
    python('websocket', 'json'),
    {
      label: 'Autobahn|JS websocket/json',
      async join(r, auth) {
        try {
          const peer = await openAutobahn(r, { transport: 'websocket', serializer: 'json', auth });
          await peer.close();
          return { joined: peer.welcome };
        } catch (error) {
          if (error instanceof AutobahnOpenError && error.uri !== null) return { refused: error.uri };
          throw error;
        }
      },
    },
    {
      label: 'Wampy websocket/msgpack',
      async join(r, auth) {
        try {
          const peer = await openWampy(r, { serializer: 'msgpack', auth });
          await peer.close();
          return { joined: peer.welcome };
        } catch (error) {
          const uri = (error as { errorUri?: unknown }).errorUri;
          if (typeof uri === 'string') return { refused: uri };
          throw error;
        }
      },
    },
  ];

  describe.each(clients.map((c) => [c.label, c] as const))('%s', (_label, client) => {
    it.each(ACCEPTED)('joins with %s', async (_method, auth, expected) => {
      const outcome = await client.join(router, auth);
      expect(outcome).toEqual({
        joined: expect.objectContaining({ authid: auth.authid, authrole: expected.authrole, authmethod: auth.method }),
      });
    });

    it.each(REFUSED)('is refused with ABORT wamp.error.authentication_failed for %s', async (_case, auth) => {
      expect(await client.join(router, auth)).toEqual({ refused: 'wamp.error.authentication_failed' });
    });
  });

  it('refuses a forged cryptosign signature for a configured public key', async () => {
    const auth: PyAuth = { method: 'cryptosign', authid: 'porch', seed: STRANGER_SEED, pubkey: PORCH_PUBKEY };
    await expect(py.open('forged', { transport: 'rawsocket', serializer: 'cbor', auth })).rejects.toMatchObject({
      uri: 'wamp.error.authentication_failed',
    });
  });

  it('refuses an anonymous session when the realm configures no anonymous role', async () => {
    await expect(py.open('anonymous', { transport: 'websocket', serializer: 'cbor' })).rejects.toMatchObject({
      uri: 'wamp.error.no_matching_auth_method',
    });
  });

  it('lets an authenticated device role register only under its permitted prefix', async () => {
    await py.open('device', { transport: 'rawsocket', serializer: 'cbor', auth: { method: 'cryptosign', authid: 'porch', seed: PORCH_SEED } });
    await expect(py.register('device', 'devices.porch.light.set', 'echo')).resolves.toHaveProperty('registration');
    await expect(py.register('device', 'devices.garage.door.set', 'echo')).rejects.toMatchObject({ uri: 'wamp.error.not_authorized' });
    await py.close('device');
  });
});

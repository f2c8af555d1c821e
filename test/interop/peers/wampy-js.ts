import { Wampy } from 'wampy';
import { CborSerializer } from 'wampy/CborSerializer.js';
import { JsonSerializer } from 'wampy/JsonSerializer.js';
import { MsgpackSerializer } from 'wampy/MsgpackSerializer.js';
import { sign as cryptosignSign } from 'wampy/cryptosign.js';
import { sign as wampcraSign } from 'wampy/wampcra.js';
import WebSocket from 'ws';
import { publicKeyHexFromSeed } from '../../../src/key-file.js';
import type { RouterAddress, SerializerName } from './py-peer.js';
import { withTimeout } from './timeouts.js';

/** Wampy's options type (the package exports it only through the constructor). */
type WampyOptions = ConstructorParameters<typeof Wampy>[1];

export type WampyAuth =
  | { method: 'ticket'; authid: string; secret: string }
  | { method: 'wampcra'; authid: string; secret: string }
  | { method: 'cryptosign'; authid: string; seed: string };

export interface WampyOpenOptions {
  serializer: SerializerName;
  realm?: string;
  auth?: WampyAuth;
}

export interface WampyPeer {
  wampy: Wampy;
  welcome: Record<string, unknown>;
  /** Session id as a number (Wampy's msgpack decoder hands out BigInt for ids above 2^32). */
  sessionId: number;
  /**
   * The serializer in use after the handshake. Wampy silently switches to JSON when the router
   * picks `wamp.2.json`, so a test must check this rather than trust its own option.
   */
  negotiated: string;
  close(): Promise<void>;
}

const SERIALIZERS = {
  json: () => new JsonSerializer(),
  msgpack: () => new MsgpackSerializer(),
  cbor: () => new CborSerializer(),
} as const;

/** Opens a Wampy.js session over `ws` with the given serializer (no auto-reconnect). */
export async function openWampy(router: RouterAddress, options: WampyOpenOptions): Promise<WampyPeer> {
  const wampy = new Wampy(router.wsUrl, {
    ws: WebSocket as unknown as WampyOptions['ws'],
    realm: options.realm ?? 'home',
    serializer: SERIALIZERS[options.serializer](),
    autoReconnect: false,
    ...authOptions(options.auth),
  });
  try {
    const welcome = await withTimeout(wampy.connect(), 'Wampy connect');
    return {
      wampy,
      welcome,
      sessionId: Number(wampy.getSessionId()),
      negotiated: wampy.getOptions().serializer.protocol,
      close: () => closeWampy(wampy),
    };
  } catch (error) {
    await closeWampy(wampy);
    throw error;
  }
}

async function closeWampy(wampy: Wampy): Promise<void> {
  try {
    await withTimeout(wampy.disconnect(), 'Wampy disconnect', 2_000);
  } catch {
    try {
      wampy.abort();
    } catch {
      // no socket left to close
    }
  }
}

function authOptions(auth: WampyAuth | undefined): Partial<WampyOptions> {
  if (auth === undefined) return {};
  const base = { authid: auth.authid, authmethods: [auth.method] };
  switch (auth.method) {
    case 'ticket':
      return { ...base, onChallenge: () => auth.secret };
    case 'wampcra': {
      const signCra = wampcraSign(auth.secret);
      return { ...base, onChallenge: (method, extra) => signCra(method, extra as { challenge: string }) };
    }
    case 'cryptosign': {
      const signChallenge = cryptosignSign(auth.seed);
      return {
        ...base,
        authextra: { pubkey: publicKeyHexFromSeed(auth.seed) },
        onChallenge: (method, extra) => signChallenge(method, extra as { challenge: string }),
      };
    }
  }
}

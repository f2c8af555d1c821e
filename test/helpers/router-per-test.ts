import { afterEach, beforeEach } from 'vitest';
import type { SerializerName } from '../../src/protocol/serializers/index.js';
import { endpointOf, PeerPool, type RawPeer, type TransportName } from './raw-peer.js';
import { startTestRouter, type TestRouter } from './start-router.js';

/** Raw peers on the router of the current test. */
export interface RouterPerTest {
  /** A connected peer that has not sent HELLO. */
  open(): Promise<RawPeer>;
  /** A peer that has joined realm `home`. */
  join(): Promise<RawPeer>;
}

/**
 * Registers hooks (call it inside a `describe`) that start a fresh router before each test and
 * close every peer and the router after it; peers reach it over `transport` with `serializer`.
 */
export function routerPerTest(transport: TransportName, serializer: SerializerName): RouterPerTest {
  let router: TestRouter;
  const pool = new PeerPool();

  beforeEach(async () => {
    router = await startTestRouter();
  });
  afterEach(async () => {
    await pool.closeAll();
    await router.close();
  });

  return {
    open: () => pool.peer(endpointOf(router, transport), serializer),
    join: () => pool.joined(endpointOf(router, transport), serializer),
  };
}

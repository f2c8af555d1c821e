import type { ResolvedConnectOptions, ResolvedEndpoint } from './connect-options.js';
import { isPingable } from './connector.js';
import { LivenessMonitor, ObservedTransport, pingProbe, wampProbe } from './liveness.js';
import { Session } from './session.js';
import type { ParsedUrl } from './url.js';

/**
 * One link of a ManagedSession: a transport opened through the injected TransportFactory, the
 * WAMP session joined over it, and the liveness monitor that watches it.
 */
export interface Link {
  url: ParsedUrl;
  session: Session;
  transport: ObservedTransport;
}

/** Why a link ended. */
export interface LinkEnd {
  reason: string;
  error?: Error;
}

/**
 * Opens the transport to `url` and joins the realm; undefined when `isClosed()` turned true on
 * the way (what was opened is closed again). Rejects with the transport's or the join's error.
 */
export async function openLink(endpoint: ResolvedEndpoint, resolved: ResolvedConnectOptions, isClosed: () => boolean): Promise<Link | undefined> {
  const { options } = resolved;
  const { url, auth, tls } = endpoint;
  const transport = await options.transportFactory(url, endpoint.serializer, {
    timeoutMs: resolved.connectTimeoutMs,
    parse: { lenientIds: true },
    ...(tls !== undefined ? { tls } : {}),
    ...(options.maxMessageSize !== undefined ? { maxMessageSize: options.maxMessageSize } : {}),
  });
  if (isClosed()) {
    transport.close('client closed');
    return undefined;
  }
  const observed = new ObservedTransport(transport);
  const session = await Session.join(observed, {
    realm: options.realm,
    ...(auth !== undefined ? { auth } : {}),
    logger: resolved.logger,
    clock: resolved.clock,
    joinTimeout: resolved.connectTimeoutMs,
  });
  if (isClosed()) {
    session.leave().catch(ignore);
    return undefined;
  }
  return { url, session, transport: observed };
}

/** Resolves when the link's session has ended, with why. */
export function linkEnded(link: Link): Promise<LinkEnd> {
  return link.session.closed.then(linkEndOf);
}

/**
 * Starts dead-link detection on `link` (none with `liveness: false`): a RawSocket PING where
 * asked for and offered, else a WAMP probe call. `onDead` is called once with why.
 */
export function watchLink(link: Link, resolved: ResolvedConnectOptions, onDead: (message: string) => void): LivenessMonitor | undefined {
  const options = resolved.liveness;
  if (options === undefined) return undefined;
  const inner = link.transport.inner;
  const probe = options.mode === 'rawsocket-ping' && isPingable(inner) ? pingProbe(inner) : wampProbe(link.session, resolved.random);
  const transport = link.transport;
  const monitor = new LivenessMonitor({
    clock: resolved.clock,
    intervalMs: options.intervalMs,
    timeoutMs: options.timeoutMs,
    takeTraffic: () => transport.takeTraffic(),
    probe,
    onDead,
  });
  monitor.start();
  return monitor;
}

function linkEndOf(info: { reason: string; error?: Error }): LinkEnd {
  return info.error !== undefined ? { reason: info.reason, error: info.error } : { reason: info.reason };
}

function ignore(): void {}

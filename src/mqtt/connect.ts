import { randomBytes } from 'node:crypto';
import { MessageType } from '../protocol/message-type.js';
import { ErrorUri } from '../protocol/uris.js';
import type { TransportInfo } from '../transport/transport.js';
import type { IConnectPacket, Packet } from './codec.js';
import { ConnectRefusedError, TopicMappingError } from './errors.js';
import type { MqttGateway } from './gateway.js';
import { connackV3Code, ReasonCode, reasonForAbort, reasonForWampError, type MqttVersion } from './reason-codes.js';
import { MqttSession, type SessionConnection, type Will } from './session.js';
import { topicToUri } from './topics.js';
import { WampLink } from './wamp-link.js';

/** The connection side of a CONNECT (connection.ts). */
export interface Connecting extends SessionConnection {
  readonly version: MqttVersion;
  /** `tcp4:…` of the client, for the session meta data. */
  readonly peer: string;
}

export interface ConnectOutcome {
  session: MqttSession;
  sessionPresent: boolean;
  /** Set when the client sent an empty client id and the server chose one. */
  assignedClientId?: string;
}

/** MQTT 5 Session Expiry Interval meaning "never". */
const NEVER_EXPIRES = 0xffff_ffff;

/**
 * Serves a CONNECT (section 3.1): authenticates through a WAMP session of the realm (user name
 * and password as a ticket, anonymous without a password), registers the will as the session's
 * testament, takes over a connected client with the same client id, and resumes or starts the
 * session. Throws ConnectRefusedError with the CONNACK reason; nothing is left behind then.
 */
export function openSession(gateway: MqttGateway, connection: Connecting, packet: IConnectPacket): ConnectOutcome {
  const version = connection.version;
  if (packet.properties?.authenticationMethod !== undefined) {
    throw new ConnectRefusedError(ReasonCode.BAD_AUTHENTICATION_METHOD, 'enhanced authentication is not supported');
  }
  let clientId = packet.clientId;
  let assignedClientId: string | undefined;
  if (clientId === '') {
    if (version !== 5 && packet.clean === false) {
      throw new ConnectRefusedError(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, 'an empty client id needs clean session');
    }
    clientId = assignedClientId = `auto-${randomBytes(9).toString('base64url')}`;
  }
  const password = packet.password === undefined ? undefined : Buffer.from(packet.password).toString('utf8');
  if (password !== undefined && (packet.username === undefined || packet.username === '')) {
    throw new ConnectRefusedError(ReasonCode.BAD_USER_NAME_OR_PASSWORD, 'a password needs a user name');
  }
  const info: TransportInfo = {
    kind: 'local',
    peer: `mqtt:${connection.peer}`,
    serializer: 'mqtt',
    protocol: version === 5 ? 'mqtt.5' : version === 4 ? 'mqtt.3.1.1' : 'mqtt.3.1',
    tls: gateway.tls,
  };
  const joined = WampLink.join(gateway.router, gateway.serializerFor(version), info, {
    realm: gateway.realm,
    ...(password !== undefined ? { authid: packet.username!, ticket: password } : {}),
  });
  if (!joined.ok) {
    // A user not configured for ticket gets no_matching_auth_method: for MQTT, a bad user name.
    const reason =
      password !== undefined && joined.uri === ErrorUri.NO_MATCHING_AUTH_METHOD
        ? ReasonCode.BAD_USER_NAME_OR_PASSWORD
        : reasonForAbort(joined.uri, joined.message);
    throw new ConnectRefusedError(reason, `session refused: ${joined.uri} (${joined.message})`);
  }
  const link = joined.link;
  const owner = password !== undefined ? `ticket:${packet.username}` : 'anonymous';
  const store = gateway.store;
  let existing = store.get(clientId);
  if (existing !== undefined && existing.owner !== owner) {
    link.leave();
    throw new ConnectRefusedError(ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, `client id '${clientId}' belongs to another user`);
  }
  let will: Will | undefined;
  try {
    will = packet.will === undefined ? undefined : addTestament(link, gateway, packet.will);
  } catch (error) {
    link.leave();
    throw error;
  }
  // Session takeover (section 3.1.4): the connected client with this id is disconnected.
  existing?.connection?.takeOver();
  existing = store.get(clientId);
  const expiry = version === 5 ? (packet.properties?.sessionExpiryInterval ?? 0) : packet.clean === false ? NEVER_EXPIRES : 0;
  const persistence = expiry === 0 ? { persistent: false } : expiry === NEVER_EXPIRES ? { persistent: true } : { persistent: true, expiryMs: expiry * 1000 };
  const resume = existing !== undefined && packet.clean === false;
  if (existing !== undefined && !resume) existing.discard();
  const session = resume
    ? existing!
    : new MqttSession({
        clientId,
        owner,
        link,
        inflightWindow: gateway.inflightWindow,
        maxQueuedMessages: gateway.maxQueuedMessages,
        context: store.context,
        logger: gateway.logger,
        clock: gateway.clock,
        onEnd: (s) => store.remove(s),
      });
  if (!resume) store.add(session);
  session.attach(connection, link, gateway.payload, persistence, will);
  const receiveMaximum = packet.properties?.receiveMaximum;
  session.outbound.setWindow(Math.min(gateway.inflightWindow, receiveMaximum ?? gateway.inflightWindow));
  return { session, sessionPresent: resume, ...(assignedClientId !== undefined ? { assignedClientId } : {}) };
}

/** Maps the will and has the router keep it as a testament; throws ConnectRefusedError when refused. */
function addTestament(link: WampLink, gateway: MqttGateway, will: NonNullable<IConnectPacket['will']>): Will {
  let uri: string;
  try {
    uri = topicToUri(will.topic);
  } catch (error) {
    if (error instanceof TopicMappingError) throw new ConnectRefusedError(ReasonCode.TOPIC_NAME_INVALID, `will ${error.message}`);
    throw error;
  }
  const body = typeof will.payload === 'string' ? Buffer.from(will.payload) : will.payload;
  const payload = gateway.payload.toWamp(body);
  const retain = will.retain === true;
  const kwargs = retain ? { publish_options: { retain: true } } : {};
  const reply = link.call('wamp.session.add_testament', [uri, payload.args ?? [], payload.kwargs ?? {}], kwargs);
  if (reply?.[0] !== MessageType.RESULT) {
    const reason = reply?.[0] === MessageType.ERROR ? reasonForWampError(reply[4], 'publish') : ReasonCode.UNSPECIFIED_ERROR;
    throw new ConnectRefusedError(reason, `will on '${will.topic}' refused`);
  }
  return { uri, payload, retain, qos: will.qos ?? 0 };
}

/**
 * The CONNACK for `reason`: a 3.1.1 return code, or a 5.0 reason code with, on success, the
 * server's limits and capabilities as properties (no topic aliases, no subscription identifiers,
 * no shared subscriptions) and the client id it assigned.
 */
export function connackPacket(gateway: MqttGateway, version: MqttVersion, sessionPresent: boolean, reason: number, assignedClientIdentifier?: string): Packet {
  if (version !== 5) return { cmd: 'connack', returnCode: connackV3Code(reason), sessionPresent };
  if (reason !== ReasonCode.SUCCESS) return { cmd: 'connack', reasonCode: reason, sessionPresent };
  const properties = {
    receiveMaximum: gateway.inflightWindow,
    maximumPacketSize: gateway.maxPacketSize,
    retainAvailable: true,
    wildcardSubscriptionAvailable: true,
    subscriptionIdentifiersAvailable: false,
    sharedSubscriptionAvailable: false,
    ...(assignedClientIdentifier !== undefined ? { assignedClientIdentifier } : {}),
  };
  return { cmd: 'connack', reasonCode: reason, sessionPresent, properties };
}

import type { Socket } from 'node:net';
import type { TimerHandle } from '../common/clock.js';
import { describePeer } from '../transport/socket-peer.js';
import { backlogOf, batchWrites } from '../transport/write-batcher.js';
import { PacketCodec, type IConnectPacket, type IPublishPacket, type ISubscribePacket, type IUnsubscribePacket, type Packet } from './codec.js';
import { connackPacket, openSession } from './connect.js';
import { ConnectRefusedError, KeepAliveTimeoutError, MalformedPacketError, MqttError, MqttProtocolError, TopicMappingError } from './errors.js';
import { packetIdOf } from './event-frames.js';
import { PacketFramer } from './framing.js';
import type { MqttGateway } from './gateway.js';
import { KeepAlive } from './keepalive.js';
import { DISCONNECT_WITH_WILL, hexCode, ReasonCode, subackCode, type MqttVersion } from './reason-codes.js';
import type { MqttSession, SessionConnection } from './session.js';

const PINGRESP = Buffer.from([0xd0, 0x00]);
/** The first byte of a CONNECT packet. */
const CONNECT = 0x10;
/** After our close, how long the client has to read what we sent before the socket is destroyed. */
const CLOSE_LINGER_MS = 2000;

/**
 * One MQTT network connection (section 4): CONNECT first (within the handshake timeout), then
 * the packets of the session until DISCONNECT, a protocol error, a keepalive timeout, a takeover
 * or the end of its WAMP session. Whatever goes wrong closes this connection only: an MQTT 5
 * client is told why in a DISCONNECT (or CONNACK) reason code, a 3.1.1 client sees the close.
 */
export class MqttConnection implements SessionConnection {
  readonly peer: string;
  readonly #socket: Socket;
  readonly #gateway: MqttGateway;
  readonly #codec = new PacketCodec();
  readonly #framer: PacketFramer;
  #state: 'connecting' | 'connected' | 'closed' = 'connecting';
  #session: MqttSession | undefined;
  #connectTimer: TimerHandle | undefined;
  #keepAlive: KeepAlive | undefined;
  #clientMaxPacket = Number.POSITIVE_INFINITY;
  /** Bytes have arrived. */
  #started = false;

  constructor(socket: Socket, gateway: MqttGateway, head?: Buffer) {
    this.#socket = socket;
    this.#gateway = gateway;
    this.peer = describePeer(socket);
    this.#framer = new PacketFramer(gateway.maxPacketSize, this.#onPacket);
    socket.setNoDelay(true);
    socket.on('data', this.#onData);
    socket.on('error', this.#onError);
    socket.on('close', this.#onClose);
    this.#connectTimer = gateway.clock.setTimeout(
      () => this.#fail(new MqttProtocolError(`no CONNECT within ${gateway.handshakeTimeoutMs} ms`)),
      gateway.handshakeTimeoutMs,
    );
    if (head !== undefined && head.length > 0) this.#onData(head);
  }

  get version(): MqttVersion {
    return this.#codec.version;
  }

  // ---- SessionConnection ----

  writePacket(packet: Buffer): void {
    if (packet.length > this.#clientMaxPacket) {
      // MQTT 5 section 3.1.2.11.4: discarded as if delivered; a QoS 1 one leaves the window.
      this.#gateway.logger.debug('MQTT message not delivered: larger than the client accepts', { size: packet.length });
      if ((packet[0]! & 0x06) !== 0) this.#acknowledged(packetIdOf(packet));
      return;
    }
    this.#write(packet);
  }

  backlog(): number {
    return backlogOf(this.#socket);
  }

  sessionEnded(reasonCode: number, why: string, dropped: boolean): void {
    if (this.#state === 'closed') return;
    this.#gateway.logger.debug('MQTT connection closed: its WAMP session ended', { peer: this.peer, reason: why });
    this.#session = undefined;
    if (dropped) {
      // A slow consumer: what is queued for it is discarded with the connection.
      this.#close(false);
      this.#socket.destroy();
      return;
    }
    if (this.version === 5 && this.#state === 'connected') this.#write(this.#codec.encode({ cmd: 'disconnect', reasonCode }));
    this.#close(false);
  }

  takeOver(): void {
    if (this.#state !== 'connected') return;
    if (this.version === 5) this.#write(this.#codec.encode({ cmd: 'disconnect', reasonCode: ReasonCode.SESSION_TAKEN_OVER }));
    this.#close(false);
  }

  // ---- inbound ----

  readonly #onData = (chunk: Buffer): void => {
    this.#keepAlive?.touch();
    try {
      if (!this.#started) {
        // A connection must start with CONNECT: anything else is refused at its first byte.
        this.#started = true;
        if (chunk[0] !== CONNECT) throw new MqttProtocolError('the first packet is not CONNECT');
      }
      this.#framer.push(chunk);
    } catch (error) {
      this.#fail(error);
    }
  };

  readonly #onPacket = (bytes: Buffer): void => {
    if (this.#state === 'closed') return;
    this.#handle(this.#codec.decode(bytes));
  };

  #handle(packet: Packet): void {
    if (this.#state === 'connecting') {
      if (packet.cmd !== 'connect') throw new MqttProtocolError(`expected CONNECT, got ${packet.cmd.toUpperCase()}`);
      return this.#connect(packet);
    }
    const session = this.#session!;
    switch (packet.cmd) {
      case 'publish':
        return this.#publish(session, packet);
      case 'puback':
        this.#acknowledged(packet.messageId!);
        return;
      case 'pubrel': {
        const known = session.awaitingRelease.delete(packet.messageId!);
        const reasonCode = known ? ReasonCode.SUCCESS : ReasonCode.PACKET_IDENTIFIER_NOT_FOUND;
        this.#write(this.#codec.encode({ cmd: 'pubcomp', messageId: packet.messageId!, ...(this.version === 5 ? { reasonCode } : {}) }));
        return;
      }
      case 'subscribe':
        return this.#subscribe(session, packet);
      case 'unsubscribe':
        return this.#unsubscribe(session, packet);
      case 'pingreq':
        this.#write(PINGRESP);
        return;
      case 'disconnect': {
        const withWill = this.version === 5 && packet.reasonCode === DISCONNECT_WITH_WILL;
        this.#close(!withWill);
        return;
      }
      case 'connect':
        throw new MqttProtocolError('a second CONNECT');
      default:
        throw new MqttProtocolError(`unexpected ${packet.cmd.toUpperCase()} from a client`);
    }
  }

  #connect(packet: IConnectPacket): void {
    this.#clearConnectTimer();
    const version = (packet.protocolVersion ?? 4) as MqttVersion;
    this.#codec.setVersion(version);
    let outcome;
    try {
      outcome = openSession(this.#gateway, this, packet);
    } catch (error) {
      if (!(error instanceof ConnectRefusedError)) throw error;
      this.#gateway.logger.info('MQTT connection refused', { peer: this.peer, client: packet.clientId, reason: error.message });
      this.#connack(false, error.reasonCode);
      this.#close(false);
      return;
    }
    this.#session = outcome.session;
    this.#state = 'connected';
    this.#clientMaxPacket = packet.properties?.maximumPacketSize ?? Number.POSITIVE_INFINITY;
    this.#keepAlive = new KeepAlive(this.#gateway.clock, packet.keepalive ?? 0, () =>
      this.#fail(new KeepAliveTimeoutError(packet.keepalive ?? 0)),
    );
    this.#connack(outcome.sessionPresent, ReasonCode.SUCCESS, outcome.assignedClientId);
    this.#gateway.logger.debug('MQTT client connected', { peer: this.peer, client: outcome.session.clientId, version });
    outcome.session.resume();
  }

  #connack(sessionPresent: boolean, reason: number, assignedClientId?: string): void {
    this.#write(this.#codec.encode(connackPacket(this.#gateway, this.version, sessionPresent, reason, assignedClientId)));
  }

  #publish(session: MqttSession, packet: IPublishPacket): void {
    const { qos, messageId } = packet;
    if (packet.properties?.topicAlias !== undefined) {
      throw new MqttError(ReasonCode.TOPIC_ALIAS_INVALID, 'topic aliases are not supported (Topic Alias Maximum is 0)');
    }
    if (qos === 2 && session.awaitingRelease.has(messageId!)) {
      this.#write(this.#codec.encode({ cmd: 'pubrec', messageId: messageId! }));
      return;
    }
    if (qos === 2 && session.awaitingRelease.size >= this.#gateway.inflightWindow) {
      throw new MqttError(ReasonCode.RECEIVE_MAXIMUM_EXCEEDED, 'too many QoS 2 messages awaiting PUBREL');
    }
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    let reason: number;
    try {
      reason = session.publish(packet.topic, payload, qos, packet.retain);
    } catch (error) {
      // 5.0 can refuse one QoS 1/2 message; otherwise the only answer is to close (section 4.13).
      if (!(error instanceof TopicMappingError) || this.version !== 5 || qos === 0) throw error;
      reason = error.reasonCode;
    }
    if (qos === 0) return;
    const reasonCode = this.version === 5 && reason !== ReasonCode.SUCCESS ? { reasonCode: reason } : {};
    if (qos === 1) {
      this.#write(this.#codec.encode({ cmd: 'puback', messageId: messageId!, ...reasonCode }));
      return;
    }
    if (reason < 0x80) session.awaitingRelease.add(messageId!);
    this.#write(this.#codec.encode({ cmd: 'pubrec', messageId: messageId!, ...reasonCode }));
  }

  /** QoS 1 message `packetId` left the window (PUBACK, or too large to send): waiting ones fill it. */
  #acknowledged(packetId: number): void {
    const outbound = this.#session?.outbound;
    if (outbound?.ack(packetId) === true) for (const next of outbound.drain()) this.writePacket(next);
  }

  #subscribe(session: MqttSession, packet: ISubscribePacket): void {
    if (packet.properties?.subscriptionIdentifier !== undefined) {
      throw new MqttError(ReasonCode.SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED, 'subscription identifiers are not supported');
    }
    try {
      const codes = packet.subscriptions.map((request) => {
        const code = session.subscribe(request);
        if (code >= 0x80) this.#gateway.logger.info('MQTT subscription refused', { client: session.clientId, filter: request.topic, reason: hexCode(code) });
        return subackCode(this.version, code);
      });
      this.#write(this.#codec.encode({ cmd: 'suback', messageId: packet.messageId!, granted: codes }));
    } finally {
      // Retained messages follow the SUBACK.
      session.releaseHeld();
    }
  }

  #unsubscribe(session: MqttSession, packet: IUnsubscribePacket): void {
    const codes = packet.unsubscriptions.map((filter) => session.unsubscribe(filter));
    const granted = this.version === 5 ? { granted: codes } : {};
    this.#write(this.#codec.encode({ cmd: 'unsuback', messageId: packet.messageId!, ...granted } as Packet));
  }

  // ---- closing ----

  /** A failure of this connection: said to a 5.0 client (DISCONNECT or CONNACK), then closed. */
  #fail(error: unknown): void {
    if (this.#state === 'closed') return;
    const mqtt = error instanceof MqttError ? error : undefined;
    if (mqtt === undefined) {
      this.#gateway.logger.error('MQTT connection failed', { peer: this.peer, error: String(error) });
    } else {
      this.#gateway.logger.debug('MQTT connection closed', { peer: this.peer, reason: mqtt.message });
    }
    const reasonCode = mqtt?.reasonCode ?? ReasonCode.UNSPECIFIED_ERROR;
    if (this.#state === 'connecting') {
      // A CONNECT of an unknown protocol level is answered (3.1.1 section 3.1.2.2), in 3.1.1 form.
      if (error instanceof MalformedPacketError && error.message === 'Invalid protocol version') this.#connack(false, ReasonCode.UNSUPPORTED_PROTOCOL_VERSION);
    } else if (this.version === 5) {
      this.#write(this.#codec.encode({ cmd: 'disconnect', reasonCode }));
    }
    this.#close(false);
  }

  /** Closes the connection; `clean`: after a DISCONNECT (the will is not published). */
  #close(clean: boolean): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#framer.stop();
    this.#clearConnectTimer();
    this.#keepAlive?.stop();
    const session = this.#session;
    this.#session = undefined;
    session?.detach(this, clean);
    this.#socket.end();
    setTimeout(destroySocket, CLOSE_LINGER_MS, this.#socket).unref();
  }

  readonly #onError = (error: Error): void => {
    this.#gateway.logger.debug('MQTT socket error', { peer: this.peer, error: error.message });
  };

  readonly #onClose = (): void => {
    this.#close(false);
  };

  #write(bytes: Buffer): void {
    const socket = this.#socket;
    if (!socket.writable) return;
    batchWrites(socket);
    socket.write(bytes);
  }

  #clearConnectTimer(): void {
    if (this.#connectTimer !== undefined) this.#gateway.clock.clearTimeout(this.#connectTimer);
    this.#connectTimer = undefined;
  }
}

function destroySocket(socket: Socket): void {
  socket.destroy();
}

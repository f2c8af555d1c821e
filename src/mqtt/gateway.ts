import { systemClock, type Clock } from '../common/clock.js';
import { silentLogger, type Logger } from '../common/logger.js';
import type { Serializer } from '../protocol/serializers/serializer.js';
import { DEFAULT_MQTT_INFLIGHT_WINDOW, DEFAULT_MQTT_MAX_QUEUED_MESSAGES } from '../router/config/types.js';
import type { Router } from '../router/router.js';
import { ConnectionLimiter } from '../transport/connection-limiter.js';
import { eventFrameSerializer } from './event-frames.js';
import { payloadMapping, type PayloadMapping, type PayloadMode } from './payload.js';
import type { MqttVersion } from './reason-codes.js';
import { SessionStore } from './session-store.js';

/** Defaults of the mqtt listener keys (router/config/listener-schema.ts describes them). */
export const MQTT_DEFAULTS = {
  payload: 'json' as PayloadMode,
  inflightWindow: DEFAULT_MQTT_INFLIGHT_WINDOW,
  maxQueuedMessages: DEFAULT_MQTT_MAX_QUEUED_MESSAGES,
  handshakeTimeoutMs: 10_000,
};

export interface MqttGatewayOptions {
  router: Router;
  /** The realm MQTT clients join; it must exist on the router. */
  realm: string;
  payload?: PayloadMode;
  /** Largest packet accepted, whole (fixed header included), in bytes. */
  maxPacketSize: number;
  /** QoS 1 messages in flight towards one client, and inbound QoS 2 awaiting PUBREL. */
  inflightWindow?: number;
  /** QoS 1 messages queued per session beyond those in flight (also while a persistent session is away). */
  maxQueuedMessages?: number;
  /** Open MQTT connections at most. */
  maxConnections?: number;
  /** Time a client has to send CONNECT. */
  handshakeTimeoutMs?: number;
  tls?: boolean;
  logger?: Logger;
  clock?: Clock;
}

/**
 * What the connections of one MQTT listener share: the router and realm they bridge into, the
 * realm's session store, the payload mapping, limits, and one event serializer per protocol
 * version (3 and 3.1.1 publish alike; 5.0 adds a property length).
 */
export class MqttGateway {
  readonly router: Router;
  readonly realm: string;
  readonly store: SessionStore;
  readonly payload: PayloadMapping;
  readonly maxPacketSize: number;
  readonly inflightWindow: number;
  readonly maxQueuedMessages: number;
  readonly handshakeTimeoutMs: number;
  readonly limiter: ConnectionLimiter;
  readonly tls: boolean;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly #v4: Serializer;
  readonly #v5: Serializer;

  constructor(options: MqttGatewayOptions) {
    this.router = options.router;
    this.realm = options.realm;
    this.store = SessionStore.of(options.router, options.realm);
    this.payload = payloadMapping(options.payload ?? MQTT_DEFAULTS.payload);
    this.maxPacketSize = options.maxPacketSize;
    this.inflightWindow = options.inflightWindow ?? MQTT_DEFAULTS.inflightWindow;
    this.maxQueuedMessages = options.maxQueuedMessages ?? MQTT_DEFAULTS.maxQueuedMessages;
    this.handshakeTimeoutMs = options.handshakeTimeoutMs ?? MQTT_DEFAULTS.handshakeTimeoutMs;
    this.limiter = new ConnectionLimiter(options.maxConnections);
    this.tls = options.tls === true;
    this.logger = options.logger ?? silentLogger;
    this.clock = options.clock ?? systemClock;
    this.#v4 = eventFrameSerializer(4, this.payload);
    this.#v5 = eventFrameSerializer(5, this.payload);
  }

  serializerFor(version: MqttVersion): Serializer {
    return version === 5 ? this.#v5 : this.#v4;
  }
}

import { join } from 'node:path';
import { systemClock, type Clock } from '../common/clock.js';
import { silentLogger, type Logger } from '../common/logger.js';
import type { Session } from '../client/session.js';
import type { Dict } from '../protocol/messages.js';
import { Actuator, type ActuatorState } from './actuator.js';
import type { ActuatorConfig, BufferConfig, SensorConfig } from './config/schema.js';
import { DeviceLink, type DeviceLinkOptions, withTimeout } from './device-link.js';
import type { ActuatorDriver, DriverContext, SensorDriver } from './driver.js';
import { actuatorKind, openActuatorDriver, openSensorDriver } from './drivers/index.js';
import { ReadingBuffer } from './reading-buffer.js';
import { readingKwargs } from './reading.js';
import { SafeStateGuard } from './safe-state.js';
import { Sensor, type Sample } from './sensor.js';
import { UpstreamDelivery } from './upstream-delivery.js';
import { DeviceUris } from './uris.js';

/** The part of a device config the host runs (sessions are made by the caller). */
export interface DeviceHostConfig {
  device: string;
  prefix: string;
  actuators: readonly ActuatorConfig[];
  sensors: readonly SensorConfig[];
  buffer: BufferConfig;
  state_dir: string;
  /** The upstream routers: when there is any, readings are buffered for it from the first one. */
  upstream: readonly unknown[];
}

export interface DeviceHostOptions {
  config: DeviceHostConfig;
  drivers: DriverContext;
  clock?: Clock;
  logger?: Logger;
  /** Driver factories (default: the driver table); tests inject failing or counting ones. */
  openActuator?: (config: ActuatorConfig, ctx: DriverContext) => Promise<ActuatorDriver>;
  openSensor?: (config: SensorConfig, ctx: DriverContext) => Promise<SensorDriver>;
}

/** How long a clean stop waits for the upstream router to acknowledge what is in flight. */
const STOP_DRAIN_MS = 2000;

/**
 * A running device: config → drivers → actuators and sensors, served through every router
 * session attached to it (DeviceLink). Readings go straight to the local router and, through
 * the offline buffer and UpstreamDelivery, to the upstream one. The host never dials a router
 * itself: the caller makes the ManagedSessions (connect() of the client library, or a link to
 * an embedded router) and attaches them, so the device layer is just another WAMP client.
 */
export class DeviceHost {
  readonly uris: DeviceUris;
  readonly actuators: readonly Actuator[];
  readonly sensors: readonly Sensor[];
  readonly buffer: ReadingBuffer;
  readonly #config: DeviceHostConfig;
  readonly #logger: Logger;
  readonly #guard: SafeStateGuard;
  readonly #delivery: UpstreamDelivery;
  readonly #links: DeviceLink[] = [];
  readonly #hasUpstream: boolean;
  #upstreamAttached = false;
  #stopping = false;

  private constructor(options: DeviceHostOptions, buffer: ReadingBuffer) {
    const { config, drivers } = options;
    const clock = options.clock ?? systemClock;
    const logger = (options.logger ?? silentLogger).child({ device: config.device });
    const openActuator = options.openActuator ?? openActuatorDriver;
    const openSensor = options.openSensor ?? openSensorDriver;
    this.#config = config;
    this.#hasUpstream = config.upstream.length > 0;
    this.#logger = logger;
    this.buffer = buffer;
    this.uris = new DeviceUris(config.prefix, config.device);
    this.actuators = config.actuators.map((entry) => {
      const actuator: Actuator = new Actuator(entry, actuatorKind(entry), {
        open: () => openActuator(entry, drivers),
        clock,
        logger,
        onChange: (state) => this.#stateChanged(actuator, state),
      });
      return actuator;
    });
    this.sensors = config.sensors.map((entry) => {
      // The topic is fixed per sensor: made once, not on every sample.
      const topic = this.uris.reading(entry.name);
      return new Sensor(entry, { open: () => openSensor(entry, drivers), clock, logger, onSample: (sample) => this.#sampled(sample, topic) });
    });
    this.#guard = new SafeStateGuard(this.actuators, clock);
    this.#delivery = new UpstreamDelivery(buffer, this.uris, logger);
  }

  /** Opens the buffer and the hardware (outputs settle glitch-free), and starts the sensors. */
  static async start(options: DeviceHostOptions): Promise<DeviceHost> {
    const { config } = options;
    const clock = options.clock ?? systemClock;
    const logger = options.logger ?? silentLogger;
    const persist = config.buffer.persist ? { file: join(config.state_dir, `${config.device}.readings`), flushMs: config.buffer.flush } : undefined;
    const buffer = await ReadingBuffer.open({ max: config.buffer.max, clock, logger, ...(persist !== undefined ? { persist } : {}) });
    const host = new DeviceHost(options, buffer);
    await Promise.all(host.actuators.map((actuator) => actuator.start()));
    host.#guard.start();
    await Promise.all(host.sensors.map((sensor) => sensor.start()));
    host.#logger.info('device started', { actuators: host.actuators.length, sensors: host.sensors.length, buffered: buffer.size });
    return host;
  }

  /** Serves the device through a router session; call right after creating the ManagedSession. */
  attach(options: DeviceLinkOptions): DeviceLink {
    if (options.role === 'upstream') {
      if (!this.#hasUpstream) throw new Error('the config names no upstream router');
      if (this.#upstreamAttached) throw new Error('a device has one upstream session (give it every upstream router as endpoints)');
      this.#upstreamAttached = true;
    }
    const link = new DeviceLink(options, {
      uris: this.uris,
      actuators: this.actuators,
      logger: this.#logger,
      hooks: { describe: () => this.describe(), joined: (l, s) => this.#joined(l, s), lost: (l) => this.#lost(l) },
    });
    this.#links.push(link);
    return link;
  }

  /** What `{prefix}.{device}.describe` returns. */
  describe(): Dict {
    return {
      device: this.#config.device,
      actuators: this.actuators.map((actuator) => ({
        name: actuator.name,
        kind: actuator.kind,
        state: actuator.state?.value ?? null,
        ...(actuator.state !== undefined ? { ts: actuator.state.ts } : { available: false }),
      })),
      sensors: this.sensors.map((sensor) => {
        const latest = sensor.latest;
        return { name: sensor.name, unit: sensor.unit ?? null, value: latest?.value ?? null, ts: latest?.ts ?? null, stale: sensor.stale };
      }),
      buffer: { size: this.buffer.size, dropped: this.buffer.dropped, rejected: this.buffer.rejected },
    };
  }

  /**
   * A clean stop (SIGTERM): sensors stop, outputs go to their safe state, `offline` is published,
   * in-flight readings get a moment to be acknowledged, the buffer is flushed, sessions are left.
   */
  async stop(reason = 'shutdown'): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#guard.stop();
    await Promise.all(this.sensors.map((sensor) => sensor.stop()));
    await Promise.all(this.actuators.map((actuator) => actuator.applySafeState(reason)));
    if (this.#hasUpstream) await withTimeout(this.#delivery.drained(), STOP_DRAIN_MS).catch(() => undefined);
    await Promise.all(this.#links.map((link) => link.leave()));
    await this.buffer.close();
    await Promise.all(this.actuators.map((actuator) => actuator.close()));
    this.#logger.info('device stopped', { reason, buffered: this.buffer.size });
  }

  #stateChanged(actuator: Actuator, state: ActuatorState): void {
    for (const link of this.#links) link.publishState(actuator, state);
  }

  /** The hot path: every published sample of every sensor. */
  #sampled(sample: Sample, topic: string): void {
    const seq = this.buffer.nextSeq(sample.sensor);
    let kwargs: Dict | undefined;
    for (const link of this.#links) {
      const session = link.role === 'local' ? link.session : undefined;
      if (session === undefined) continue;
      kwargs ??= readingKwargs(sample.ts, seq, sample.unit);
      session.publish(topic, [sample.value], kwargs).catch(this.#localFailed);
    }
    if (this.#hasUpstream) {
      this.buffer.push(sample, seq);
      this.#delivery.pump();
    }
  }

  readonly #localFailed = (error: Error): void => this.#logger.debug('local publication failed', { error: error.message });

  #joined(link: DeviceLink, session: Session): void {
    this.#guard.sessionJoined();
    this.#logger.info('online', { link: link.role, url: link.managed.url });
    if (link.role === 'upstream') this.#delivery.joined(session);
  }

  #lost(link: DeviceLink): void {
    this.#guard.sessionLost();
    this.#logger.warn('offline', { link: link.role });
    if (link.role === 'upstream') this.#delivery.lost();
  }
}

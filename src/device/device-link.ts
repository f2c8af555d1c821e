import type { Logger } from '../common/logger.js';
import { asError } from '../client/errors.js';
import type { ManagedSession } from '../client/managed-session.js';
import type { Session } from '../client/session.js';
import type { StateEvent } from '../client/connection-state.js';
import type { Dict } from '../protocol/messages.js';
import type { Actuator, ActuatorState } from './actuator.js';
import { HardwareUnavailableError } from './errors.js';
import type { DeviceUris } from './uris.js';

/** A router session of the device: the upstream one (readings buffered) or the local one. */
export interface DeviceLinkOptions {
  readonly role: 'upstream' | 'local';
  readonly session: ManagedSession;
}

export interface DeviceLinkHooks {
  describe(): Dict;
  joined(link: DeviceLink, session: Session): void;
  lost(link: DeviceLink): void;
}

const STATUS_TIMEOUT_MS = 2000;

/**
 * The device as seen through one router session: its procedures (registered once; the
 * ManagedSession restores them after every rejoin), and on every join the testament (`offline`
 * when the connection dies), the retained `online` status and every actuator's retained state,
 * so a late subscriber or a restarted router sees the truth (PRODUCT.md "Offline behaviour").
 */
export class DeviceLink {
  readonly role: 'upstream' | 'local';
  readonly managed: ManagedSession;
  readonly #uris: DeviceUris;
  readonly #actuators: readonly Actuator[];
  readonly #hooks: DeviceLinkHooks;
  readonly #logger: Logger;
  #joined: Session | undefined;
  /** Whether the host was told of the current join (so it is told of the loss exactly once). */
  #reported = false;
  /**
   * Resolves the first time the device is fully announced on this link: procedures registered,
   * testament set, `online` and the actuator states published (systemd readiness, tests).
   */
  readonly announced: Promise<void>;
  #announced!: () => void;

  constructor(options: DeviceLinkOptions, deps: { uris: DeviceUris; actuators: readonly Actuator[]; hooks: DeviceLinkHooks; logger: Logger }) {
    this.role = options.role;
    this.managed = options.session;
    this.#uris = deps.uris;
    this.#actuators = deps.actuators;
    this.#hooks = deps.hooks;
    this.#logger = deps.logger.child({ link: options.role });
    this.announced = new Promise((resolve) => {
      this.#announced = resolve;
    });
    // The first join may never come (a router away for good, then a clean stop): not an error here.
    this.managed.joinedOnce.catch(() => undefined);
    this.managed.on('state', this.#onState);
    this.#register();
  }

  /** The joined session, or undefined between sessions. */
  get session(): Session | undefined {
    return this.#joined?.isOpen === true ? this.#joined : undefined;
  }

  /** Publishes a state change (retained; not buffered: republished on every join instead). */
  publishState(actuator: Actuator, state: ActuatorState): void {
    const session = this.session;
    if (session === undefined) return;
    session.publish(this.#uris.state(actuator.name), [state.value], { ts: state.ts, source: state.source }, { retain: true }).catch((error: Error) => {
      this.#logger.debug('state publication failed', { actuator: actuator.name, error: error.message });
    });
  }

  /** Publishes the retained `offline` status (clean stop), then leaves. */
  async leave(): Promise<void> {
    const session = this.session;
    if (session !== undefined) {
      await withTimeout(session.publish(this.#uris.status, ['offline'], {}, { retain: true, acknowledge: true }), STATUS_TIMEOUT_MS).catch(
        (error: Error) => this.#logger.debug('offline status not published', { error: error.message }),
      );
    }
    this.managed.off('state', this.#onState);
    await this.managed.leave('wamp.close.normal');
  }

  #register(): void {
    const uris = this.#uris;
    const register = (uri: string, handler: (args: unknown[]) => unknown) => {
      this.managed.register(uri, (invocation) => handler(invocation.args)).catch((error: Error) => {
        // A registration still waiting for a first session when the device stops is no failure.
        if (this.managed.state !== 'closed') this.#logger.error('procedure not registered', { uri, error: error.message });
      });
    };
    for (const actuator of this.#actuators) {
      register(uris.set(actuator.name), (args) => actuator.set(args[0]));
      register(uris.get(actuator.name), () => {
        const state = actuator.state;
        if (state === undefined) throw new HardwareUnavailableError(`${actuator.name}: hardware unavailable`);
        return state.value;
      });
      if (actuator.kind === 'switch') register(uris.toggle(actuator.name), () => actuator.toggle());
    }
    register(uris.describe, () => this.#hooks.describe());
  }

  readonly #onState = (event: StateEvent): void => {
    if (event.state === 'joined') {
      const session = this.managed.session;
      if (session !== undefined) void this.#announce(session);
    } else if (this.#joined !== undefined && (event.state === 'disconnected' || event.state === 'closed')) {
      this.#joined = undefined;
      if (this.#reported) this.#hooks.lost(this);
      this.#reported = false;
    }
  };

  /** Testament, then `online`, then every actuator's state; then the host is told. */
  async #announce(session: Session): Promise<void> {
    this.#joined = session;
    const status = this.#uris.status;
    try {
      await session.call('wamp.session.add_testament', [status, ['offline'], {}], { publish_options: { retain: true }, scope: 'destroyed' });
    } catch (error) {
      // Not every router offers testaments; the clean-stop publication still says offline.
      this.#logger.warn('router refused the testament; offline will only be published on a clean stop', { error: asError(error).message });
    }
    if (!session.isOpen) return;
    const announced = [session.publish(status, ['online'], {}, { retain: true, acknowledge: true })];
    for (const actuator of this.#actuators) {
      const state = actuator.state;
      if (state !== undefined) {
        announced.push(session.publish(this.#uris.state(actuator.name), [state.value], { ts: state.ts, source: state.source }, { retain: true }));
      }
    }
    await Promise.all(announced).catch((error: Error) => this.#logger.warn('status not published', { error: error.message }));
    if (session.isOpen && this.#joined === session) {
      this.#reported = true;
      this.#hooks.joined(this, session);
      this.#announced();
    }
  }
}

/** `promise`, or a rejection once `ms` pass without it settling (the timer never outlives it). */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

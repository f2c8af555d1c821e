import type { Args, Dict } from '../../protocol/messages.js';
import type { CallOptions, EventHandler, Result, SubscribeOptions, Subscription } from '../../client/types.js';
import { callErrorMessage } from './format.js';
import { eventAction, parseDescription } from './device-events.js';
import { reduceDevices, shownValue, type ActuatorValue, type DeviceAction } from './devices.js';
import { browserTimers, LatestSender, type Timers } from './latest-sender.js';
import type { AppState } from './state.js';
import type { Store } from './store.js';

/** The part of a (Managed)Session that DeviceSync uses. */
export interface SyncSession {
  call(procedure: string, args?: Args, kwargs?: Dict, options?: CallOptions): Promise<Result>;
  subscribe(topic: string, handler: EventHandler, options?: SubscribeOptions): Promise<Subscription>;
}

export interface DeviceSyncOptions {
  /** The devices' URI prefix (device config `prefix`, default `devices`). */
  prefix: string;
  /** Timeout of every call (default 5 s). */
  callTimeoutMs?: number;
  /** Dimmer calls while dragging: at most one start per this long (default 150 ms). */
  dimmerIntervalMs?: number;
  /** A failure message disappears after this long (default 15 s). */
  errorShownMs?: number;
  timers?: Timers;
}

interface SetRequest {
  device: string;
  actuator: string;
  value: ActuatorValue;
  request: number;
}

/**
 * Keeps the store's devices in step with the realm, and makes the calls the controls ask for.
 *
 * - One subscription, `{prefix}.` (match prefix, getRetained): the retained `status` of every
 *   device and `state` of every actuator arrive at once, then every change and reading, also of
 *   devices that join later. ManagedSession restores it after a reconnect (retained events again).
 * - `describe` for a device the first time it is seen (unless it is known offline) and whenever
 *   it announces `online` (it may have restarted with another config).
 * - set: the value shows as pending at once; calls per actuator go one at a time, the latest value
 *   always (LatestSender; dimmers at most one per 150 ms while dragging); a failure or timeout
 *   drops the pending value (the device's state shows again) and sets a readable message.
 */
export class DeviceSync {
  readonly #store: Store<AppState>;
  readonly #prefix: string;
  readonly #callTimeoutMs: number;
  readonly #dimmerIntervalMs: number;
  readonly #errorShownMs: number;
  readonly #timers: Timers;
  #session: SyncSession | undefined;
  #subscription: Subscription | undefined;
  /** Devices being described; true: describe again when this one is done. */
  readonly #describing = new Map<string, boolean>();
  readonly #senders = new Map<string, LatestSender<SetRequest>>();
  #request = 0;

  constructor(store: Store<AppState>, options: DeviceSyncOptions) {
    this.#store = store;
    this.#prefix = options.prefix;
    this.#callTimeoutMs = options.callTimeoutMs ?? 5000;
    this.#dimmerIntervalMs = options.dimmerIntervalMs ?? 150;
    this.#errorShownMs = options.errorShownMs ?? 15_000;
    this.#timers = options.timers ?? browserTimers;
  }

  /** Starts following the realm through `session` (a new session replaces the old one). */
  async attach(session: SyncSession): Promise<void> {
    this.detach();
    this.#session = session;
    const subscription = await session.subscribe(`${this.#prefix}.`, (event) => this.#onEvent(session, event), {
      match: 'prefix',
      getRetained: true,
    });
    if (this.#session === session) this.#subscription = subscription;
    else void subscription.unsubscribe().catch(() => undefined);
  }

  /** Stops following and forgets the devices (sign-out). */
  detach(): void {
    void this.#subscription?.unsubscribe().catch(() => undefined);
    this.#subscription = undefined;
    this.#session = undefined;
    this.#describing.clear();
    this.#senders.clear();
    this.#dispatch({ type: 'cleared' });
  }

  /** Asks the device to take `value`; the store shows it as pending until the device answers. */
  set(device: string, actuator: string, value: ActuatorValue): void {
    const request = ++this.#request;
    this.#dispatch({ type: 'setRequested', device, actuator, value, request });
    const session = this.#session;
    if (session === undefined) {
      this.#failed({ device, actuator, value, request }, 'Not connected.');
      return;
    }
    const key = `${device}\u0000${actuator}`;
    let sender = this.#senders.get(key);
    if (sender === undefined) {
      const kind = this.#actuator(device, actuator)?.kind;
      sender = new LatestSender((item) => this.#send(session, item), kind === 'dimmer' ? this.#dimmerIntervalMs : 0, this.#timers);
      this.#senders.set(key, sender);
    }
    sender.push({ device, actuator, value, request });
  }

  /** A switch to the opposite of what it shows. */
  toggle(device: string, actuator: string): void {
    const current = this.#actuator(device, actuator);
    if (current === undefined) return;
    this.set(device, actuator, shownValue(current) !== true);
  }

  dismissError(device: string, actuator: string): void {
    const request = this.#actuator(device, actuator)?.error?.request;
    if (request !== undefined) this.#dispatch({ type: 'errorDismissed', device, actuator, request });
  }

  #onEvent(session: SyncSession, event: { topic: string; args: Args; kwargs: Dict }): void {
    if (session !== this.#session) return;
    const action = eventAction(this.#prefix, event, this.#timers.now());
    if (action === undefined || !('device' in action)) return;
    const known = this.#store.get().devices.some((d) => d.name === action.device);
    this.#dispatch(action);
    const comesOnline = action.type === 'status' && action.online;
    const firstSight = !known && !(action.type === 'status' && !action.online);
    if (comesOnline || firstSight) this.#describe(session, action.device);
  }

  #describe(session: SyncSession, device: string): void {
    if (this.#describing.has(device)) {
      this.#describing.set(device, true);
      return;
    }
    this.#describing.set(device, false);
    const done = (): void => {
      const again = this.#describing.get(device) === true;
      this.#describing.delete(device);
      if (again && session === this.#session) this.#describe(session, device);
    };
    session.call(`${this.#prefix}.${device}.describe`, [], {}, { timeout: this.#callTimeoutMs }).then(
      (result) => {
        const description = parseDescription(result.args[0]);
        if (description !== undefined && session === this.#session) {
          this.#dispatch({ type: 'described', device, description, at: this.#timers.now() });
        }
        done();
      },
      // Not there (offline, or not a switchyard device): the status events tell when to try again.
      () => done(),
    );
  }

  async #send(session: SyncSession, item: SetRequest): Promise<void> {
    const { device, actuator, value, request } = item;
    try {
      const result = await session.call(`${this.#prefix}.${device}.${actuator}.set`, [value], {}, { timeout: this.#callTimeoutMs });
      const confirmed = result.args[0];
      const state = typeof confirmed === 'boolean' || typeof confirmed === 'number' ? confirmed : undefined;
      this.#dispatch({ type: 'setSucceeded', device, actuator, request, value: state });
    } catch (error) {
      this.#failed(item, callErrorMessage(error, this.#callTimeoutMs));
    }
  }

  #failed({ device, actuator, request }: SetRequest, message: string): void {
    this.#dispatch({ type: 'setFailed', device, actuator, request, message });
    this.#timers.setTimeout(() => this.#dispatch({ type: 'errorDismissed', device, actuator, request }), this.#errorShownMs);
  }

  #actuator(device: string, actuator: string) {
    return this.#store
      .get()
      .devices.find((d) => d.name === device)
      ?.actuators.find((a) => a.name === actuator);
  }

  #dispatch(action: DeviceAction): void {
    this.#store.update((state) => {
      const devices = reduceDevices(state.devices, action);
      return devices === state.devices ? state : { ...state, devices };
    });
  }
}

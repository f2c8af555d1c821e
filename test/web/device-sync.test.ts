import { describe, expect, it } from 'vitest';
import { TimeoutError } from '../../src/client/errors.js';
import type { CallOptions, Event, EventHandler, Result, SubscribeOptions, Subscription } from '../../src/client/types.js';
import type { Args, Dict } from '../../src/protocol/messages.js';
import { ApplicationError } from '../../src/protocol/errors.js';
import { DeviceSync, type SyncSession } from '../../src/web/model/device-sync.js';
import { shownValue } from '../../src/web/model/devices.js';
import { initialState, type AppState } from '../../src/web/model/state.js';
import { createStore, type Store } from '../../src/web/model/store.js';

type CallHandler = (args: Args, options: CallOptions | undefined) => Promise<Result>;

/** A session that records subscriptions and answers calls from a table. */
class FakeSession implements SyncSession {
  readonly handlers = new Map<string, EventHandler>();
  readonly subscribeOptions: SubscribeOptions[] = [];
  readonly calls: { procedure: string; args: Args }[] = [];
  readonly procedures = new Map<string, CallHandler>();
  unsubscribed = 0;

  call(procedure: string, args: Args = [], _kwargs?: Dict, options?: CallOptions): Promise<Result> {
    this.calls.push({ procedure, args });
    const handler = this.procedures.get(procedure);
    if (handler === undefined) return Promise.reject(new ApplicationError('wamp.error.no_such_procedure'));
    return handler(args, options);
  }

  subscribe(topic: string, handler: EventHandler, options: SubscribeOptions = {}): Promise<Subscription> {
    this.handlers.set(topic, handler);
    this.subscribeOptions.push(options);
    return Promise.resolve({ id: 1, topic, unsubscribe: () => Promise.resolve(void this.unsubscribed++) });
  }

  emit(topic: string, args: Args, kwargs: Dict = {}): void {
    const event: Event = { topic, args, kwargs, details: {}, publication: 1, retained: false };
    void this.handlers.get('devices.')!(event);
  }

  answer(procedure: string, value: unknown): void {
    this.procedures.set(procedure, () => Promise.resolve({ args: [value], kwargs: {}, details: {} }));
  }
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

const KITCHEN = {
  device: 'kitchen',
  actuators: [
    { name: 'light', kind: 'switch', state: false, ts: 1 },
    { name: 'dimmer', kind: 'dimmer', state: 0.5, ts: 1 },
  ],
  sensors: [{ name: 'temperature', unit: '°C', value: 20, ts: 1, stale: false }],
};

async function setup(): Promise<{ store: Store<AppState>; sync: DeviceSync; session: FakeSession }> {
  const store = createStore(initialState('home'));
  const sync = new DeviceSync(store, { prefix: 'devices', dimmerIntervalMs: 0, callTimeoutMs: 1000 });
  const session = new FakeSession();
  session.answer('devices.kitchen.describe', KITCHEN);
  await sync.attach(session);
  return { store, sync, session };
}

const kitchen = (store: Store<AppState>) => store.get().devices.find((d) => d.name === 'kitchen');
const light = (store: Store<AppState>) => kitchen(store)!.actuators.find((a) => a.name === 'light')!;

describe('DeviceSync', () => {
  it('subscribes once to the prefix with the retained events', async () => {
    const { session } = await setup();
    expect([...session.handlers.keys()]).toEqual(['devices.']);
    expect(session.subscribeOptions).toEqual([{ match: 'prefix', getRetained: true }]);
  });

  it('describes a device when it comes online, and shows what it answered', async () => {
    const { store, session } = await setup();
    session.emit('devices.kitchen.status', ['online']);
    await flush();
    expect(session.calls.map((c) => c.procedure)).toEqual(['devices.kitchen.describe']);
    expect(kitchen(store)).toMatchObject({ status: 'online', described: true });
    expect(kitchen(store)!.actuators.map((a) => a.name)).toEqual(['light', 'dimmer']);
  });

  it('lists a device whose retained status is offline without calling it', async () => {
    const { store, session } = await setup();
    session.emit('devices.attic.status', ['offline']);
    await flush();
    expect(session.calls).toEqual([]);
    expect(store.get().devices.map((d) => [d.name, d.status])).toEqual([['attic', 'offline']]);
  });

  it('describes a device first heard of through a reading, once even when more events arrive meanwhile', async () => {
    const { store, session } = await setup();
    session.emit('devices.kitchen.temperature', [21], { ts: 5, seq: 1 });
    session.emit('devices.kitchen.light.state', [true], { ts: 5 });
    await flush();
    expect(session.calls.map((c) => c.procedure)).toEqual(['devices.kitchen.describe']);
    expect(kitchen(store)!.sensors[0]!.value).toBe(21);
    expect(light(store).state).toBe(true);
  });

  it('marks a device offline when its testament fires, and describes it again when it is back', async () => {
    const { store, session } = await setup();
    session.emit('devices.kitchen.status', ['online']);
    await flush();
    session.emit('devices.kitchen.status', ['offline']);
    expect(kitchen(store)!.status).toBe('offline');
    session.emit('devices.kitchen.status', ['online']);
    await flush();
    expect(kitchen(store)!.status).toBe('online');
    expect(session.calls.filter((c) => c.procedure.endsWith('.describe'))).toHaveLength(2);
  });

  it('sets a switch: pending at once, then the state the device confirms', async () => {
    const { store, sync, session } = await setup();
    session.emit('devices.kitchen.status', ['online']);
    await flush();
    session.answer('devices.kitchen.light.set', true);
    sync.toggle('kitchen', 'light');
    expect(light(store).pending?.value).toBe(true);
    expect(session.calls.at(-1)).toEqual({ procedure: 'devices.kitchen.light.set', args: [true] });
    await flush();
    expect(light(store).pending).toBeUndefined();
    expect(light(store).state).toBe(true);
  });

  it('rolls a failed change back with a readable message, and the message goes away', async () => {
    const store = createStore(initialState('home'));
    const due: (() => void)[] = [];
    const sync = new DeviceSync(store, { prefix: 'devices', timers: { now: () => 0, setTimeout: (run) => void due.push(run) } });
    const session = new FakeSession();
    session.answer('devices.kitchen.describe', KITCHEN);
    await sync.attach(session);
    session.emit('devices.kitchen.status', ['online']);
    await flush();
    session.procedures.set('devices.kitchen.light.set', () =>
      Promise.reject(new ApplicationError('switchyard.error.hardware_unavailable', ['relay did not answer'])),
    );
    sync.set('kitchen', 'light', true);
    await flush();
    expect(shownValue(light(store))).toBe(false);
    expect(light(store).error?.message).toBe('The hardware is not available: relay did not answer');
    due.forEach((run) => run());
    expect(light(store).error).toBeUndefined();
  });

  it('says so when the device does not answer in time', async () => {
    const { store, sync, session } = await setup();
    session.emit('devices.kitchen.status', ['online']);
    await flush();
    session.procedures.set('devices.kitchen.light.set', () => Promise.reject(new TimeoutError()));
    sync.set('kitchen', 'light', true);
    await flush();
    expect(light(store).error?.message).toBe('The device did not answer within 1 s.');
  });

  it('sends the last dimmer value after a drag, never two calls at once', async () => {
    const { store, sync, session } = await setup();
    session.emit('devices.kitchen.status', ['online']);
    await flush();
    const answers: (() => void)[] = [];
    session.procedures.set('devices.kitchen.dimmer.set', (args) => new Promise((resolve) => answers.push(() => resolve({ args, kwargs: {}, details: {} }))));
    for (const value of [0.1, 0.2, 0.3, 0.4]) sync.set('kitchen', 'dimmer', value);
    const sets = () => session.calls.filter((c) => c.procedure === 'devices.kitchen.dimmer.set').map((c) => c.args[0]);
    expect(sets()).toEqual([0.1]);
    answers.shift()!();
    await flush();
    expect(sets()).toEqual([0.1, 0.4]);
    const dimmer = () => kitchen(store)!.actuators.find((a) => a.name === 'dimmer')!;
    expect(dimmer().pending?.value).toBe(0.4);
    answers.shift()!();
    await flush();
    expect(dimmer().pending).toBeUndefined();
    expect(dimmer().state).toBe(0.4);
  });

  it('fails a change at once without a session, and forgets everything on detach', async () => {
    const { store, sync, session } = await setup();
    session.emit('devices.kitchen.status', ['online']);
    await flush();
    sync.detach();
    expect(session.unsubscribed).toBe(1);
    expect(store.get().devices).toEqual([]);
    sync.set('kitchen', 'light', true);
    expect(store.get().devices).toEqual([]);
  });
});

import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { requireSystem } from '../helpers/system-deps.js';
import { hasPythonAutobahn, PyPeer, pyEvent } from '../interop/peers/py-peer.js';
import { closeAll, collect, onCleanup, SECURE_REALM, sleep, startMqttRouter, until, wampSession, withTimeout, type MqttRouter } from './helpers.js';

/** MQTT.js (npm `mqtt`) as the MQTT peer, 3.1.1 and 5.0, against our router. */

let router: MqttRouter | undefined;

afterEach(async () => {
  await closeAll();
  await router?.close();
  router = undefined;
});

async function client(version: 4 | 5, options: IClientOptions = {}): Promise<MqttClient> {
  const c = await withTimeout(
    mqtt.connectAsync(`mqtt://127.0.0.1:${router!.mqttPort}`, { protocolVersion: version, reconnectPeriod: 0, connectTimeout: 3000, ...options }),
    'MQTT.js connect',
  );
  onCleanup(() => c.endAsync(true));
  return c;
}

function messages(c: MqttClient): Array<{ topic: string; payload: string; retain: boolean; qos: number }> {
  const seen: Array<{ topic: string; payload: string; retain: boolean; qos: number }> = [];
  c.on('message', (topic, payload, packet) => seen.push({ topic, payload: payload.toString(), retain: packet.retain, qos: packet.qos }));
  return seen;
}

describe.each([4, 5] as const)('MQTT.js (protocol level %i) against the MQTT gateway', (version) => {
  it('receives WAMP publishes on + and # filters, and its publishes reach WAMP subscribers', async () => {
    router = await startMqttRouter();
    const wamp = await wampSession(router);
    const readings = await collect(wamp, 'sensors.', { match: 'prefix' });
    const c = await client(version);
    const seen = messages(c);
    const granted = await c.subscribeAsync({ 'home/+/temp': { qos: 0 }, 'garden/#': { qos: 1 } });
    expect(granted.map((g) => g.qos).sort()).toEqual([0, 1]);
    await wamp.publish('home.kitchen.temp', [21], {}, { acknowledge: true });
    await wamp.publish('home.kitchen.light', ['on'], {}, { acknowledge: true });
    await wamp.publish('garden', ['root'], {}, { acknowledge: true });
    await wamp.publish('garden.bed.moisture', [0.3], {}, { acknowledge: true });
    await until(() => seen.length >= 3, 3000, 'three messages');
    expect(seen.map((m) => [m.topic, m.payload, m.qos])).toEqual([
      ['home/kitchen/temp', '21', 0],
      ['garden', 'root', 1],
      ['garden/bed/moisture', '0.3', 1],
    ]);
    await c.publishAsync('sensors/porch/temp', '{"value":21.5}', { qos: 1 });
    await c.publishAsync('sensors/porch/raw', 'ON');
    const events = await readings.next(2);
    expect(events.map((e) => [e.topic, e.args, e.kwargs])).toEqual([
      ['sensors.porch.temp', [], { value: 21.5 }],
      ['sensors.porch.raw', ['ON'], {}],
    ]);
  });

  it('keeps retained messages both ways', async () => {
    router = await startMqttRouter();
    const wamp = await wampSession(router);
    const publisher = await client(version);
    await publisher.publishAsync('state/door', 'open', { retain: true, qos: 1 });
    await wamp.publish('state.window', ['closed'], {}, { acknowledge: true, retain: true });
    const late = await collect(wamp, 'state.door', { getRetained: true });
    expect((await late.next(1))[0]).toMatchObject({ args: ['open'], retained: true });
    const subscriber = await client(version);
    const seen = messages(subscriber);
    await subscriber.subscribeAsync('state/+');
    await until(() => seen.length >= 2, 3000, 'retained messages');
    expect(seen.map((m) => [m.topic, m.payload, m.retain]).sort()).toEqual([
      ['state/door', 'open', true],
      ['state/window', 'closed', true],
    ]);
  });

  it('fires the will as a WAMP event when the client dies', async () => {
    router = await startMqttRouter();
    const wamp = await wampSession(router);
    const status = await collect(wamp, 'devices.porch.status');
    const c = await client(version, { will: { topic: 'devices/porch/status', payload: Buffer.from('offline'), qos: 1, retain: false } });
    c.stream.destroy();
    expect((await status.next(1))[0]).toMatchObject({ args: ['offline'] });
  });

  it('gets QoS 1 messages queued for its persistent session after it reconnects', async () => {
    router = await startMqttRouter();
    const wamp = await wampSession(router);
    const session: IClientOptions = { clientId: `mqttjs-${version}`, clean: false, ...(version === 5 ? { properties: { sessionExpiryInterval: 600 } } : {}) };
    const first = await client(version, session);
    await first.subscribeAsync('alerts/#', { qos: 1 });
    await first.endAsync();
    await wamp.publish('alerts.smoke', ['kitchen'], {}, { acknowledge: true });
    await wamp.publish('alerts.water', ['cellar'], {}, { acknowledge: true });
    const seen: string[] = [];
    const again = mqtt.connect(`mqtt://127.0.0.1:${router.mqttPort}`, { protocolVersion: version, reconnectPeriod: 0, ...session });
    onCleanup(() => again.endAsync(true));
    again.on('message', (topic, payload) => seen.push(`${topic} ${payload.toString()}`));
    const connack = await withTimeout(new Promise<{ sessionPresent: boolean }>((resolve) => again.once('connect', resolve)), 'reconnect');
    expect(connack.sessionPresent).toBe(true);
    await until(() => seen.length >= 2, 3000, 'the queued messages');
    expect(seen).toEqual(['alerts/smoke kitchen', 'alerts/water cellar']);
  });

  it('is refused with a wrong password and on a denied topic', async () => {
    router = await startMqttRouter({ realms: [SECURE_REALM] });
    const error = await client(version, { username: 'sensor', password: 'wrong' }).then(
      () => undefined,
      (e: unknown) => e as { code?: number },
    );
    expect(error?.code).toBe(version === 5 ? 0x86 : 4);
    const c = await client(version, { username: 'sensor', password: 's3cret' });
    const refused = await c.subscribeAsync('devices/kitchen/#', { qos: 1 }).then(
      () => undefined,
      (e: unknown) => e as { packet?: { granted: number[] } },
    );
    expect(refused?.packet?.granted).toEqual([version === 5 ? 0x87 : 0x80]);
    if (version === 5) {
      await expect(c.publishAsync('devices/kitchen/x', '1', { qos: 1 })).rejects.toMatchObject({ code: 0x87 });
    }
    await c.publishAsync('devices/porch/x', '1', { qos: 1 });
    await sleep(10);
  });
});

describe.skipIf(!requireSystem('python3-autobahn', hasPythonAutobahn))('MQTT.js → Autobahn|Python', () => {
  it.each([4, 5] as const)('an Autobahn|Python subscriber receives an MQTT.js publish (level %i)', async (version) => {
    router = await startMqttRouter();
    const peer = await PyPeer.start({ host: '127.0.0.1', port: router.universalPort, rawsocketPort: router.rawsocketPort, wsUrl: `ws://127.0.0.1:${router.universalPort}/ws` });
    onCleanup(() => peer.stop());
    await peer.open('py', { transport: 'websocket', serializer: 'json' });
    await peer.subscribe('py', 'devices.porch.temperature', 'k');
    const c = await client(version);
    await c.publishAsync('devices/porch/temperature', '21.5', { qos: 1 });
    expect(await peer.waitFor(pyEvent('k', 21.5), 'the MQTT.js reading at Autobahn|Python')).toMatchObject({ args: [21.5] });
  });
});

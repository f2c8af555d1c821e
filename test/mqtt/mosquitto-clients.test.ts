import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { requireSystem } from '../helpers/system-deps.js';
import { hasPythonAutobahn, PyPeer, pyEvent } from '../interop/peers/py-peer.js';
import {
  closeAll,
  collect,
  hasMosquittoClients,
  mosquitto,
  mosquittoPub,
  SECURE_REALM,
  sleep,
  startMqttRouter,
  subscribed,
  until,
  wampSession,
  type MqttRouter,
} from './helpers.js';

/**
 * Real MQTT peers: Debian's mosquitto_pub and mosquitto_sub (mosquitto-clients) against our
 * router, in MQTT 3.1.1 and 5.0, with WAMP peers on the other side (Autobahn|Python, our client).
 */
const haveClients = requireSystem('mosquitto-clients', hasMosquittoClients);
const VERSIONS = [
  ['3.1.1', 'mqttv311'],
  ['5.0', 'mqttv5'],
] as const;

let router: MqttRouter | undefined;

afterEach(async () => {
  await closeAll();
  await router?.close();
  router = undefined;
});

describe.skipIf(!haveClients)('mosquitto-clients against the MQTT gateway', () => {
  describe.each(VERSIONS)('MQTT %s', (_label, V) => {
    it('mosquitto_sub receives a WAMP publish', async () => {
      router = await startMqttRouter();
      const wamp = await wampSession(router);
      const sub = mosquitto('sub', router.mqttPort, ['-V', V, '-t', 'ui/lamp', '-v', '-C', '2']);
      await subscribed(router, 'ui.lamp');
      await wamp.publish('ui.lamp', ['on'], {}, { acknowledge: true });
      await wamp.publish('ui.lamp', [], { brightness: 80 }, { acknowledge: true });
      expect(await sub.waitLines(2)).toEqual(['ui/lamp on', 'ui/lamp {"brightness":80}']);
    });

    it('serves + and # filters', async () => {
      router = await startMqttRouter();
      const sub = mosquitto('sub', router.mqttPort, ['-V', V, '-t', 'home/+/temp', '-t', 'garden/#', '-v', '-C', '3']);
      await subscribed(router, 'home.kitchen.temp');
      await subscribed(router, 'garden.bed.moisture');
      for (const [topic, value] of [
        ['home/kitchen/temp', '21'],
        ['home/kitchen/humidity', '40'],
        ['garden', '1'],
        ['garden/bed/moisture', '0.3'],
        ['gardens/x', 'no'],
      ]) {
        expect((await mosquittoPub(router.mqttPort, ['-V', V, '-t', topic!, '-m', value!])).code).toBe(0);
      }
      expect(await sub.waitLines(3)).toEqual(['home/kitchen/temp 21', 'garden 1', 'garden/bed/moisture 0.3']);
    });

    it('keeps retained messages both ways, and an empty retained message clears', async () => {
      router = await startMqttRouter();
      const wamp = await wampSession(router);
      expect((await mosquittoPub(router.mqttPort, ['-V', V, '-t', 'state/door', '-m', 'open', '-r'])).code).toBe(0);
      await wamp.publish('state.window', ['closed'], {}, { acknowledge: true, retain: true });
      const late = await collect(wamp, 'state.door', { getRetained: true });
      expect((await late.next(1))[0]).toMatchObject({ args: ['open'], retained: true });
      const sub = mosquitto('sub', router.mqttPort, ['-V', V, '-t', 'state/#', '-v', '-C', '2']);
      expect((await sub.waitLines(2)).sort()).toEqual(['state/door open', 'state/window closed']);

      expect((await mosquittoPub(router.mqttPort, ['-V', V, '-t', 'state/door', '-n', '-r'])).code).toBe(0);
      const after = mosquitto('sub', router.mqttPort, ['-V', V, '-t', 'state/#', '-v', '-W', '2']);
      await after.exited;
      expect(after.lines).toEqual(['state/window closed']);
    });

    it('publishes the will as a WAMP event when the MQTT client dies', async () => {
      router = await startMqttRouter();
      const wamp = await wampSession(router);
      const status = await collect(wamp, 'devices.porch.status');
      const sub = mosquitto('sub', router.mqttPort, ['-V', V, '-t', 'devices/porch/cmd', '--will-topic', 'devices/porch/status', '--will-payload', 'offline']);
      await subscribed(router, 'devices.porch.cmd');
      sub.child.kill('SIGKILL');
      expect((await status.next(1))[0]).toMatchObject({ args: ['offline'] });
    });

    it('redelivers QoS 1 messages to a persistent session after it reconnects', async () => {
      router = await startMqttRouter();
      const wamp = await wampSession(router);
      const session = ['-V', V, '-i', `display-${V}`, '-c', '-q', '1', '-t', 'alerts/#', '-v', ...(V === 'mqttv5' ? ['-x', '600'] : [])];
      const first = mosquitto('sub', router.mqttPort, session);
      await subscribed(router, 'alerts.smoke');
      first.child.kill('SIGKILL');
      await first.exited;
      await sleep(100);
      await wamp.publish('alerts.smoke', ['kitchen'], {}, { acknowledge: true });
      await wamp.publish('alerts.water', ['cellar'], {}, { acknowledge: true });
      const again = mosquitto('sub', router.mqttPort, [...session, '-C', '2']);
      expect(await again.waitLines(2)).toEqual(['alerts/smoke kitchen', 'alerts/water cellar']);
    });

    it('refuses a wrong password and a denied topic', async () => {
      router = await startMqttRouter({ realms: [SECURE_REALM] });
      const wrong = await mosquittoPub(router.mqttPort, ['-V', V, '-u', 'sensor', '-P', 'wrong', '-t', 'devices/porch/x', '-m', '1']);
      expect(wrong.code).not.toBe(0);
      expect(wrong.stderr).toMatch(/bad user ?name or password/i);
      const denied = mosquitto('sub', router.mqttPort, ['-V', V, '-u', 'sensor', '-P', 's3cret', '-t', 'devices/kitchen/#']);
      await until(() => denied.stderr.join('').includes('All subscription requests were denied'), 5000, 'the SUBACK refusal');
      await denied.exited;
      const ok = mosquitto('sub', router.mqttPort, ['-V', V, '-u', 'sensor', '-P', 's3cret', '-t', 'devices/porch/#', '-v', '-C', '1']);
      await subscribed(router, 'devices.porch.x', 1, { authid: 'ui', ticket: 'ui-pass' });
      const refused = await mosquittoPub(router.mqttPort, ['-V', V, '-u', 'sensor', '-P', 's3cret', '-q', '1', '-t', 'devices/kitchen/x', '-m', '1']);
      if (V === 'mqttv5') expect(refused.stderr).toMatch(/Not authorized/);
      expect((await mosquittoPub(router.mqttPort, ['-V', V, '-u', 'sensor', '-P', 's3cret', '-t', 'devices/porch/x', '-m', '2'])).code).toBe(0);
      expect(await ok.waitLines(1)).toEqual(['devices/porch/x 2']);
    });
  });

  describe.skipIf(!requireSystem('python3-autobahn', hasPythonAutobahn))('with Autobahn|Python', () => {
    let peer: PyPeer | undefined;
    beforeAll(() => () => peer?.stop());

    it.each(VERSIONS)('an Autobahn|Python subscriber receives an MQTT %s publish', async (_label, V) => {
      router = await startMqttRouter();
      peer ??= await PyPeer.start({ host: '127.0.0.1', port: router.universalPort, rawsocketPort: router.rawsocketPort, wsUrl: `ws://127.0.0.1:${router.universalPort}/ws` });
      const name = `py-${V}`;
      await peer.open(name, { transport: 'rawsocket', serializer: 'cbor' });
      await peer.subscribe(name, 'devices.porch.temperature', name);
      expect((await mosquittoPub(router.mqttPort, ['-V', V, '-t', 'devices/porch/temperature', '-m', '21.5'])).code).toBe(0);
      expect((await mosquittoPub(router.mqttPort, ['-V', V, '-t', 'devices/porch/temperature', '-m', '{"value":22,"unit":"C"}'])).code).toBe(0);
      const first = await peer.waitFor(pyEvent(name, 21.5), 'the MQTT reading at Autobahn|Python');
      expect(first).toMatchObject({ args: [21.5], topic: 'devices.porch.temperature' });
      const second = await peer.waitFor((r) => r.report === 'event' && r.key === name && (r.kwargs as Record<string, unknown>)?.['value'] === 22, 'kwargs');
      expect(second.kwargs).toEqual({ value: 22, unit: 'C' });
      await peer.close(name);
      await peer.stop();
      peer = undefined;
    });
  });
});

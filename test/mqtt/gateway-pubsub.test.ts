import { afterEach, describe, expect, it } from 'vitest';
import { ReasonCode } from '../../src/mqtt/reason-codes.js';
import { closeAll, collect, RawMqtt, sleep, startMqttRouter, until, wampSession, type MqttRouter, type PublishPacket, type Version } from './helpers.js';

let router: MqttRouter | undefined;

afterEach(async () => {
  await closeAll();
  await router?.close();
  router = undefined;
});

async function published(client: RawMqtt, ms = 3000): Promise<PublishPacket> {
  return (await client.next('publish', ms)) as unknown as PublishPacket;
}

describe.each([4, 5] as Version[])('MQTT gateway pub/sub (protocol level %i)', (version) => {
  it('maps an MQTT publish into the realm: a JSON object as kwargs, other JSON and text as one arg', async () => {
    router = await startMqttRouter();
    const wamp = await wampSession(router);
    const readings = await collect(wamp, 'devices.porch.temperature');
    const { client, connack } = await RawMqtt.connect(router.mqttPort, version);
    expect(connack).toMatchObject(version === 5 ? { reasonCode: 0, sessionPresent: false } : { returnCode: 0 });
    client.publish('devices/porch/temperature', '{"value":21.5,"unit":"C"}');
    client.publish('devices/porch/temperature', '21.5', { qos: 1, messageId: 7 });
    client.publish('devices/porch/temperature', 'ON');
    expect(await client.next('puback')).toMatchObject({ messageId: 7 });
    const events = await readings.next(3);
    expect(events.map((e) => [e.args, e.kwargs])).toEqual([
      [[], { value: 21.5, unit: 'C' }],
      [[21.5], {}],
      [['ON'], {}],
    ]);
  });

  it('delivers WAMP events to MQTT subscribers at the granted QoS (QoS 2 granted as 1)', async () => {
    router = await startMqttRouter();
    const wamp = await wampSession(router);
    const { client } = await RawMqtt.connect(router.mqttPort, version);
    expect(await client.subscribe([{ topic: 'ui/lamp', qos: 0 }, { topic: 'ui/fan', qos: 2 }])).toEqual([0, 1]);
    await wamp.publish('ui.lamp', ['on'], {}, { acknowledge: true });
    await wamp.publish('ui.fan', [], { speed: 3 }, { acknowledge: true });
    const lamp = await published(client);
    expect(lamp).toMatchObject({ topic: 'ui/lamp', qos: 0, retain: false });
    expect(lamp.payload.toString()).toBe('on');
    const fan = await published(client);
    expect(fan).toMatchObject({ topic: 'ui/fan', qos: 1 });
    expect(JSON.parse(fan.payload.toString())).toEqual({ speed: 3 });
    client.send({ cmd: 'puback', messageId: fan.messageId! });
  });

  it('serves + and # filters with the router matching, # also matching the parent level, once per publication', async () => {
    router = await startMqttRouter();
    const wamp = await wampSession(router);
    const { client } = await RawMqtt.connect(router.mqttPort, version);
    expect(await client.subscribe([{ topic: 'home/+/temp', qos: 0 }, { topic: 'home/#', qos: 0 }, { topic: '#', qos: 0 }])).toEqual([0, 0, 0]);
    for (const topic of ['home.kitchen.temp', 'home', 'home.kitchen.light.state', 'homeward', '$sys.x']) {
      await wamp.publish(topic, [topic], {}, { acknowledge: true });
    }
    await until(() => client.packets.filter((p) => p.cmd === 'publish').length >= 4, 3000, 'four deliveries');
    await sleep(100);
    const topics = (client.packets.filter((p) => p.cmd === 'publish') as unknown as PublishPacket[]).map((p) => p.topic);
    // Three matching filters, one delivery; `#` matches nothing starting with `$`.
    expect(topics).toEqual(['home/kitchen/temp', 'home', 'home/kitchen/light/state', 'homeward']);
  });

  it('shares one router subscription between a WAMP and an MQTT subscriber of the same topic', async () => {
    router = await startMqttRouter();
    const wamp = await wampSession(router);
    await collect(wamp, 'shared.topic');
    const { client } = await RawMqtt.connect(router.mqttPort, version);
    await client.subscribe([{ topic: 'shared/topic', qos: 0 }]);
    const id = (await wamp.call('wamp.subscription.lookup', ['shared.topic'])).args[0] as number;
    expect((await wamp.call('wamp.subscription.count_subscribers', [id])).args[0]).toBe(2);
  });

  it('keeps retained messages both ways; an empty retained payload clears', async () => {
    router = await startMqttRouter();
    const wamp = await wampSession(router);
    const { client: publisher } = await RawMqtt.connect(router.mqttPort, version);
    publisher.publish('state/door', 'open', { retain: true, qos: 1, messageId: 1 });
    await publisher.next('puback');
    await wamp.publish('state.window', ['closed'], {}, { acknowledge: true, retain: true });

    const late = await collect(wamp, 'state.door', { getRetained: true });
    expect((await late.next(1))[0]).toMatchObject({ args: ['open'], retained: true });

    const { client: subscriber } = await RawMqtt.connect(router.mqttPort, version);
    await subscriber.subscribe([{ topic: 'state/+', qos: 0 }]);
    const first = await published(subscriber);
    const second = await published(subscriber);
    expect([first, second].map((p) => [p.topic, p.payload.toString(), p.retain]).sort()).toEqual([
      ['state/door', 'open', true],
      ['state/window', 'closed', true],
    ]);

    publisher.publish('state/door', '', { retain: true, qos: 1, messageId: 2 });
    await publisher.next('puback');
    // A live subscriber gets the clearing message (retain 0); a new one gets nothing for the door.
    expect(await published(subscriber)).toMatchObject({ topic: 'state/door', retain: false });
    const { client: newcomer } = await RawMqtt.connect(router.mqttPort, version);
    await newcomer.subscribe([{ topic: 'state/+', qos: 0 }]);
    expect((await published(newcomer)).topic).toBe('state/window');
    await sleep(100);
    expect(newcomer.packets.filter((p) => p.cmd === 'publish')).toHaveLength(1);
  });

  it('publishes the will as the testament when the client dies, not after DISCONNECT', async () => {
    router = await startMqttRouter();
    const wamp = await wampSession(router);
    const status = await collect(wamp, 'devices.porch.status');
    const will = { topic: 'devices/porch/status', payload: Buffer.from('offline'), qos: 0, retain: true };
    const { client: polite } = await RawMqtt.connect(router.mqttPort, version, { will });
    polite.send({ cmd: 'disconnect' });
    await polite.waitClosed();
    const { client: dying } = await RawMqtt.connect(router.mqttPort, version, { will });
    dying.socket.destroy();
    expect((await status.next(1))[0]).toMatchObject({ args: ['offline'] });
    await sleep(100);
    expect(status.events).toHaveLength(1);
    // Retained: a late subscriber learns it too.
    const late = await collect(wamp, 'devices.porch.status', { getRetained: true });
    expect((await late.next(1))[0]).toMatchObject({ args: ['offline'], retained: true });
  });

  it('accepts QoS 2 publishes with the PUBREC/PUBREL/PUBCOMP exchange, routing each once', async () => {
    router = await startMqttRouter();
    const wamp = await wampSession(router);
    const events = await collect(wamp, 'q2');
    const { client } = await RawMqtt.connect(router.mqttPort, version);
    client.publish('q2', 'once', { qos: 2, messageId: 42 });
    expect(await client.next('pubrec')).toMatchObject({ messageId: 42 });
    // A duplicate before PUBREL is acknowledged again, not routed again.
    client.send({ cmd: 'publish', topic: 'q2', payload: 'once', qos: 2, dup: true, retain: false, messageId: 42 });
    expect(await client.next('pubrec')).toMatchObject({ messageId: 42 });
    client.send({ cmd: 'pubrel', messageId: 42 });
    expect(await client.next('pubcomp')).toMatchObject({ messageId: 42 });
    await events.next(1);
    await sleep(100);
    expect(events.events).toHaveLength(1);
  });

  it('accepts MQTT on the universal port (first byte 0x10)', async () => {
    router = await startMqttRouter();
    const wamp = await wampSession(router);
    const events = await collect(wamp, 'via.universal');
    const { client, connack } = await RawMqtt.connect(router.universalPort, version);
    expect(connack.cmd).toBe('connack');
    client.publish('via/universal', '1');
    expect((await events.next(1))[0]!.args).toEqual([1]);
  });

  it('refuses unmappable topics with the protocol answer, never rewriting them', async () => {
    router = await startMqttRouter();
    const { client } = await RawMqtt.connect(router.mqttPort, version);
    const codes = await client.subscribe([{ topic: 'a.b/c', qos: 0 }, { topic: 'a//c', qos: 1 }, { topic: '$share/g/a', qos: 0 }, { topic: 'fine/+', qos: 1 }]);
    expect(codes).toEqual(version === 5 ? [0x8f, 0x8f, 0x9e, 1] : [0x80, 0x80, 0x80, 1]);
    client.publish('a.b/c', 'x', { qos: 1, messageId: 3 });
    if (version === 5) {
      expect(await client.next('puback')).toMatchObject({ messageId: 3, reasonCode: ReasonCode.TOPIC_NAME_INVALID });
    } else {
      // 3.1.1 cannot refuse one message: the connection closes.
      await client.waitClosed();
    }
  });
});

describe('MQTT gateway pub/sub, 5.0 only', () => {
  it('honours No Local: a client does not get its own publications on such a filter', async () => {
    router = await startMqttRouter();
    const { client } = await RawMqtt.connect(router.mqttPort, 5);
    await client.subscribe([{ topic: 'echo/#', qos: 0, nl: true }]);
    await client.subscribe([{ topic: 'loop/#', qos: 0 }], 2);
    client.publish('echo/x', 'a');
    client.publish('loop/x', 'b');
    expect((await published(client)).topic).toBe('loop/x');
    await sleep(100);
    expect(client.packets.filter((p) => p.cmd === 'publish')).toHaveLength(1);
  });

  it('publishes the will after a DISCONNECT with reason 0x04', async () => {
    router = await startMqttRouter();
    const wamp = await wampSession(router);
    const status = await collect(wamp, 'bye');
    const { client } = await RawMqtt.connect(router.mqttPort, 5, { will: { topic: 'bye', payload: Buffer.from('"gone"'), qos: 0, retain: false } });
    client.send({ cmd: 'disconnect', reasonCode: 0x04 });
    expect((await status.next(1))[0]!.args).toEqual(['gone']);
  });

  it('honours Retain Handling: 0 sends retained messages, 1 only for a new subscription, 2 never', async () => {
    router = await startMqttRouter();
    const wamp = await wampSession(router);
    await wamp.publish('kept', ['v'], {}, { acknowledge: true, retain: true });
    const { client } = await RawMqtt.connect(router.mqttPort, 5);
    await client.subscribe([{ topic: 'kept', qos: 0, rh: 2 }], 1);
    await client.subscribe([{ topic: '+', qos: 0, rh: 1 }], 2);
    await client.subscribe([{ topic: '+', qos: 0, rh: 1 }], 3);
    await client.subscribe([{ topic: 'kept', qos: 0, rh: 0 }], 4);
    await until(() => client.packets.filter((p) => p.cmd === 'publish').length >= 2, 3000, 'two retained deliveries');
    await sleep(100);
    // One from the new `+` subscription, one from re-subscribing `kept` with rh 0.
    expect((client.packets.filter((p) => p.cmd === 'publish') as unknown as PublishPacket[]).map((p) => [p.topic, p.retain])).toEqual([
      ['kept', true],
      ['kept', true],
    ]);
  });

  it('refuses topic aliases (Topic Alias Maximum is 0) with DISCONNECT 0x94, and enhanced auth with CONNACK 0x8C', async () => {
    router = await startMqttRouter();
    const { client } = await RawMqtt.connect(router.mqttPort, 5);
    client.send({ cmd: 'publish', topic: 'a', payload: 'x', qos: 0, dup: false, retain: false, properties: { topicAlias: 1 } });
    expect(await client.next('disconnect')).toMatchObject({ reasonCode: ReasonCode.TOPIC_ALIAS_INVALID });
    await client.waitClosed();
    const auth = await RawMqtt.connect(router.mqttPort, 5, { properties: { authenticationMethod: 'SCRAM-SHA-1' } });
    expect(auth.connack).toMatchObject({ reasonCode: ReasonCode.BAD_AUTHENTICATION_METHOD });
  });

  it('publishes the will of a client that is taken over', async () => {
    router = await startMqttRouter();
    const wamp = await wampSession(router);
    const status = await collect(wamp, 'who');
    await RawMqtt.connect(router.mqttPort, 5, { clientId: 'twin', will: { topic: 'who', payload: Buffer.from('"first gone"'), qos: 0, retain: false } });
    await RawMqtt.connect(router.mqttPort, 5, { clientId: 'twin' });
    expect((await status.next(1))[0]!.args).toEqual(['first gone']);
  });

  it('sends DISCONNECT 0x8B to 5.0 clients when the router shuts down', async () => {
    router = await startMqttRouter();
    const { client } = await RawMqtt.connect(router.mqttPort, 5);
    const closing = router.close();
    router = undefined;
    expect(await client.next('disconnect')).toMatchObject({ reasonCode: ReasonCode.SERVER_SHUTTING_DOWN });
    await closing;
    await until(() => client.isClosed, 3000, 'the connection to close');
  });
});

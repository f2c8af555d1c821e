import { afterEach, describe, expect, it } from 'vitest';
import { ReasonCode } from '../../src/mqtt/reason-codes.js';
import { captureLogger } from '../helpers/capture-logger.js';
import { closeAll, collect, RawMqtt, SECURE_REALM, sleep, startMqttRouter, until, wampSession, type MqttRouter, type PublishPacket, type Version } from './helpers.js';

let router: MqttRouter | undefined;

afterEach(async () => {
  await closeAll();
  await router?.close();
  router = undefined;
});

const publishes = (client: RawMqtt) => client.packets.filter((p) => p.cmd === 'publish') as unknown as PublishPacket[];

describe.each([4, 5] as Version[])('MQTT sessions (protocol level %i)', (version) => {
  const persistent = version === 5 ? { clean: false, properties: { sessionExpiryInterval: 3600 } } : { clean: false };

  it('keeps QoS 1 messages for a persistent session while it is away, and redelivers unacknowledged ones with DUP', async () => {
    router = await startMqttRouter();
    const wamp = await wampSession(router);
    const first = await RawMqtt.connect(router.mqttPort, version, { clientId: 'porch-display', ...persistent });
    expect(first.connack).toMatchObject({ sessionPresent: false });
    await first.client.subscribe([{ topic: 'alerts/#', qos: 1 }]);
    await wamp.publish('alerts.smoke', ['one'], {}, { acknowledge: true });
    const unacked = (await first.client.next('publish')) as unknown as PublishPacket;
    expect(unacked).toMatchObject({ topic: 'alerts/smoke', qos: 1, dup: false });
    first.client.socket.destroy();
    await first.client.closed;
    await sleep(50);
    await wamp.publish('alerts.smoke', ['two'], {}, { acknowledge: true });
    await wamp.publish('alerts.fire', ['three'], {}, { acknowledge: true });

    const again = await RawMqtt.connect(router.mqttPort, version, { clientId: 'porch-display', ...persistent });
    expect(again.connack).toMatchObject({ sessionPresent: true });
    const redelivered = (await again.client.next('publish')) as unknown as PublishPacket;
    expect(redelivered).toMatchObject({ topic: 'alerts/smoke', qos: 1, dup: true, messageId: unacked.messageId });
    expect(redelivered.payload.toString()).toBe('one');
    const rest = [(await again.client.next('publish')) as unknown as PublishPacket, (await again.client.next('publish')) as unknown as PublishPacket];
    expect(rest.map((p) => [p.payload.toString(), p.dup])).toEqual([
      ['two', false],
      ['three', false],
    ]);
    for (const p of [redelivered, ...rest]) again.client.send({ cmd: 'puback', messageId: p.messageId! });
    // The subscription survived: new events still arrive.
    await wamp.publish('alerts.smoke', ['four'], {}, { acknowledge: true });
    expect(((await again.client.next('publish')) as unknown as PublishPacket).payload.toString()).toBe('four');
  });

  it('starts afresh with clean session / clean start', async () => {
    router = await startMqttRouter();
    const wamp = await wampSession(router);
    const first = await RawMqtt.connect(router.mqttPort, version, { clientId: 'c1', ...persistent });
    await first.client.subscribe([{ topic: 'x', qos: 1 }]);
    first.client.send({ cmd: 'disconnect' });
    await first.client.waitClosed();
    await wamp.publish('x', ['missed'], {}, { acknowledge: true });
    const again = await RawMqtt.connect(router.mqttPort, version, { clientId: 'c1', clean: true });
    expect(again.connack).toMatchObject({ sessionPresent: false });
    await wamp.publish('x', ['not subscribed'], {}, { acknowledge: true });
    await sleep(100);
    expect(publishes(again.client)).toEqual([]);
  });

  it('takes over a connected client with the same client id', async () => {
    router = await startMqttRouter();
    const old = await RawMqtt.connect(router.mqttPort, version, { clientId: 'same' });
    const fresh = await RawMqtt.connect(router.mqttPort, version, { clientId: 'same' });
    expect(fresh.connack.cmd).toBe('connack');
    if (version === 5) expect(await old.client.next('disconnect')).toMatchObject({ reasonCode: ReasonCode.SESSION_TAKEN_OVER });
    await old.client.waitClosed();
    expect(fresh.client.isClosed).toBe(false);
  });

  it('drops a client silent for 1.5 × its keepalive', async () => {
    router = await startMqttRouter();
    const { client } = await RawMqtt.connect(router.mqttPort, version, { keepalive: 1 });
    const started = Date.now();
    client.send({ cmd: 'pingreq' });
    expect((await client.next('pingresp')).cmd).toBe('pingresp');
    await client.waitClosed(4000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    if (version === 5) expect(client.packets.at(-1)).toMatchObject({ cmd: 'disconnect', reasonCode: ReasonCode.KEEP_ALIVE_TIMEOUT });
  });

  it('checks user name and password against the realm’s ticket users; anonymous only when the realm allows it', async () => {
    router = await startMqttRouter({ realms: [SECURE_REALM] });
    const wrong = await RawMqtt.connect(router.mqttPort, version, { username: 'sensor', password: Buffer.from('nope') });
    expect(wrong.connack).toMatchObject(version === 5 ? { reasonCode: ReasonCode.BAD_USER_NAME_OR_PASSWORD } : { returnCode: 4 });
    await wrong.client.waitClosed();
    const unknown = await RawMqtt.connect(router.mqttPort, version, { username: 'nobody', password: Buffer.from('x') });
    expect(unknown.connack).toMatchObject(version === 5 ? { reasonCode: ReasonCode.BAD_USER_NAME_OR_PASSWORD } : { returnCode: 4 });
    const anonymous = await RawMqtt.connect(router.mqttPort, version);
    expect(anonymous.connack).toMatchObject(version === 5 ? { reasonCode: ReasonCode.NOT_AUTHORIZED } : { returnCode: 5 });
    const good = await RawMqtt.connect(router.mqttPort, version, { clientId: 'porch', username: 'sensor', password: Buffer.from('s3cret') });
    expect(good.connack).toMatchObject(version === 5 ? { reasonCode: 0 } : { returnCode: 0 });
    // The same client id, persistent, cannot be resumed by another user.
    good.client.send({ cmd: 'disconnect' });
    const persisted = await RawMqtt.connect(router.mqttPort, version, { clientId: 'kept', username: 'sensor', password: Buffer.from('s3cret'), ...persistent });
    persisted.client.socket.destroy();
    await sleep(50);
    const thief = await RawMqtt.connect(router.mqttPort, version, { clientId: 'kept', username: 'ui', password: Buffer.from('ui-pass'), clean: false });
    expect(thief.connack).toMatchObject(version === 5 ? { reasonCode: ReasonCode.CLIENT_IDENTIFIER_NOT_VALID } : { returnCode: 2 });
  });

  it("applies the realm's role rules to MQTT subscriptions and publishes", async () => {
    const logger = captureLogger();
    router = await startMqttRouter({ realms: [SECURE_REALM], logger });
    const ui = await wampSession(router, { authid: 'ui', ticket: 'ui-pass' });
    const seen = await collect(ui, '', { match: 'prefix' });
    const { client } = await RawMqtt.connect(router.mqttPort, version, { username: 'sensor', password: Buffer.from('s3cret') });
    const codes = await client.subscribe([{ topic: 'devices/porch/#', qos: 1 }, { topic: 'devices/kitchen/temp', qos: 0 }]);
    expect(codes).toEqual([1, version === 5 ? ReasonCode.NOT_AUTHORIZED : 0x80]);
    client.publish('devices/kitchen/temp', '1', { qos: 1, messageId: 5 });
    const puback = await client.next('puback');
    // 3.1.1 has no way to refuse: positive acknowledgement, message dropped (section 3.3.5).
    expect(puback).toMatchObject(version === 5 ? { messageId: 5, reasonCode: ReasonCode.NOT_AUTHORIZED } : { messageId: 5 });
    client.publish('devices/kitchen/temp', '2');
    client.publish('devices/porch/temp', '3', { qos: 1, messageId: 6 });
    expect(await client.next('puback')).toMatchObject({ messageId: 6 });
    await seen.next(1);
    await sleep(100);
    expect(seen.events.filter((e) => e.topic.startsWith('devices.')).map((e) => [e.topic, e.args])).toEqual([['devices.porch.temp', [3]]]);
    expect(logger.lines.some((l) => l.level === 'warn' && l.message === 'MQTT publish refused' && l.fields['topic'] === 'devices/kitchen/temp')).toBe(true);
    // A will on a topic the role may not publish to is refused at CONNECT.
    const denied = await RawMqtt.connect(router.mqttPort, version, {
      username: 'sensor',
      password: Buffer.from('s3cret'),
      will: { topic: 'elsewhere', payload: Buffer.from('x'), qos: 0, retain: false },
    });
    expect(denied.connack).toMatchObject(version === 5 ? { reasonCode: ReasonCode.NOT_AUTHORIZED } : { returnCode: 5 });
  });

  it('keeps at most inflight_window QoS 1 messages unacknowledged, and max_queued_messages waiting', async () => {
    router = await startMqttRouter({ mqtt: { inflight_window: 2, max_queued_messages: 3 } });
    const wamp = await wampSession(router);
    const { client } = await RawMqtt.connect(router.mqttPort, version, { clientId: 'slow' });
    await client.subscribe([{ topic: 'n', qos: 1 }]);
    for (let i = 1; i <= 8; i++) await wamp.publish('n', [i], {}, { acknowledge: true });
    // Each step waits for what must come, then a moment more for what must not.
    await until(() => publishes(client).length >= 2, 3000, 'the first two');
    await sleep(100);
    expect(publishes(client).map((p) => p.payload.toString())).toEqual(['1', '2']);
    for (const p of publishes(client)) client.send({ cmd: 'puback', messageId: p.messageId! });
    await until(() => publishes(client).length >= 4, 3000, 'two more after the acks');
    await sleep(100);
    const next = publishes(client).slice(2);
    expect(next.map((p) => p.payload.toString())).toEqual(['3', '4']);
    for (const p of next) client.send({ cmd: 'puback', messageId: p.messageId! });
    await until(() => publishes(client).length >= 5, 3000, 'the last queued one');
    await sleep(100);
    // 6, 7 and 8 did not fit in the queue (3 waiting after 2 in flight): dropped.
    expect(publishes(client).slice(4).map((p) => p.payload.toString())).toEqual(['5']);
  });

  it('closes a connection whose packet exceeds max_packet_size, others unaffected', async () => {
    router = await startMqttRouter({ mqtt: { max_packet_size: 256 } });
    const wamp = await wampSession(router);
    const events = await collect(wamp, 'size');
    const { client: big } = await RawMqtt.connect(router.mqttPort, version);
    const { client: small } = await RawMqtt.connect(router.mqttPort, version);
    big.publish('size', 'x'.repeat(300));
    await big.waitClosed();
    if (version === 5) expect(big.packets.at(-1)).toMatchObject({ cmd: 'disconnect', reasonCode: ReasonCode.PACKET_TOO_LARGE });
    small.publish('size', '"fits"');
    expect((await events.next(1))[0]!.args).toEqual(['fits']);
  });
});

describe('MQTT gateway limits', () => {
  it("disconnects an MQTT subscriber that does not read as a slow consumer (the router's max_queue_bytes)", async () => {
    const logger = captureLogger();
    router = await startMqttRouter({ limits: { max_queue_bytes: 65536 }, logger });
    const wamp = await wampSession(router);
    const { client } = await RawMqtt.connect(router.mqttPort, 5);
    await client.subscribe([{ topic: 'flood', qos: 0 }]);
    const { client: healthy } = await RawMqtt.connect(router.mqttPort, 5);
    await healthy.subscribe([{ topic: 'flood', qos: 0 }]);
    client.socket.pause();
    const chunk = 'x'.repeat(60_000);
    for (let i = 0; i < 400 && !client.isClosed; i++) {
      await wamp.publish('flood', [chunk], {}, { acknowledge: true });
      if (i % 20 === 19) await sleep(5);
    }
    client.socket.resume();
    await client.waitClosed(5000);
    expect(logger.lines.some((l) => l.message === 'slow consumer disconnected')).toBe(true);
    expect(healthy.isClosed).toBe(false);
  });

  it("does not send a 5.0 client a message larger than its Maximum Packet Size, and keeps the QoS 1 window moving", async () => {
    router = await startMqttRouter({ mqtt: { inflight_window: 1 } });
    const wamp = await wampSession(router);
    const { client } = await RawMqtt.connect(router.mqttPort, 5, { properties: { maximumPacketSize: 200 } });
    await client.subscribe([{ topic: 'sized', qos: 1 }]);
    await wamp.publish('sized', ['x'.repeat(500)], {}, { acknowledge: true });
    await wamp.publish('sized', ['small'], {}, { acknowledge: true });
    const got = (await client.next('publish')) as unknown as PublishPacket;
    expect(got.payload.toString()).toBe('small');
  });
});

describe('MQTT sessions, 3.1.1 only', () => {
  it('refuses an empty client id without clean session (identifier rejected)', async () => {
    router = await startMqttRouter();
    const client = await RawMqtt.open(router.mqttPort, 4);
    // CONNECT "MQTT" level 4, flags 0 (clean session 0), keepalive 0, client id "" (mqtt-packet will not write it).
    client.sendBytes([0x10, 12, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 0, 0, 0, 0, 0]);
    expect(await client.next('connack')).toMatchObject({ returnCode: 2 });
    await client.waitClosed();
  });
});

describe('MQTT sessions, 5.0 only', () => {
  it('assigns a client id and announces its limits in CONNACK', async () => {
    router = await startMqttRouter({ mqtt: { inflight_window: 7, max_packet_size: 4096 } });
    const { connack } = await RawMqtt.connect(router.mqttPort, 5, { clientId: '' });
    expect(connack).toMatchObject({
      reasonCode: 0,
      properties: { receiveMaximum: 7, maximumPacketSize: 4096, subscriptionIdentifiersAvailable: false, sharedSubscriptionAvailable: false },
    });
    expect((connack as { properties: { assignedClientIdentifier: string } }).properties.assignedClientIdentifier).toMatch(/^auto-/);
  });

  it('ends a session when its expiry interval passes', async () => {
    router = await startMqttRouter();
    const first = await RawMqtt.connect(router.mqttPort, 5, { clientId: 'brief', clean: false, properties: { sessionExpiryInterval: 1 } });
    await first.client.subscribe([{ topic: 't', qos: 1 }]);
    first.client.send({ cmd: 'disconnect' });
    await first.client.waitClosed();
    const sessions = router.running.router.sessionCount;
    await sleep(1300);
    expect(router.running.router.sessionCount).toBe(sessions - 1);
    const again = await RawMqtt.connect(router.mqttPort, 5, { clientId: 'brief', clean: false });
    expect(again.connack).toMatchObject({ sessionPresent: false });
  });
});

import mqttPacket from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/common/logger.js';
import { listenMqtt } from '../../src/mqtt/index.js';
import { parseRouterConfig } from '../../src/router/config.js';
import { createRouter } from '../../src/router/serve.js';
import { closeAll, collect, onCleanup, RawMqtt, startMqttRouter, wampSession, type MqttRouter } from './helpers.js';

let router: MqttRouter | undefined;

afterEach(async () => {
  await closeAll();
  await router?.close();
  router = undefined;
});

const connect = (version: 4 | 5 = 4) =>
  mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: version, clean: true, clientId: 'x', keepalive: 0 }, { protocolVersion: version });

/** A PUBLISH to `a/bc` whose topic holds a lone UTF-8 lead byte. */
function invalidUtf8Publish(): Buffer {
  const bytes = Buffer.from(mqttPacket.generate({ cmd: 'publish', topic: 'a/bc', payload: 'x', qos: 0, retain: false, dup: false }));
  bytes[bytes.indexOf('bc')] = 0xc3;
  return bytes;
}

const BAD_INPUTS: Array<[string, (port: number) => Promise<RawMqtt>]> = [
  [
    'garbage',
    async (port) => {
      const client = await RawMqtt.open(port);
      client.sendBytes(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
      return client;
    },
  ],
  [
    'a remaining length over the limit',
    async (port) => {
      const { client } = await RawMqtt.connect(port);
      client.sendBytes([0x30, 0xff, 0xff, 0xff, 0x7f]);
      return client;
    },
  ],
  [
    'a remaining length over the limit, before CONNECT',
    async (port) => {
      const client = await RawMqtt.open(port);
      client.sendBytes([0x10, 0xff, 0xff, 0xff, 0x7f, 0, 0]);
      return client;
    },
  ],
  [
    'SUBSCRIBE before CONNECT',
    async (port) => {
      const client = await RawMqtt.open(port);
      client.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a', qos: 0 }] });
      return client;
    },
  ],
  [
    'a second CONNECT',
    async (port) => {
      const { client } = await RawMqtt.connect(port);
      client.sendBytes(connect());
      return client;
    },
  ],
  [
    'invalid UTF-8 in a topic',
    async (port) => {
      const { client } = await RawMqtt.connect(port);
      client.sendBytes(invalidUtf8Publish());
      return client;
    },
  ],
  [
    'a reserved packet type (0)',
    async (port) => {
      const { client } = await RawMqtt.connect(port);
      client.sendBytes([0x00, 0x00]);
      return client;
    },
  ],
  [
    'a PUBLISH with both QoS bits set',
    async (port) => {
      const { client } = await RawMqtt.connect(port);
      client.sendBytes([0x36, 0x05, 0x00, 0x01, 0x61, 0x00, 0x01]);
      return client;
    },
  ],
  [
    'a truncated CONNECT',
    async (port) => {
      const client = await RawMqtt.open(port);
      client.sendBytes([0x10, 0x03, 0x00, 0x04, 0x4d]);
      return client;
    },
  ],
];

describe('bad MQTT input closes that connection only', () => {
  it.each(BAD_INPUTS)('%s', async (_name, send) => {
    router = await startMqttRouter({ mqtt: { max_packet_size: 1024 } });
    const wamp = await wampSession(router);
    const events = await collect(wamp, 'still.fine');
    const { client: bystander } = await RawMqtt.connect(router.mqttPort, 5);
    await bystander.subscribe([{ topic: 'still/#', qos: 1 }]);

    const bad = await send(router.mqttPort);
    await bad.waitClosed();
    expect(bad.packets.filter((p) => p.cmd === 'connack' && (p as { returnCode?: number }).returnCode === 0).length).toBeLessThanOrEqual(1);

    // The router, the WAMP session and the other MQTT client are unaffected.
    bystander.publish('still/fine', '1', { qos: 1, messageId: 9 });
    expect(await bystander.next('puback')).toMatchObject({ messageId: 9 });
    expect((await events.next(1))[0]!.args).toEqual([1]);
    expect(await bystander.next('publish')).toMatchObject({ topic: 'still/fine' });
    const { connack } = await RawMqtt.connect(router.mqttPort);
    expect(connack).toMatchObject({ returnCode: 0 });
  });

  it('answers an unknown protocol level with CONNACK 1 (unacceptable protocol version)', async () => {
    router = await startMqttRouter();
    const client = await RawMqtt.open(router.mqttPort);
    const bytes = Buffer.from(connect());
    bytes[8] = 6; // protocol level
    client.sendBytes(bytes);
    expect(await client.next('connack')).toMatchObject({ returnCode: 1 });
    await client.waitClosed();
  });

  it('drops a client that sends no CONNECT within the handshake time', async () => {
    const config = parseRouterConfig('realms: [ { name: home, anonymous: { role: anonymous } } ]\n', 'r.yaml', {}).config!;
    const bare = createRouter(config);
    const listener = await listenMqtt(
      { host: '127.0.0.1', port: 0 },
      { router: bare, realm: 'home', payload: 'json', maxPacketSize: 1024, maxConnections: 10, logger: silentLogger, handshakeTimeoutMs: 200 },
    );
    onCleanup(() => listener.close());
    const address = listener.address();
    const client = await RawMqtt.open('port' in address ? address.port : 0);
    const started = Date.now();
    await client.waitClosed(3000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });
});

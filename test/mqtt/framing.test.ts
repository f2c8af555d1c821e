import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { PacketCodec } from '../../src/mqtt/codec.js';
import { MalformedPacketError, PacketTooLargeError } from '../../src/mqtt/errors.js';
import {
  eventFrameSerializer,
  frameIsRetained,
  framePacket,
  framePublicationId,
  frameSubscriptionId,
  packetTopic,
  setDup,
  withPacketId,
} from '../../src/mqtt/event-frames.js';
import { PacketFramer } from '../../src/mqtt/framing.js';
import { OutboundQueue } from '../../src/mqtt/inflight.js';
import { payloadMapping } from '../../src/mqtt/payload.js';
import { MessageType } from '../../src/protocol/message-type.js';

const publish = (topic: string, payload: string, version: 4 | 5 = 4) =>
  mqttPacket.generate({ cmd: 'publish', topic, payload, qos: 0, retain: false, dup: false }, { protocolVersion: version });

const payloadOf = (packet: mqttPacket.Packet | undefined) => String((packet as { payload: Buffer }).payload);

function parse(bytes: Buffer, version: 4 | 5) {
  const parser = mqttPacket.parser({ protocolVersion: version });
  const out: mqttPacket.Packet[] = [];
  parser.on('packet', (p: mqttPacket.Packet) => out.push(p));
  parser.parse(bytes);
  return out;
}

describe('PacketFramer', () => {
  it('cuts a stream into packets across chunk boundaries', () => {
    const packets: Buffer[] = [];
    const framer = new PacketFramer(1000, (p) => packets.push(Buffer.from(p)));
    const stream = Buffer.concat([publish('a/b', 'x'.repeat(200)), publish('c', 'y'), Buffer.from([0xc0, 0x00])]);
    for (let i = 0; i < stream.length; i += 7) framer.push(stream.subarray(i, i + 7));
    expect(packets.map((p) => p.length)).toEqual([publish('a/b', 'x'.repeat(200)).length, publish('c', 'y').length, 2]);
  });

  it('refuses a packet over the limit as soon as its remaining length is known', () => {
    const framer = new PacketFramer(100, () => undefined);
    // PUBLISH, remaining length 268,435,455 (ff ff ff 7f), and no body.
    expect(() => framer.push(Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f]))).toThrow(PacketTooLargeError);
    expect(() => new PacketFramer(100, () => undefined).push(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]))).toThrow(MalformedPacketError);
  });
});

describe('PacketCodec', () => {
  it('refuses a topic that is not well-formed UTF-8, accepts a real U+FFFD', () => {
    const codec = new PacketCodec();
    const good = publish('a/\uFFFD', 'x');
    expect(codec.decode(good)).toMatchObject({ cmd: 'publish', topic: 'a/\uFFFD' });
    const bad = Buffer.from(publish('a/bc', 'x'));
    bad[bad.indexOf('bc')] = 0xc3; // a lone lead byte
    expect(() => codec.decode(bad)).toThrow(MalformedPacketError);
  });

  it('refuses a SUBSCRIBE whose filter is not UTF-8', () => {
    const codec = new PacketCodec();
    const bytes = Buffer.from(mqttPacket.generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a/zz', qos: 0 }] }));
    bytes[bytes.indexOf('zz')] = 0xff;
    expect(() => codec.decode(bytes)).toThrow(MalformedPacketError);
  });
});

describe('event frames', () => {
  it('turns an EVENT into the PUBLISH packet of each protocol version, once', () => {
    for (const version of [4, 5] as const) {
      const serializer = eventFrameSerializer(version, payloadMapping('json'));
      const frame = Buffer.from(serializer.encode([MessageType.EVENT, 7, 99, { topic: 'a.b' }, [21.5]]));
      expect(frameSubscriptionId(frame)).toBe(7);
      expect(framePublicationId(frame)).toBe(99);
      expect(frameIsRetained(frame)).toBe(false);
      const packet = framePacket(frame);
      expect(packetTopic(packet)).toBe('a/b');
      expect(parse(packet, version)[0]).toMatchObject({ cmd: 'publish', topic: 'a/b', qos: 0, retain: false });
      expect(payloadOf(parse(packet, version)[0])).toBe('21.5');
      const qos1 = withPacketId(packet, 513);
      setDup(qos1);
      expect(parse(qos1, version)[0]).toMatchObject({ cmd: 'publish', topic: 'a/b', qos: 1, dup: true, messageId: 513 });
      expect(payloadOf(parse(qos1, version)[0])).toBe('21.5');
    }
  });

  it('marks retained events, and has nothing for a cleared retained message or an unmappable topic', () => {
    const serializer = eventFrameSerializer(4, payloadMapping('json'));
    const retained = Buffer.from(serializer.encode([MessageType.EVENT, 1, 2, { topic: 'a', retained: true }, ['x']]));
    expect(frameIsRetained(retained)).toBe(true);
    expect(parse(framePacket(retained), 4)[0]).toMatchObject({ retain: true });
    expect(serializer.encode([MessageType.EVENT, 1, 2, { topic: 'a', retained: true }]).length).toBe(0);
    expect(serializer.encode([MessageType.EVENT, 1, 2, { topic: 'a/b' }, ['x']]).length).toBe(0);
  });
});

describe('OutboundQueue (QoS 1 in flight)', () => {
  const packet = (n: number) => framePacket(Buffer.from(eventFrameSerializer(4, payloadMapping('json')).encode([MessageType.EVENT, 1, n, { topic: 't' }, [n]])));

  it('keeps at most `window` in flight, queues the rest up to its bound, and drops beyond', () => {
    const queue = new OutboundQueue(2, 3);
    expect(queue.push(packet(1), true)).toBeDefined();
    expect(queue.push(packet(2), true)).toBeDefined();
    expect(queue.push(packet(3), true)).toBeUndefined();
    queue.push(packet(4), true);
    queue.push(packet(5), true);
    queue.push(packet(6), true);
    expect(queue.waitingCount).toBe(3);
    expect(queue.takeDropped()).toBe(1);
    expect(queue.ack(1)).toBe(true);
    expect(queue.ack(1)).toBe(false);
    const next = queue.drain();
    expect(next.map((p) => payloadOf(parse(p, 4)[0]))).toEqual(['3']);
    expect(queue.inflightCount).toBe(2);
  });

  it('redelivers what is in flight with DUP after a reconnect, then what waited', () => {
    const queue = new OutboundQueue(1, 10);
    queue.push(packet(1), false);
    queue.push(packet(2), false);
    expect(queue.redeliver()).toEqual([]);
    const first = queue.drain();
    expect(first.length).toBe(1);
    const again = queue.redeliver().map((p) => parse(p, 4)[0]!);
    expect(again).toMatchObject([{ dup: true, qos: 1 }]);
    expect(queue.ack((again[0] as { messageId: number }).messageId)).toBe(true);
    expect(queue.drain().map((p) => payloadOf(parse(p, 4)[0]))).toEqual(['2']);
  });
});

import { describe, expect, it } from 'vitest';
import { PayloadSizeExceededError } from '../../src/protocol/errors.js';
import { MessageType } from '../../src/protocol/message-type.js';
import type { WampMessage } from '../../src/protocol/messages.js';
import { ALL_SERIALIZERS, cborSerializer, jsonSerializer } from '../../src/protocol/serializers/index.js';
import { linkedPair } from '../../src/transport/local.js';
import { Recorder } from './recorder.js';

const publish = (n: number): WampMessage => [MessageType.PUBLISH, n, {}, 'home.counter', [n]];
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe('linkedPair', () => {
  it('delivers asynchronously and in order', async () => {
    const [a, b] = linkedPair();
    const receiver = new Recorder(b);
    a.send(publish(1));
    a.send(publish(2));
    expect(receiver.messages).toEqual([]);
    await tick();
    expect(receiver.messages).toEqual([publish(1), publish(2)]);
  });

  it('passes the message array itself without a serializer', async () => {
    const [a, b] = linkedPair();
    const receiver = new Recorder(b);
    const message = publish(1);
    a.send(message);
    expect(await receiver.message(0)).toBe(message);
    expect(a.passThrough).toBe(true);
    expect(a.info).toEqual({ kind: 'local', peer: 'local', serializer: 'json' });
  });

  it.each(ALL_SERIALIZERS.map((s) => [s.name, s] as const))(
    'encodes and decodes through %s when given one',
    async (_name, serializer) => {
      const [a, b] = linkedPair(serializer);
      expect(b.serializer).toBe(serializer);
      const receiver = new Recorder(b);
      const message: WampMessage = [MessageType.CALL, 2 ** 53, {}, 'a.b', ['x', -1.5], { nested: [true, null] }];
      a.send(message);
      const got = await receiver.message(0);
      expect(got).toEqual(message);
      expect(got).not.toBe(message);
    },
  );

  it('decodes sendEncoded bytes with the nominal JSON serializer in pass-through mode', async () => {
    const [a, b] = linkedPair();
    const receiver = new Recorder(b);
    a.sendEncoded(jsonSerializer.encode(publish(5)));
    expect(await receiver.message(0)).toEqual(publish(5));
  });

  it('queues messages that arrive before attach', async () => {
    const [a, b] = linkedPair(cborSerializer);
    a.send(publish(1));
    a.close('wamp.close.normal');
    await tick();
    const receiver = new Recorder(b);
    expect(receiver.messages).toEqual([publish(1)]);
    expect(receiver.closes).toEqual([{ reason: 'wamp.close.normal', local: false }]);
  });

  it('closes the other side after delivering what was sent, each reporting once', async () => {
    const [a, b] = linkedPair();
    const left = new Recorder(a);
    const right = new Recorder(b);
    a.send(publish(1));
    a.close('wamp.close.goodbye_and_out');
    a.close('again');
    expect(a.isOpen).toBe(false);
    expect(await right.closed()).toEqual({ reason: 'wamp.close.goodbye_and_out', local: false });
    expect(await left.closed()).toEqual({ reason: 'wamp.close.goodbye_and_out', local: true });
    expect(right.messages).toEqual([publish(1)]);
    await tick();
    expect(left.closes).toHaveLength(1);
    expect(right.closes).toHaveLength(1);
  });

  it('ignores sends on a closed transport', async () => {
    const [a, b] = linkedPair();
    const right = new Recorder(b);
    b.close();
    await right.closed();
    await tick();
    a.send(publish(1));
    b.send(publish(2));
    await tick();
    expect(right.messages).toEqual([]);
  });

  it('throws PayloadSizeExceededError for a message above the limit and sends nothing', async () => {
    const [a, b] = linkedPair(cborSerializer, { maxMessageSize: 64 });
    const receiver = new Recorder(b);
    const big: WampMessage = [MessageType.PUBLISH, 1, {}, 'a.b', ['x'.repeat(100)]];
    expect(() => a.send(big)).toThrow(PayloadSizeExceededError);
    expect(a.isOpen).toBe(true);
    await tick();
    expect(receiver.messages).toEqual([]);
  });

  it('reports an invalid message as a protocol error and stays open', async () => {
    const [a, b] = linkedPair();
    const receiver = new Recorder(b);
    a.send([999, 'nonsense'] as unknown as WampMessage);
    const error = await receiver.protocolError();
    expect(error.uri).toBe('wamp.error.protocol_violation');
    expect(b.isOpen).toBe(true);
  });

  it('reports undecodable bytes as a protocol error', async () => {
    const [a, b] = linkedPair(jsonSerializer);
    const receiver = new Recorder(b);
    a.sendEncoded(new TextEncoder().encode('[1, "home", {'));
    expect((await receiver.protocolError()).message).toMatch(/undecodable json message/);
  });

  it('counts encoded bytes in flight as bufferedAmount', async () => {
    const [a, b] = linkedPair(cborSerializer);
    new Recorder(b);
    const bytes = cborSerializer.encode(publish(1));
    a.sendEncoded(bytes);
    a.sendEncoded(bytes);
    expect(a.bufferedAmount).toBe(2 * bytes.length);
    await tick();
    expect(a.bufferedAmount).toBe(0);
  });

  it('parses both ends with the given parse options (lenient ids as numbers) and strictly without', async () => {
    // Ids as decimal strings, the way fox-wamp sends them.
    const welcome = [MessageType.WELCOME, '12345', {}] as unknown as WampMessage;
    const published = [MessageType.PUBLISHED, '7', '8'] as unknown as WampMessage;
    const [a, b] = linkedPair(jsonSerializer, { parse: { lenientIds: true } });
    const left = new Recorder(a);
    const right = new Recorder(b);
    a.send(welcome);
    b.send(published);
    expect(await right.message(0)).toEqual([MessageType.WELCOME, 12345, {}]);
    expect(await left.message(0)).toEqual([MessageType.PUBLISHED, 7, 8]);

    const [strictA, strictB] = linkedPair(jsonSerializer);
    const strict = new Recorder(strictB);
    strictA.send(welcome);
    expect((await strict.protocolError()).message).toMatch(/WELCOME/);
    expect(strict.messages).toEqual([]);
  });

  it('refuses a second attach', () => {
    const [a] = linkedPair();
    new Recorder(a);
    expect(() => new Recorder(a)).toThrow(/already attached/);
  });
});

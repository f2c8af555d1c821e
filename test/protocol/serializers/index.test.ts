import { describe, expect, it } from 'vitest';
import {
  ALL_SERIALIZERS,
  SUBPROTOCOLS,
  cborSerializer,
  jsonSerializer,
  msgpackSerializer,
  serializerByName,
  serializerByRawSocketId,
  serializerBySubprotocol,
} from '../../../src/protocol/serializers/index.js';

describe('serializers index', () => {
  it('lists every serializer, binary ones first', () => {
    expect(ALL_SERIALIZERS).toStrictEqual([cborSerializer, msgpackSerializer, jsonSerializer]);
    expect(SUBPROTOCOLS).toStrictEqual(['wamp.2.cbor', 'wamp.2.msgpack', 'wamp.2.json']);
  });

  it('finds a serializer by name', () => {
    expect(serializerByName('json')).toBe(jsonSerializer);
    expect(serializerByName('msgpack')).toBe(msgpackSerializer);
    expect(serializerByName('cbor')).toBe(cborSerializer);
    expect(serializerByName('ubjson')).toBeUndefined();
  });

  it('finds a serializer by WebSocket subprotocol', () => {
    expect(serializerBySubprotocol('wamp.2.json')).toBe(jsonSerializer);
    expect(serializerBySubprotocol('wamp.2.msgpack')).toBe(msgpackSerializer);
    expect(serializerBySubprotocol('wamp.2.cbor')).toBe(cborSerializer);
    expect(serializerBySubprotocol('wamp.2.json.batched')).toBeUndefined();
    expect(serializerBySubprotocol('wamp')).toBeUndefined();
  });

  it('finds a serializer by RawSocket id', () => {
    expect(serializerByRawSocketId(1)).toBe(jsonSerializer);
    expect(serializerByRawSocketId(2)).toBe(msgpackSerializer);
    expect(serializerByRawSocketId(3)).toBe(cborSerializer);
    expect(serializerByRawSocketId(0)).toBeUndefined();
    expect(serializerByRawSocketId(4)).toBeUndefined();
  });
});

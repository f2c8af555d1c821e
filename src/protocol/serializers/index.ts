import { cborSerializer } from './cbor.js';
import { jsonSerializer } from './json.js';
import { msgpackSerializer } from './msgpack.js';
import type { Serializer } from './serializer.js';

export type { Serializer, SerializerName } from './serializer.js';
export { cborSerializer, jsonSerializer, msgpackSerializer };

/** Every serializer we speak, most preferred first (compact binary before JSON). */
export const ALL_SERIALIZERS: readonly Serializer[] = [cborSerializer, msgpackSerializer, jsonSerializer];

/** WebSocket subprotocols in the same order: `wamp.2.cbor`, `wamp.2.msgpack`, `wamp.2.json`. */
export const SUBPROTOCOLS: readonly string[] = ALL_SERIALIZERS.map((s) => s.subprotocol);

/** `json`, `msgpack` or `cbor`; undefined for anything else. */
export function serializerByName(name: string): Serializer | undefined {
  return ALL_SERIALIZERS.find((s) => s.name === name);
}

/** By WebSocket subprotocol, e.g. `wamp.2.cbor`; undefined when unknown (or batched). */
export function serializerBySubprotocol(protocol: string): Serializer | undefined {
  return ALL_SERIALIZERS.find((s) => s.subprotocol === protocol);
}

/** By RawSocket serializer id (1 JSON, 2 MessagePack, 3 CBOR); undefined when unknown. */
export function serializerByRawSocketId(id: number): Serializer | undefined {
  return ALL_SERIALIZERS.find((s) => s.rawSocketId === id);
}

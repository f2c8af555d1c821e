import type { WampMessage } from '../messages.js';

export type SerializerName = 'json' | 'msgpack' | 'cbor';

/**
 * Turns WAMP messages into bytes and back. Pure and browser-safe (no node:* imports).
 * `decode` returns the raw decoded value; validation is parseMessage's job.
 */
export interface Serializer {
  readonly name: SerializerName;
  /** WebSocket subprotocol, e.g. `wamp.2.cbor`. */
  readonly subprotocol: string;
  /** RawSocket serializer id: 1 JSON, 2 MessagePack, 3 CBOR. */
  readonly rawSocketId: number;
  /** Whether WebSocket carries it in binary frames (JSON uses text frames). */
  readonly binary: boolean;
  /** Encodes a message. Ids are always encoded as integers, never floats. */
  encode(message: WampMessage | unknown[]): Uint8Array;
  /** Decodes one message; throws on malformed input. JSON accepts a string or UTF-8 bytes. */
  decode(data: Uint8Array | string): unknown;
}

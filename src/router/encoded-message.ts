import type { WampMessage } from '../protocol/messages.js';
import type { Serializer } from '../protocol/serializers/serializer.js';

/**
 * A message serialized at most once per serializer: an EVENT fanned out to many subscribers is
 * encoded once and the same bytes are written to every subscriber using that serializer.
 */
export class EncodedMessage {
  readonly message: WampMessage;
  // Three serializers at most: a tiny array beats a Map here.
  readonly #serializers: Serializer[] = [];
  readonly #bytes: Uint8Array[] = [];

  constructor(message: WampMessage) {
    this.message = message;
  }

  bytesFor(serializer: Serializer): Uint8Array {
    const i = this.#serializers.indexOf(serializer);
    if (i >= 0) return this.#bytes[i]!;
    const bytes = serializer.encode(this.message);
    this.#serializers.push(serializer);
    this.#bytes.push(bytes);
    return bytes;
  }
}

/**
 * Errors of the RawSocket layer. Each carries a stable string `code`; a refused handshake also
 * carries the wire error code (1-4) the router sent.
 */
export type RawSocketErrorCode =
  | 'RAWSOCKET_BAD_MAGIC'
  | 'RAWSOCKET_RESERVED_BITS'
  | 'RAWSOCKET_RESERVED_FRAME_TYPE'
  | 'RAWSOCKET_FRAME_TOO_LARGE'
  | 'RAWSOCKET_HANDSHAKE_REFUSED'
  | 'RAWSOCKET_HANDSHAKE_FAILED'
  | 'RAWSOCKET_SERIALIZER_MISMATCH'
  | 'RAWSOCKET_TIMEOUT'
  | 'RAWSOCKET_CLOSED';

export class RawSocketError extends Error {
  readonly code: RawSocketErrorCode;

  constructor(code: RawSocketErrorCode, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The router answered the handshake with `7F E0 00 00`: `handshakeCode` is E (1-15). */
export class RawSocketHandshakeError extends RawSocketError {
  readonly handshakeCode: number;

  constructor(handshakeCode: number, meaning: string) {
    super('RAWSOCKET_HANDSHAKE_REFUSED', `router refused the RawSocket handshake: ${meaning} (error ${handshakeCode})`);
    this.handshakeCode = handshakeCode;
  }
}

import type { Args, Dict } from './messages.js';
import { ErrorUri } from './uris.js';

/**
 * Base of every error that has a WAMP wire form. `uri` is what goes on the wire (ERROR.Error or
 * ABORT.Reason); `args`/`kwargs`/`details` carry the payload. `code` is a stable string for
 * programs (the URI itself for WAMP errors).
 */
export class WampError extends Error {
  readonly uri: string;
  readonly args: Args;
  readonly kwargs: Dict;
  readonly details: Dict;

  constructor(uri: string, args: Args = [], kwargs: Dict = {}, details: Dict = {}, message?: string) {
    super(message ?? describe(uri, args));
    this.name = new.target.name;
    this.uri = uri;
    this.args = args;
    this.kwargs = kwargs;
    this.details = details;
  }

  get code(): string {
    return this.uri;
  }
}

/** A peer broke the protocol: the session ends with ABORT `wamp.error.protocol_violation`. */
export class ProtocolError extends WampError {
  constructor(message: string) {
    super(ErrorUri.PROTOCOL_VIOLATION, [message], {}, {}, message);
  }
}

/** An error raised by application code (a callee) or returned by the router for a request. */
export class ApplicationError extends WampError {}

/** A message could not be sent because it is larger than the peer accepts. */
export class PayloadSizeExceededError extends WampError {
  constructor(size: number, limit: number) {
    const message = `message of ${size} bytes exceeds the peer's limit of ${limit} bytes`;
    super(ErrorUri.PAYLOAD_SIZE_EXCEEDED, [message], {}, {}, message);
  }
}

function describe(uri: string, args: Args): string {
  const first = args[0];
  return typeof first === 'string' ? `${uri}: ${first}` : uri;
}

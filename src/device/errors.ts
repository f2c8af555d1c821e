import { ApplicationError } from '../protocol/errors.js';
import { ErrorUri } from '../protocol/uris.js';

/**
 * Errors a device's procedures answer with: the caller gets the WAMP error URI and a readable
 * message in args[0].
 */

/** A value of the wrong type or out of range: `wamp.error.invalid_argument`. */
export class InvalidValueError extends ApplicationError {
  constructor(message: string) {
    super(ErrorUri.INVALID_ARGUMENT, [message], {}, {}, message);
  }
}

/** The actuator's hardware could not be reached (missing at start, or it refused the write). */
export class HardwareUnavailableError extends ApplicationError {
  static readonly URI = 'switchyard.error.hardware_unavailable';

  constructor(message: string) {
    super(HardwareUnavailableError.URI, [message], {}, {}, message);
  }
}

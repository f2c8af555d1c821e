import { WampError } from '../../../src/protocol/errors.js';
import type { AuthStep, ChallengeStep } from '../../../src/router/auth/authenticator.js';

/** The step as a challenge round; throws if the authenticator welcomed at once. */
export function challenge(step: AuthStep): ChallengeStep {
  if (step.kind !== 'challenge') throw new Error('expected a challenge');
  return step;
}

/** The WampError that `fn` throws; any other outcome fails the test. */
export function failure(fn: () => unknown): WampError {
  try {
    fn();
  } catch (err) {
    if (err instanceof WampError) return err;
    throw err;
  }
  throw new Error('expected a WampError');
}

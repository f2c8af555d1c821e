import { describe, expect, it } from 'vitest';
import { challenge, failure } from './auth-test-helpers.js';
import { WampError } from '../../../src/protocol/errors.js';
import type { AuthRequest, AuthStep, ChallengeStep } from '../../../src/router/auth/authenticator.js';
import { TicketAuthenticator } from '../../../src/router/auth/ticket.js';

const TICKET = 's3cr3t-ticket-value';
const auth = new TicketAuthenticator([
  { authid: 'alice', method: 'ticket', ticket: TICKET, role: 'operator' },
  { authid: 'bob', method: 'ticket', ticket: 'другой-билет', role: 'viewer' },
]);

function request(authid: string): AuthRequest {
  return { realm: 'realm1', sessionId: 7, authid, authmethods: ['ticket'], authextra: {} };
}

describe('TicketAuthenticator', () => {
  it('challenges with [4, "ticket", {}]', () => {
    const step = challenge(auth.start(request('alice')));
    expect(step.method).toBe('ticket');
    expect(step.extra).toEqual({});
  });

  it('welcomes the user whose ticket is sent back', () => {
    const identity = challenge(auth.start(request('alice'))).verify(TICKET, {});
    expect(identity).toEqual({ authid: 'alice', authrole: 'operator', authmethod: 'ticket', authprovider: 'static' });
  });

  it('compares non-ASCII tickets by their UTF-8 bytes', () => {
    expect(challenge(auth.start(request('bob'))).verify('другой-билет', {}).authrole).toBe('viewer');
  });

  it('fails a wrong, shorter, longer or empty ticket without echoing it', () => {
    for (const wrong of ['s3cr3t-ticket-valuE', 's3cr3t', `${TICKET}x`, '']) {
      const err = failure(() => challenge(auth.start(request('alice'))).verify(wrong, {}));
      expect(err.uri).toBe('wamp.error.authentication_failed');
      expect(err.message).not.toContain('s3cr3t');
      expect(JSON.stringify(err.args)).not.toContain('s3cr3t');
    }
  });

  it("fails another user's ticket", () => {
    const err = failure(() => challenge(auth.start(request('bob'))).verify(TICKET, {}));
    expect(err.uri).toBe('wamp.error.authentication_failed');
  });

  it('challenges an unknown authid the same way and fails it only at verify', () => {
    const step = challenge(auth.start(request('mallory')));
    expect(step.method).toBe('ticket');
    expect(step.extra).toEqual({});
    const unknown = failure(() => step.verify(TICKET, {}));
    const wrong = failure(() => challenge(auth.start(request('alice'))).verify('nope', {}));
    expect(unknown.uri).toBe('wamp.error.authentication_failed');
    expect(unknown.args).toEqual(wrong.args);
  });

  it('accepts one answer per challenge', () => {
    const step = challenge(auth.start(request('alice')));
    failure(() => step.verify('guess', {}));
    expect(failure(() => step.verify(TICKET, {})).uri).toBe('wamp.error.authentication_failed');
  });

  it('fails a signature that is not a string', () => {
    const step = challenge(auth.start(request('alice')));
    expect(failure(() => step.verify(123 as unknown as string, {})).uri).toBe('wamp.error.authentication_failed');
  });
});

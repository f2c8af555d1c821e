import { describe, expect, it } from 'vitest';
import {
  abortError,
  AbortedError,
  AuthenticationError,
  CanceledError,
  errorFromWire,
  isAuthenticationUri,
  SessionClosedError,
  TimeoutError,
} from '../../src/client/errors.js';
import { ApplicationError, WampError } from '../../src/protocol/errors.js';

describe('errors', () => {
  it('maps wamp.error.canceled and wamp.error.timeout to their classes, carrying the payload', () => {
    const canceled = errorFromWire('wamp.error.canceled', ['timeout reached'], { k: 1 }, { d: 2 });
    expect(canceled).toBeInstanceOf(CanceledError);
    expect(canceled).toBeInstanceOf(ApplicationError);
    expect(canceled).toMatchObject({ uri: 'wamp.error.canceled', args: ['timeout reached'], kwargs: { k: 1 }, details: { d: 2 } });
    expect(errorFromWire('wamp.error.timeout')).toBeInstanceOf(TimeoutError);
  });

  it('maps any other URI to a plain ApplicationError', () => {
    const error = errorFromWire('com.example.failed', ['why']);
    expect(error.constructor).toBe(ApplicationError);
    expect(error.message).toBe('com.example.failed: why');
    expect(error.code).toBe('com.example.failed');
  });

  it('gives local cancellations and timeouts the wire URIs', () => {
    expect(new CanceledError().uri).toBe('wamp.error.canceled');
    expect(new TimeoutError().uri).toBe('wamp.error.timeout');
  });

  it('carries the close reason, who ended the session and the cause', () => {
    const cause = new Error('socket reset');
    const error = new SessionClosedError('wamp.close.transport_lost', 'gone', { byPeer: true, cause });
    expect(error).toBeInstanceOf(WampError);
    expect(error).toMatchObject({ uri: 'wamp.close.transport_lost', reason: 'wamp.close.transport_lost', byPeer: true, args: ['gone'] });
    expect(error.cause).toBe(cause);
    expect(error.message).toBe('wamp.close.transport_lost: gone');
  });

  it('classifies an ABORT by stage and reason', () => {
    const hello = abortError('hello', 'wamp.error.no_such_realm', { message: 'no realm' });
    expect(hello).toBeInstanceOf(AbortedError);
    expect(hello).not.toBeInstanceOf(AuthenticationError);
    expect(hello.message).toBe('wamp.error.no_such_realm: no realm');
    expect(abortError('hello', 'wamp.error.authentication_denied', {})).toBeInstanceOf(AuthenticationError);
    expect(abortError('challenge', 'wamp.error.not_authorized', {})).toBeInstanceOf(AuthenticationError);
    expect(abortError('session', 'wamp.error.authentication_failed', {})).not.toBeInstanceOf(AuthenticationError);
    expect(abortError('session', 'wamp.close.killed', {})).toBeInstanceOf(SessionClosedError);
  });

  it('reports no_auth_method as the spec URI no_matching_auth_method', () => {
    expect(isAuthenticationUri('wamp.error.no_auth_method')).toBe(true);
    expect(new AuthenticationError('wamp.error.no_auth_method').uri).toBe('wamp.error.no_matching_auth_method');
  });
});

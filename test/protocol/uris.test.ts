import { describe, expect, it } from 'vitest';
import { CloseUri, ErrorUri, isReservedUri, isValidUri, matchPolicyOf } from '../../src/protocol/uris.js';

describe('isValidUri', () => {
  it.each([
    // uri, loose exact, strict exact, loose prefix, strict prefix, loose wildcard, strict wildcard
    ['com.myapp.topic_1', true, true, true, true, true, true],
    ['a', true, true, true, true, true, true],
    ['com.myapp.Topic-1', true, false, true, false, true, false],
    ['ünïcode.topic', true, false, true, false, true, false],
    ['com.myapp.', false, false, true, true, true, true],
    ['', false, false, true, true, true, true],
    ['com..topic', false, false, false, false, true, true],
    ['com..Topic', false, false, false, false, true, false],
    ['.com.myapp', false, false, false, false, true, true],
    ['..', false, false, false, false, true, true],
    ['com.my app', false, false, false, false, false, false],
    ['com.myapp.#', false, false, false, false, false, false],
    ['com\tmyapp', false, false, false, false, false, false],
    ['com.myapp.\n', false, false, false, false, false, false],
  ])('judges %j', (uri, looseExact, strictExact, loosePrefix, strictPrefix, looseWildcard, strictWildcard) => {
    expect(isValidUri(uri)).toBe(looseExact);
    expect(isValidUri(uri, 'loose', 'exact')).toBe(looseExact);
    expect(isValidUri(uri, 'strict', 'exact')).toBe(strictExact);
    expect(isValidUri(uri, 'loose', 'prefix')).toBe(loosePrefix);
    expect(isValidUri(uri, 'strict', 'prefix')).toBe(strictPrefix);
    expect(isValidUri(uri, 'loose', 'wildcard')).toBe(looseWildcard);
    expect(isValidUri(uri, 'strict', 'wildcard')).toBe(strictWildcard);
  });

  it('rejects values that are not strings', () => {
    for (const v of [null, undefined, 42, ['a'], { uri: 'a' }]) {
      expect(isValidUri(v as unknown as string)).toBe(false);
    }
  });

  it('accepts every reserved error and close URI, strictly', () => {
    for (const uri of [...Object.values(ErrorUri), ...Object.values(CloseUri)]) {
      expect(isValidUri(uri, 'strict')).toBe(true);
    }
  });
});

describe('isReservedUri', () => {
  it('recognises the wamp. namespace', () => {
    expect(isReservedUri('wamp.session.on_join')).toBe(true);
    expect(isReservedUri(ErrorUri.PROTOCOL_VIOLATION)).toBe(true);
    expect(isReservedUri('com.wamp.topic')).toBe(false);
    expect(isReservedUri('wampx.topic')).toBe(false);
  });
});

describe('matchPolicyOf', () => {
  it('reads an absent, null or undefined match as exact', () => {
    expect(matchPolicyOf(undefined)).toBe('exact');
    expect(matchPolicyOf(null)).toBe('exact');
    expect(matchPolicyOf('exact')).toBe('exact');
  });

  it('passes prefix and wildcard through and rejects anything else', () => {
    expect(matchPolicyOf('prefix')).toBe('prefix');
    expect(matchPolicyOf('wildcard')).toBe('wildcard');
    expect(matchPolicyOf('regex')).toBeUndefined();
    expect(matchPolicyOf(1)).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { ErrorUri } from '../../src/protocol/uris.js';
import { Registration, parseRegisterOptions, type InvokePolicy } from '../../src/router/registration.js';
import { createFakeSession } from '../helpers/fake-transport.js';
import { wampErrorOf } from './dealer-helpers.js';

function registration(invoke: InvokePolicy, random = Math.random): Registration {
  return new Registration({ id: 1, uri: 'com.app.x', match: 'exact', invoke, created: '', random });
}

describe('parseRegisterOptions', () => {
  it('defaults to exact matching, single invocation and no caller disclosure', () => {
    expect(parseRegisterOptions({})).toEqual({ match: 'exact', invoke: 'single', discloseCaller: false });
  });

  it('rejects unknown policies with invalid_argument', () => {
    wampErrorOf(() => parseRegisterOptions({ match: 'glob' }), ErrorUri.INVALID_ARGUMENT);
    wampErrorOf(() => parseRegisterOptions({ invoke: 'all' }), ErrorUri.INVALID_ARGUMENT);
    wampErrorOf(() => parseRegisterOptions({ disclose_caller: 1 }), ErrorUri.INVALID_ARGUMENT);
  });
});

describe('Registration', () => {
  it('picks nothing when no callee is attached', () => {
    expect(registration('roundrobin').pick()).toBeUndefined();
  });

  it('keeps the roundrobin turn on the same callee when an earlier one is removed', () => {
    const r = registration('roundrobin');
    const [a, b, c] = [createFakeSession(), createFakeSession(), createFakeSession()];
    for (const session of [a, b, c]) r.add({ session, discloseCaller: false });
    expect(r.pick()?.session).toBe(a);
    expect(r.pick()?.session).toBe(b);
    r.remove(a);
    expect(r.pick()?.session).toBe(c);
    expect(r.pick()?.session).toBe(b);
  });

  it('wraps the roundrobin turn when the last callee in line is removed', () => {
    const r = registration('roundrobin');
    const [a, b] = [createFakeSession(), createFakeSession()];
    r.add({ session: a, discloseCaller: false });
    r.add({ session: b, discloseCaller: false });
    expect(r.pick()?.session).toBe(a);
    expect(r.remove(b)).toBe(true);
    expect(r.remove(b)).toBe(false);
    expect(r.pick()?.session).toBe(a);
  });

  it('never picks past the end even if the random source returns 1', () => {
    const r = registration('random', () => 1);
    const [a, b] = [createFakeSession(), createFakeSession()];
    r.add({ session: a, discloseCaller: false });
    r.add({ session: b, discloseCaller: false });
    expect(r.pick()?.session).toBe(b);
  });
});

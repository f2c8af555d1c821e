import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CanceledError, TimeoutError } from '../../src/client/errors.js';
import { result } from '../../src/client/session.js';
import type { Invocation, Result } from '../../src/client/types.js';
import { ApplicationError } from '../../src/protocol/errors.js';
import { CLIENT_MATRIX, ClientPool, startMatrixRouter, type MatrixClient, type MatrixRouter } from './matrix-fixture.js';

/** Settles when the invocation is interrupted; records that it was. */
function untilInterrupted(interrupted: string[]) {
  return (inv: Invocation): Promise<undefined> =>
    new Promise((resolve) => {
      inv.signal.addEventListener('abort', () => {
        interrupted.push(inv.procedure);
        resolve(undefined);
      });
    });
}

describe.each(CLIENT_MATRIX)('Client RPC over $transport with $serializer', ({ transport, serializer }) => {
  let target: MatrixRouter;
  let pool: ClientPool;
  let callee: MatrixClient;
  let caller: MatrixClient;

  beforeAll(async () => {
    target = await startMatrixRouter(transport);
    pool = new ClientPool(target, serializer);
  });
  beforeEach(async () => {
    [callee, caller] = [await pool.client(), await pool.client()];
  });
  afterEach(() => pool.closeAll());
  afterAll(() => target.close());

  it('routes args and kwargs with binary, ±2^53, 2^53−1, nested dicts and unicode both ways', async () => {
    const seen: Invocation[] = [];
    await callee.api.register('matrix.echo', (inv) => {
      seen.push(inv);
      return result(inv.args, inv.kwargs);
    });
    const bytes = new Uint8Array([0, 1, 2, 127, 128, 254, 255]);
    const args = [bytes, 2 ** 53, 2 ** 53 - 1, -(2 ** 53), 'ünïcödé ✓ 𝄞', 1.5, null, true, { nested: { deeper: [1, 'two', new Uint8Array(0)] } }];
    const kwargs = { bin: bytes, big: 2 ** 53, almost: 2 ** 53 - 1, 'clé ✓': { list: [], dict: { x: 'ü' } } };
    const reply = await caller.api.call('matrix.echo', args, kwargs);
    expect(seen[0]).toMatchObject({ procedure: 'matrix.echo', args, kwargs });
    expect(reply.args).toEqual(args);
    expect(reply.kwargs).toEqual(kwargs);
    expect(reply.args[0]).toBeInstanceOf(Uint8Array);
    expect((reply.kwargs['bin'] as unknown) instanceof Uint8Array).toBe(true);
  });

  it("rejects with the callee's ApplicationError: uri, args and kwargs", async () => {
    await callee.api.register('matrix.fail', () => {
      throw new ApplicationError('com.example.error.out_of_stock', ['no more', 0], { item: 'tea', bin: new Uint8Array([9]) });
    });
    const error = await caller.api.call('matrix.fail').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplicationError);
    expect(error).not.toBeInstanceOf(CanceledError);
    expect(error).toMatchObject({
      uri: 'com.example.error.out_of_stock',
      args: ['no more', 0],
      kwargs: { item: 'tea', bin: new Uint8Array([9]) },
    });
  });

  it('yields progressive results, then the final one, through callProgressive', async () => {
    const asked: boolean[] = [];
    await callee.api.register('matrix.count', (inv) => {
      asked.push(inv.receiveProgress);
      inv.progress([1]);
      inv.progress([2], { half: true });
      return 3;
    });
    const results: Result[] = [];
    for await (const r of caller.api.callProgressive('matrix.count')) results.push(r);
    expect(results.map((r) => [r.args, r.kwargs, r.details['progress'] === true])).toEqual([
      [[1], {}, true],
      [[2], { half: true }, true],
      [[3], {}, false],
    ]);
    expect(asked).toEqual([true]);
  });

  it('cancels with mode kill: the callee is interrupted and the call rejects with CanceledError', async () => {
    const interrupted: string[] = [];
    let invoked!: () => void;
    const running = new Promise<void>((resolve) => (invoked = resolve));
    const waitForInterrupt = untilInterrupted(interrupted);
    await callee.api.register('matrix.slow', (inv) => {
      invoked();
      return waitForInterrupt(inv);
    });
    const controller = new AbortController();
    const call = caller.api.call('matrix.slow', [], {}, { signal: controller.signal, cancelMode: 'kill' });
    await running;
    controller.abort();
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CanceledError);
    expect(error).toMatchObject({ uri: 'wamp.error.canceled' });
    // kill waits for the callee's answer, so the INTERRUPT reached it before the rejection.
    expect(interrupted).toEqual(['matrix.slow']);
  });

  it('times out on the client with TimeoutError and the callee is interrupted', async () => {
    const interrupted: string[] = [];
    await callee.api.register('matrix.never', untilInterrupted(interrupted));
    const started = Date.now();
    const error = await caller.api.call('matrix.never', [], {}, { timeout: 60 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ uri: 'wamp.error.timeout', args: ['no result within 60 ms'] });
    expect(Date.now() - started).toBeLessThan(2_000);
    await expect.poll(() => interrupted, { timeout: 2_000, interval: 5 }).toEqual(['matrix.never']);
  });

  it('shares a roundrobin registration across both clients', async () => {
    await callee.api.register('matrix.shared', () => 'callee', { invoke: 'roundrobin' });
    await caller.api.register('matrix.shared', () => 'caller', { invoke: 'roundrobin' });
    const served: unknown[] = [];
    for (let i = 0; i < 4; i++) served.push((await caller.api.call('matrix.shared')).args[0]);
    expect(new Set(served)).toEqual(new Set(['callee', 'caller']));
    expect(served[0]).not.toBe(served[1]);
    expect(served.slice(2)).toEqual(served.slice(0, 2));
  });
});

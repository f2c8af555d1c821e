import { describe, expect, it } from 'vitest';
import { MessageType } from '../../src/protocol/message-type.js';
import type { WampMessage } from '../../src/protocol/messages.js';
import { MATRIX, type RawPeer } from '../helpers/raw-peer.js';
import { routerPerTest } from '../helpers/router-per-test.js';

const { CALL, CANCEL, ERROR, INTERRUPT, INVOCATION, RESULT, UNREGISTER, YIELD } = MessageType;

describe.each(MATRIX)('RPC over $transport with $serializer', ({ transport, serializer }) => {
  const { join } = routerPerTest(transport, serializer);

  /** Sends CALL and returns its request id and the INVOCATION the callee received. */
  async function invoke(caller: RawPeer, callee: RawPeer, procedure: string, options = {}, args?: unknown[]) {
    const request = caller.nextRequestId();
    caller.send(args === undefined ? [CALL, request, options, procedure] : [CALL, request, options, procedure, args]);
    const invocation = await callee.expect(INVOCATION);
    return { request, invocation, id: invocation[1] as number };
  }

  it('routes args and kwargs with binary values and 2^53 both ways', async () => {
    const [callee, caller] = [await join(), await join()];
    const registration = await callee.register('com.example.echo');
    const bytes = new Uint8Array([0, 1, 2, 127, 128, 254, 255]);
    const args = [bytes, 2 ** 53, -(2 ** 53), 'ünïcode', 1.5, null, true, { nested: [1, 'two', new Uint8Array(0)] }];
    const kwargs = { bin: bytes, big: 2 ** 53, list: [] };
    const request = caller.nextRequestId();
    caller.send([CALL, request, {}, 'com.example.echo', args, kwargs]);
    const invocation = await callee.expect(INVOCATION);
    expect(invocation.slice(2)).toEqual([registration, { procedure: 'com.example.echo' }, args, kwargs]);
    expect((invocation[5] as { bin: unknown }).bin).toBeInstanceOf(Uint8Array);
    callee.send([YIELD, invocation[1], {}, invocation[4], invocation[5]]);
    expect(await caller.next()).toEqual([RESULT, request, {}, args, kwargs]);
  });

  it('takes 2^53 in id fields', async () => {
    const peer = await join();
    const reply = await peer.call('wamp.session.get', [2 ** 53]);
    expect(reply.slice(0, 5)).toEqual([ERROR, CALL, 1, {}, 'wamp.error.no_such_session']);
    peer.send([UNREGISTER, peer.nextRequestId(), 2 ** 53]);
    expect((await peer.expect(ERROR)).slice(0, 5)).toEqual([ERROR, UNREGISTER, 2, {}, 'wamp.error.no_such_registration']);
  });

  it("forwards the callee's error URI with args and kwargs", async () => {
    const [callee, caller] = [await join(), await join()];
    await callee.register('com.example.fail');
    const { request, id } = await invoke(caller, callee, 'com.example.fail');
    callee.send([ERROR, INVOCATION, id, {}, 'com.example.error.out_of_stock', ['no more', 0], { item: 'tea' }]);
    expect(await caller.next()).toEqual([ERROR, CALL, request, {}, 'com.example.error.out_of_stock', ['no more', 0], { item: 'tea' }]);
  });

  it('answers a call to an unregistered procedure with wamp.error.no_such_procedure', async () => {
    const caller = await join();
    const reply = await caller.call('com.example.nobody');
    expect(reply.slice(0, 5)).toEqual([ERROR, CALL, 1, {}, 'wamp.error.no_such_procedure']);
    expect(typeof (reply[5] as unknown[])[0]).toBe('string');
  });

  it('delivers progressive results, then the final one', async () => {
    const [callee, caller] = [await join(), await join()];
    await callee.register('com.example.count');
    const { request, invocation, id } = await invoke(caller, callee, 'com.example.count', { receive_progress: true });
    expect(invocation[3]).toMatchObject({ receive_progress: true });
    callee.send([YIELD, id, { progress: true }, [1]]);
    callee.send([YIELD, id, { progress: true }, [2]]);
    callee.send([YIELD, id, {}, [3]]);
    expect(await caller.next()).toEqual([RESULT, request, { progress: true }, [1]]);
    expect(await caller.next()).toEqual([RESULT, request, { progress: true }, [2]]);
    expect(await caller.next()).toEqual([RESULT, request, {}, [3]]);
  });

  it('cancels a call in kill mode: INTERRUPT to the callee, its answer to the caller', async () => {
    const [callee, caller] = [await join(), await join()];
    await callee.register('com.example.slow');
    const { request, id } = await invoke(caller, callee, 'com.example.slow');
    caller.send([CANCEL, request, { mode: 'kill' }]);
    expect(await callee.next()).toEqual([INTERRUPT, id, { mode: 'kill' }]);
    callee.send([ERROR, INVOCATION, id, {}, 'wamp.error.canceled']);
    expect(await caller.next()).toEqual([ERROR, CALL, request, {}, 'wamp.error.canceled']);
  });

  it('times a call out: ERROR timeout to the caller, INTERRUPT to the callee, a late YIELD dropped', async () => {
    const [callee, caller] = [await join(), await join()];
    await callee.register('com.example.stuck');
    const { request, id } = await invoke(caller, callee, 'com.example.stuck', { timeout: 50 });
    const error = await caller.expect(ERROR);
    expect(error.slice(0, 5)).toEqual([ERROR, CALL, request, {}, 'wamp.error.timeout']);
    expect(await callee.next()).toEqual([INTERRUPT, id, { mode: 'killnowait', reason: 'wamp.error.timeout' }]);
    callee.send([YIELD, id, {}, ['too late']]);
    await caller.expectSilence(50);
  });

  it('routes pattern registrations and names the concrete procedure', async () => {
    const [callee, caller] = [await join(), await join()];
    const prefix = await callee.register('com.example.api', { match: 'prefix' });
    const wildcard = await callee.register('com.example..status', { match: 'wildcard' });
    for (const [procedure, registration] of [
      ['com.example.api.users.list', prefix],
      ['com.example.pump.status', wildcard],
      ['com.example.api.status', prefix], // prefix beats wildcard
    ] as const) {
      const { request, invocation, id } = await invoke(caller, callee, procedure);
      expect(invocation.slice(2, 4)).toEqual([registration, { procedure }]);
      callee.send([YIELD, id, {}, [procedure]]);
      expect(await caller.next()).toEqual([RESULT, request, {}, [procedure]]);
    }
  });

  it('spreads calls over a shared registration round-robin', async () => {
    const [first, second, caller] = [await join(), await join(), await join()];
    const id1 = await first.register('com.example.shared', { invoke: 'roundrobin' });
    const id2 = await second.register('com.example.shared', { invoke: 'roundrobin' });
    expect(id2).toBe(id1);
    const order: RawPeer[] = [first, second, first, second];
    for (const [index, callee] of order.entries()) {
      const { request, id } = await invoke(caller, callee, 'com.example.shared', {}, [index]);
      callee.send([YIELD, id, {}, [index]]);
      expect(await caller.next()).toEqual([RESULT, request, {}, [index]]);
    }
    await first.expectSilence(0);
    await second.expectSilence(0);
  });

  it('refuses a second single registration of a procedure', async () => {
    const [first, second] = [await join(), await join()];
    await first.register('com.example.only');
    second.send([MessageType.REGISTER, second.nextRequestId(), {}, 'com.example.only']);
    const error: WampMessage = await second.expect(ERROR);
    expect(error.slice(0, 5)).toEqual([ERROR, MessageType.REGISTER, 1, {}, 'wamp.error.procedure_already_exists']);
  });
});

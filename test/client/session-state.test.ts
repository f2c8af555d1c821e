import { describe, expect, it } from 'vitest';
import { SessionStateMachine, type SessionEvent } from '../../src/client/session-state.js';
import { MessageType } from '../../src/protocol/message-type.js';

function after(...events: SessionEvent[]): SessionStateMachine {
  const machine = new SessionStateMachine();
  for (const event of events) expect(machine.fire(event)).toBe(true);
  return machine;
}

describe('SessionStateMachine', () => {
  it('starts joining and reaches established with or without challenge rounds', () => {
    expect(new SessionStateMachine().state).toBe('joining');
    expect(after('welcome').state).toBe('established');
    expect(after('challenge', 'challenge', 'welcome').state).toBe('established');
  });

  it('leaves through closing, and closes from any live state', () => {
    expect(after('welcome', 'leave').state).toBe('closing');
    expect(after('welcome', 'leave', 'goodbye').state).toBe('closed');
    expect(after('welcome', 'goodbye').state).toBe('closed');
    expect(after('abort').state).toBe('closed');
    expect(after('challenge', 'close').state).toBe('closed');
    expect(after('welcome', 'leave', 'close').state).toBe('closed');
  });

  it('refuses transitions the table does not list, leaving the state unchanged', () => {
    const joining = new SessionStateMachine();
    expect(joining.can('leave')).toBe(false);
    expect(joining.fire('goodbye')).toBe(false);
    expect(joining.state).toBe('joining');
    const established = after('welcome');
    expect(established.fire('welcome')).toBe(false);
    expect(established.fire('challenge')).toBe(false);
    const closed = after('close');
    for (const event of ['challenge', 'welcome', 'leave', 'goodbye', 'abort', 'close'] as const) {
      expect(closed.fire(event)).toBe(false);
    }
  });

  it('accepts only handshake messages before WELCOME and only session messages after', () => {
    const joining = new SessionStateMachine();
    expect(joining.accepts(MessageType.WELCOME)).toBe(true);
    expect(joining.accepts(MessageType.CHALLENGE)).toBe(true);
    expect(joining.accepts(MessageType.ABORT)).toBe(true);
    expect(joining.accepts(MessageType.RESULT)).toBe(false);
    expect(joining.accepts(MessageType.GOODBYE)).toBe(false);
    const established = after('welcome');
    expect(established.accepts(MessageType.EVENT)).toBe(true);
    expect(established.accepts(MessageType.GOODBYE)).toBe(true);
    expect(established.accepts(MessageType.WELCOME)).toBe(false);
    expect(established.accepts(MessageType.CHALLENGE)).toBe(false);
    expect(established.accepts(MessageType.CALL)).toBe(false);
    expect(after('welcome', 'leave').accepts(MessageType.RESULT)).toBe(true);
    expect(after('close').accepts(MessageType.ABORT)).toBe(false);
  });
});

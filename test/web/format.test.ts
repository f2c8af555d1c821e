import { describe, expect, it } from 'vitest';
import { SessionClosedError, TimeoutError } from '../../src/client/errors.js';
import { ApplicationError } from '../../src/protocol/errors.js';
import { callErrorMessage, displayName, formatAge, formatPercent, formatValue } from '../../src/web/model/format.js';

describe('format', () => {
  it('writes ages the way people say them', () => {
    expect(formatAge(500)).toBe('just now');
    expect(formatAge(12_400)).toBe('12 s ago');
    expect(formatAge(3 * 60_000 + 5000)).toBe('3 min ago');
    expect(formatAge(2 * 3_600_000)).toBe('2 h ago');
    expect(formatAge(3 * 86_400_000)).toBe('3 d ago');
    expect(formatAge(-5000)).toBe('just now');
  });

  it('writes values, levels and names', () => {
    expect(formatValue(null)).toBe('–');
    expect(formatValue(true)).toBe('On');
    expect(formatValue(false)).toBe('Off');
    expect(formatValue(21)).toBe('21');
    expect(formatValue(21.456)).toMatch(/^21[.,]5$/);
    expect(formatValue(3.14159)).toMatch(/^3[.,]14$/);
    expect(formatPercent(0.456)).toBe('46 %');
    expect(displayName('living_room')).toBe('Living room');
    expect(displayName('cpuTemp')).toBe('Cpu temp');
  });

  it('explains failed calls in words', () => {
    expect(callErrorMessage(new ApplicationError('switchyard.error.hardware_unavailable', ['gpiochip9 is missing']), 5000)).toBe(
      'The hardware is not available: gpiochip9 is missing',
    );
    expect(callErrorMessage(new TimeoutError(), 5000)).toBe('The device did not answer within 5 s.');
    expect(callErrorMessage(new ApplicationError('wamp.error.no_such_procedure'), 5000)).toBe('The device is not reachable right now.');
    expect(callErrorMessage(new ApplicationError('wamp.error.not_authorized'), 5000)).toBe('You are not allowed to change this.');
    expect(callErrorMessage(new ApplicationError('wamp.error.invalid_argument', ['must be 0..1']), 5000)).toBe(
      'The device refused the value: must be 0..1',
    );
    expect(callErrorMessage(new ApplicationError('com.example.oops', ['it broke']), 5000)).toBe('it broke');
    expect(callErrorMessage(new ApplicationError('com.example.oops'), 5000)).toBe('The device answered with an error (com.example.oops).');
    expect(callErrorMessage(new SessionClosedError('wamp.close.transport_lost'), 5000)).toMatch(/connection dropped/);
  });
});

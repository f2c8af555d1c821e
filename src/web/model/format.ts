import { SessionClosedError, TimeoutError, CanceledError } from '../../client/errors.js';
import { WampError } from '../../protocol/errors.js';
import { ErrorUri } from '../../protocol/uris.js';

/** Readable text for what the page shows: ages, values, names and errors. */

/** `just now`, `12 s ago`, `3 min ago`, `2 h ago`, `4 d ago`. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 2) return 'just now';
  if (s < 60) return `${s} s ago`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min ago`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.floor(h / 24)} d ago`;
}

/** A reading: numbers with as many decimals as their size calls for, booleans as On/Off. */
export function formatValue(value: boolean | number | null): string {
  if (value === null) return '–';
  if (typeof value === 'boolean') return value ? 'On' : 'Off';
  const abs = Math.abs(value);
  const digits = Number.isInteger(value) ? 0 : abs < 10 ? 2 : abs < 1000 ? 1 : 0;
  return value.toLocaleString(undefined, { maximumFractionDigits: digits, minimumFractionDigits: Math.min(digits, 1) });
}

/** `from 18.5 to 21 °C`: the range of some readings (for screen readers). */
export function formatRange(values: readonly number[], unit: string | null): string {
  return `from ${formatValue(Math.min(...values))} to ${formatValue(Math.max(...values))}${unit !== null ? ` ${unit}` : ''}`;
}

/** A dimmer level 0..1 as a whole percentage. */
export function formatPercent(level: number): string {
  return `${Math.round(level * 100)} %`;
}

/** `living_room` → `Living room`, `cpuTemp` → `Cpu temp`. */
export function displayName(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words === '' ? name : words[0]!.toUpperCase() + words.slice(1);
}

/** Why a call failed, in words a person can act on. */
export function callErrorMessage(error: unknown, timeoutMs: number): string {
  if (error instanceof TimeoutError) return `The device did not answer within ${Math.round(timeoutMs / 1000)} s.`;
  if (error instanceof CanceledError) return 'The change was canceled.';
  if (error instanceof SessionClosedError) return 'The connection dropped before the device answered; the change may not have been made.';
  if (error instanceof WampError) {
    const detail = typeof error.args[0] === 'string' ? error.args[0] : undefined;
    switch (error.uri) {
      case 'switchyard.error.hardware_unavailable':
        return `The hardware is not available${detail !== undefined ? `: ${detail}` : '.'}`;
      case ErrorUri.NO_SUCH_PROCEDURE:
      case ErrorUri.NO_AVAILABLE_CALLEE:
        return 'The device is not reachable right now.';
      case ErrorUri.NOT_AUTHORIZED:
      case ErrorUri.AUTHORIZATION_FAILED:
        return 'You are not allowed to change this.';
      case ErrorUri.INVALID_ARGUMENT:
        return detail !== undefined ? `The device refused the value: ${detail}` : 'The device refused the value.';
      default:
        return detail ?? `The device answered with an error (${error.uri}).`;
    }
  }
  return error instanceof Error ? error.message : String(error);
}

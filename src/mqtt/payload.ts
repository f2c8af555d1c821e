import { isUtf8 } from 'node:buffer';
import type { Args, Dict } from '../protocol/messages.js';

/**
 * Payload mapping between MQTT application messages (bytes) and WAMP event payloads, chosen per
 * listener (`payload: json | raw`).
 *
 * MQTT → WAMP
 * - json: a JSON object becomes kwargs; any other JSON value becomes the single arg; a payload that
 *   is not JSON becomes one string arg (its UTF-8 text) or, when not UTF-8 either, one binary arg.
 * - raw: the bytes in one binary arg.
 * - An empty payload is an event without arguments, in both modes.
 *
 * WAMP → MQTT (both modes): no arguments → empty payload; kwargs alone → their JSON; one arg and
 * no kwargs → a string arg as its UTF-8 text, a binary arg as its bytes, anything else as its
 * JSON; otherwise `{"args": […], "kwargs": {…}}`. So an MQTT payload makes the round trip
 * through WAMP unchanged (text stays text, JSON stays JSON, bytes stay bytes).
 */

export type PayloadMode = 'json' | 'raw';

export interface WampPayload {
  args?: Args;
  kwargs?: Dict;
}

/** What an MQTT payload is built from: text (written as UTF-8) or bytes. */
export type MqttPayload = string | Uint8Array;

export interface PayloadMapping {
  readonly mode: PayloadMode;
  toWamp(payload: Uint8Array): WampPayload;
  /** The MQTT payload of a WAMP event; undefined when it cannot be written (e.g. a bigint). */
  fromWamp(args: Args | undefined, kwargs: Dict | undefined): MqttPayload | undefined;
}

const NONE: WampPayload = {};
const EMPTY = new Uint8Array(0);

export function payloadMapping(mode: PayloadMode): PayloadMapping {
  return mode === 'raw' ? RAW : JSON_MAPPING;
}

const JSON_MAPPING: PayloadMapping = {
  mode: 'json',
  toWamp(payload) {
    if (payload.length === 0) return NONE;
    const text = utf8(payload);
    if (text === undefined) return { args: [Uint8Array.prototype.slice.call(payload)] };
    if (!mayBeJson(payload[0]!)) return { args: [text] };
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return { args: [text] };
    }
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return { kwargs: value as Dict };
    return { args: [value] };
  },
  fromWamp,
};

const RAW: PayloadMapping = {
  mode: 'raw',
  toWamp(payload) {
    if (payload.length === 0) return NONE;
    // A copy: the parser's buffer is reused.
    return { args: [Uint8Array.prototype.slice.call(payload)] };
  },
  fromWamp,
};

function fromWamp(args: Args | undefined, kwargs: Dict | undefined): MqttPayload | undefined {
  const argc = args === undefined ? 0 : args.length;
  const hasKwargs = kwargs !== undefined && hasKeys(kwargs);
  try {
    if (argc === 0) return hasKwargs ? JSON.stringify(kwargs) : EMPTY;
    if (argc === 1 && !hasKwargs) {
      const arg = args![0];
      if (typeof arg === 'string') return arg;
      if (arg instanceof Uint8Array) return arg;
      return JSON.stringify(arg) ?? undefined;
    }
    return JSON.stringify({ args, kwargs: kwargs ?? {} });
  } catch {
    return undefined;
  }
}

function hasKeys(dict: Dict): boolean {
  for (const _ in dict) return true;
  return false;
}

/** `{ [ " - 0-9 t f n` or whitespace: a first byte JSON can start with. */
function mayBeJson(b: number): boolean {
  return (
    b === 0x7b || b === 0x5b || b === 0x22 || b === 0x2d || (b >= 0x30 && b <= 0x39) ||
    b === 0x74 || b === 0x66 || b === 0x6e || b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d
  );
}

function utf8(payload: Uint8Array): string | undefined {
  if (!isUtf8(payload)) return undefined;
  return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8');
}

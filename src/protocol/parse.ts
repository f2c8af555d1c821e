import { ProtocolError } from './errors.js';
import { MAX_ID } from './ids.js';
import { ERROR_REQUEST_TYPES, MessageType, messageTypeName } from './message-type.js';
import type { Dict, WampMessage } from './messages.js';

export interface ParseOptions {
  /**
   * Accept ids sent as decimal strings ("12345"), as fox-wamp does, converting them to numbers.
   * Off by default: a router must not accept them; a tolerant client turns it on.
   */
  lenientIds?: boolean;
}

type Field = 'id' | 'requestType' | 'uri' | 'dict' | 'string';
interface Layout {
  fields: readonly (readonly [Field, string])[];
  /** Whether Arguments|list and ArgumentsKw|dict may follow. */
  payload: boolean;
}

const id = (name: string) => ['id', name] as const;
const uri = (name: string) => ['uri', name] as const;
const dict = (name: string) => ['dict', name] as const;
const str = (name: string) => ['string', name] as const;

const LAYOUTS: Record<number, Layout> = {
  [MessageType.HELLO]: { fields: [uri('Realm'), dict('Details')], payload: false },
  [MessageType.WELCOME]: { fields: [id('Session'), dict('Details')], payload: false },
  [MessageType.ABORT]: { fields: [dict('Details'), uri('Reason')], payload: true },
  [MessageType.CHALLENGE]: { fields: [str('AuthMethod'), dict('Extra')], payload: false },
  [MessageType.AUTHENTICATE]: { fields: [str('Signature'), dict('Extra')], payload: false },
  [MessageType.GOODBYE]: { fields: [dict('Details'), uri('Reason')], payload: false },
  [MessageType.ERROR]: {
    fields: [['requestType', 'REQUEST.Type'], id('Request'), dict('Details'), uri('Error')],
    payload: true,
  },
  [MessageType.PUBLISH]: { fields: [id('Request'), dict('Options'), uri('Topic')], payload: true },
  [MessageType.PUBLISHED]: { fields: [id('Request'), id('Publication')], payload: false },
  [MessageType.SUBSCRIBE]: { fields: [id('Request'), dict('Options'), uri('Topic')], payload: false },
  [MessageType.SUBSCRIBED]: { fields: [id('Request'), id('Subscription')], payload: false },
  [MessageType.UNSUBSCRIBE]: { fields: [id('Request'), id('Subscription')], payload: false },
  [MessageType.UNSUBSCRIBED]: { fields: [id('Request')], payload: false },
  [MessageType.EVENT]: {
    fields: [id('Subscription'), id('Publication'), dict('Details')],
    payload: true,
  },
  [MessageType.CALL]: { fields: [id('Request'), dict('Options'), uri('Procedure')], payload: true },
  [MessageType.CANCEL]: { fields: [id('Request'), dict('Options')], payload: false },
  [MessageType.RESULT]: { fields: [id('Request'), dict('Details')], payload: true },
  [MessageType.REGISTER]: { fields: [id('Request'), dict('Options'), uri('Procedure')], payload: false },
  [MessageType.REGISTERED]: { fields: [id('Request'), id('Registration')], payload: false },
  [MessageType.UNREGISTER]: { fields: [id('Request'), id('Registration')], payload: false },
  [MessageType.UNREGISTERED]: { fields: [id('Request')], payload: false },
  [MessageType.INVOCATION]: {
    fields: [id('Request'), id('Registration'), dict('Details')],
    payload: true,
  },
  [MessageType.INTERRUPT]: { fields: [id('Request'), dict('Options')], payload: false },
  [MessageType.YIELD]: { fields: [id('Request'), dict('Options')], payload: true },
};

/**
 * Validates a decoded value as a WAMP message and normalises it in place:
 * - arity and element types per message type; ids are integers in [1, 2^53];
 * - dict values that are `undefined` (msgpack ext 0, CBOR simple 23) are removed: "absent";
 * - `null` or empty trailing payload elements are dropped (an empty Arguments stays only when
 *   ArgumentsKw follows);
 * - the revocation forms `[35|67, 0, Details]` are accepted.
 * URIs are checked to be strings here; whether a topic or procedure URI is valid for a realm is the
 * router's decision (it answers ERROR `wamp.error.invalid_uri`, not ABORT).
 * Throws ProtocolError on anything else.
 */
export function parseMessage(value: unknown, options?: ParseOptions): WampMessage {
  if (!Array.isArray(value) || value.length === 0) {
    throw new ProtocolError('a WAMP message must be a non-empty list');
  }
  const code = value[0];
  const layout = typeof code === 'number' ? LAYOUTS[code] : undefined;
  if (layout === undefined) {
    throw new ProtocolError(`unknown message type ${show(code)}`);
  }
  const name = messageTypeName(code);
  if (isRevocation(code, value)) {
    value[2] = checkDict(value[2], `${name}.Details`);
    return value as WampMessage;
  }
  const min = layout.fields.length + 1;
  const max = min + (layout.payload ? 2 : 0);
  if (value.length < min || value.length > max) {
    const expected = min === max ? `${min}` : `${min} to ${max}`;
    throw new ProtocolError(`${name} must have ${expected} elements, got ${value.length}`);
  }
  const lenient = options?.lenientIds === true;
  for (let i = 0; i < layout.fields.length; i++) {
    const [field, fieldName] = layout.fields[i]!;
    value[i + 1] = checkField(field, value[i + 1], `${name}.${fieldName}`, lenient);
  }
  if (layout.payload) normalizePayload(value, min, name);
  return value as WampMessage;
}

function isRevocation(code: number, value: unknown[]): boolean {
  return (
    (code === MessageType.UNSUBSCRIBED || code === MessageType.UNREGISTERED) &&
    value.length === 3 &&
    value[1] === 0
  );
}

function checkField(field: Field, v: unknown, where: string, lenient: boolean): unknown {
  switch (field) {
    case 'id':
      return checkId(v, where, lenient);
    case 'requestType':
      if (typeof v !== 'number' || !ERROR_REQUEST_TYPES.has(v)) {
        throw new ProtocolError(`${where} must be the type of a request message, got ${show(v)}`);
      }
      return v;
    case 'uri':
      if (typeof v !== 'string') throw new ProtocolError(`${where} must be a URI string, got ${show(v)}`);
      return v;
    case 'string':
      if (typeof v !== 'string') throw new ProtocolError(`${where} must be a string, got ${show(v)}`);
      return v;
    case 'dict':
      return checkDict(v, where);
  }
}

function checkId(v: unknown, where: string, lenient: boolean): number {
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= 1 && v <= MAX_ID) return v;
  } else if (typeof v === 'bigint') {
    if (v >= 1n && v <= BigInt(MAX_ID)) return Number(v);
  } else if (lenient && typeof v === 'string' && /^[1-9][0-9]{0,15}$/.test(v)) {
    const n = Number(v);
    // String(n) === v: "9007199254740993" would otherwise round to 2^53.
    if (n <= MAX_ID && String(n) === v) return n;
  }
  throw new ProtocolError(`${where} must be an integer id in [1, 2^53], got ${show(v)}`);
}

/** True for a plain object usable as a WAMP dict (not an array, Map, or byte string). */
export function isDict(v: unknown): v is Dict {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    !ArrayBuffer.isView(v) &&
    !(v instanceof ArrayBuffer) &&
    !(v instanceof Map)
  );
}

function checkDict(v: unknown, where: string): Dict {
  if (!isDict(v)) throw new ProtocolError(`${where} must be a dict, got ${show(v)}`);
  for (const key in v) {
    if (v[key] === undefined) delete v[key];
  }
  return v;
}

function normalizePayload(value: unknown[], at: number, name: string): void {
  let args = value[at];
  let kwargs = value[at + 1];
  if (args === null || args === undefined) args = undefined;
  else if (!Array.isArray(args)) throw new ProtocolError(`${name}.Arguments must be a list, got ${show(args)}`);
  if (kwargs === null || kwargs === undefined) kwargs = undefined;
  else if (!isDict(kwargs)) throw new ProtocolError(`${name}.ArgumentsKw must be a dict, got ${show(kwargs)}`);
  value.length = at;
  const hasKw = kwargs !== undefined && Object.keys(kwargs as Dict).length > 0;
  if (hasKw) value.push(args ?? [], kwargs);
  else if (args !== undefined && (args as unknown[]).length > 0) value.push(args);
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v instanceof Uint8Array) return `bytes(${v.length})`;
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'number') return String(v);
  try {
    const s = JSON.stringify(v);
    return s.length > 40 ? `${s.slice(0, 40)}…` : s;
  } catch {
    return typeof v;
  }
}

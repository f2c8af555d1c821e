/**
 * Local checks of what an application passes to call/publish/register/subscribe, before
 * anything is sent: a string where the args list belongs, a list as kwargs or a misspelt
 * option would otherwise reach the router, which ends the whole session with
 * `protocol_violation` (every call in flight lost), or be silently dropped. A mistake is a
 * TypeError naming the argument; the session is untouched. Cheap on the hot path: undefined
 * and empty option objects are one test each.
 */

type Check = (value: unknown) => string | undefined;

const isBoolean: Check = (value) => (typeof value === 'boolean' ? undefined : 'true or false');
const isFunction: Check = (value) => (typeof value === 'function' ? undefined : 'a function');
const isTimeout: Check = (value) =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? undefined : 'milliseconds, a finite number >= 0';
const isSignal: Check = (value) =>
  typeof value === 'object' && value !== null && typeof (value as { aborted?: unknown }).aborted === 'boolean' &&
  typeof (value as { addEventListener?: unknown }).addEventListener === 'function'
    ? undefined
    : 'an AbortSignal';
const ids: Check = (value) =>
  Array.isArray(value) && value.every((id) => Number.isSafeInteger(id) && (id as number) > 0) ? undefined : 'a list of session ids';
const strings: Check = (value) => (Array.isArray(value) && value.every((item) => typeof item === 'string') ? undefined : 'a list of strings');
const oneOf =
  (...choices: string[]): Check =>
  (value) =>
    typeof value === 'string' && choices.includes(value) ? undefined : `one of ${choices.map((c) => `'${c}'`).join(', ')}`;

const MATCH = oneOf('exact', 'prefix', 'wildcard');

const CALL_OPTIONS: Readonly<Record<string, Check>> = {
  timeout: isTimeout,
  onProgress: isFunction,
  signal: isSignal,
  cancelMode: oneOf('skip', 'kill', 'killnowait'),
  discloseMe: isBoolean,
};

const PUBLISH_OPTIONS: Readonly<Record<string, Check>> = {
  acknowledge: isBoolean,
  excludeMe: isBoolean,
  exclude: ids,
  eligible: ids,
  excludeAuthid: strings,
  eligibleAuthid: strings,
  excludeAuthrole: strings,
  eligibleAuthrole: strings,
  retain: isBoolean,
  discloseMe: isBoolean,
};

const REGISTER_OPTIONS: Readonly<Record<string, Check>> = {
  match: MATCH,
  invoke: oneOf('single', 'roundrobin', 'random', 'first', 'last'),
  discloseCaller: isBoolean,
};

const SUBSCRIBE_OPTIONS: Readonly<Record<string, Check>> = { match: MATCH, getRetained: isBoolean };

/** The TypeError for a bad call(), or undefined. */
export function callProblem(procedure: unknown, args: unknown, kwargs: unknown, options: unknown): TypeError | undefined {
  return uriProblem('call', 'procedure', procedure) ?? payloadProblem('call', args, kwargs) ?? optionsProblem('call', options, CALL_OPTIONS);
}

/** The TypeError for a bad publish(), or undefined. */
export function publishProblem(topic: unknown, args: unknown, kwargs: unknown, options: unknown): TypeError | undefined {
  return uriProblem('publish', 'topic', topic) ?? payloadProblem('publish', args, kwargs) ?? optionsProblem('publish', options, PUBLISH_OPTIONS);
}

/** The TypeError for a bad register(), or undefined. */
export function registerProblem(procedure: unknown, handler: unknown, options: unknown): TypeError | undefined {
  return uriProblem('register', 'procedure', procedure) ?? handlerProblem('register', handler) ?? optionsProblem('register', options, REGISTER_OPTIONS);
}

/** The TypeError for a bad subscribe(), or undefined. */
export function subscribeProblem(topic: unknown, handler: unknown, options: unknown): TypeError | undefined {
  return uriProblem('subscribe', 'topic', topic) ?? handlerProblem('subscribe', handler) ?? optionsProblem('subscribe', options, SUBSCRIBE_OPTIONS);
}

function uriProblem(method: string, what: string, uri: unknown): TypeError | undefined {
  return typeof uri === 'string' ? undefined : new TypeError(`${method}(): the ${what} URI must be a string, got ${describe(uri)}`);
}

function handlerProblem(method: string, handler: unknown): TypeError | undefined {
  return typeof handler === 'function' ? undefined : new TypeError(`${method}(): the handler must be a function, got ${describe(handler)}`);
}

function payloadProblem(method: string, args: unknown, kwargs: unknown): TypeError | undefined {
  if (args !== undefined && args !== null && !Array.isArray(args)) {
    const hint = isDict(args)
      ? ` (keyword arguments go in kwargs: ${method}(uri, [], {…}))`
      : ` (for one value, pass [${typeof args === 'string' && args.length <= 20 ? JSON.stringify(args) : 'value'}])`;
    return new TypeError(`${method}(): args must be a list, got ${describe(args)}${hint}`);
  }
  if (kwargs !== undefined && kwargs !== null && !isDict(kwargs)) {
    return new TypeError(`${method}(): kwargs must be a plain object (a dict with string keys), got ${describe(kwargs)}`);
  }
  return undefined;
}

function optionsProblem(method: string, options: unknown, checks: Readonly<Record<string, Check>>): TypeError | undefined {
  if (options === undefined || options === null) return undefined;
  if (!isDict(options)) return new TypeError(`${method}(): options must be an object, got ${describe(options)}`);
  for (const key in options) {
    const value = options[key];
    const check = Object.hasOwn(checks, key) ? checks[key] : undefined;
    if (check === undefined) {
      return new TypeError(`${method}(): unknown option '${key}' (known: ${Object.keys(checks).join(', ')})`);
    }
    if (value === undefined) continue;
    const expected = check(value);
    if (expected !== undefined) return new TypeError(`${method}(): option '${key}' must be ${expected}, got ${describe(value)}`);
  }
  return undefined;
}

/** A plain object: `{}` or Object.create(null), not an array, a Map or a class instance. */
function isDict(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** What a value is, without quoting long or secret text. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return value.length <= 20 ? `the string ${JSON.stringify(value)}` : 'a string';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `${typeof value} ${String(value)}`;
  if (typeof value === 'object') {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
    return typeof name === 'string' && name !== 'Object' ? `a ${name}` : 'an object';
  }
  return typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`;
}

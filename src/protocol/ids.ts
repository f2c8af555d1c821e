/** Largest WAMP id: 2^53, the range JavaScript numbers represent exactly. */
export const MAX_ID = 2 ** 53;

/** A global-scope id (session, publication): uniform over [1, 2^53] (basic/building_blocks.md). */
export function randomId(): number {
  // Two draws: Math.random has 52 bits of entropy at most in some engines.
  const high = Math.floor(Math.random() * 2 ** 21);
  const low = Math.floor(Math.random() * 2 ** 32);
  return high * 2 ** 32 + low + 1;
}

/** Session-scope (request) ids: 1, 2, 3, … wrapping back to 1 after 2^53. */
export class SequentialIds {
  #last: number;

  /** `last`: the id issued most recently (0 for none), so that `next()` continues after it. */
  constructor(last = 0) {
    this.#last = last;
  }

  next(): number {
    this.#last = this.#last >= MAX_ID ? 1 : this.#last + 1;
    return this.#last;
  }

  /** The id that `next()` would return, without consuming it. */
  peek(): number {
    return this.#last >= MAX_ID ? 1 : this.#last + 1;
  }
}

/** Router-scope ids (subscription, registration): sequential in this router. */
export class RouterScopeIds extends SequentialIds {}

export function isValidId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_ID;
}

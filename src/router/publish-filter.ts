import { ApplicationError } from '../protocol/errors.js';
import type { Dict } from '../protocol/messages.js';
import { ErrorUri } from '../protocol/uris.js';
import type { RouterSession } from './router-session.js';

/** The subscriber black/white-listing options of PUBLISH (pubsub_subscriber_blackwhite_listing.md). */
export interface PublishFilterOptions {
  eligible?: readonly number[];
  exclude?: readonly number[];
  eligible_authid?: readonly string[];
  exclude_authid?: readonly string[];
  eligible_authrole?: readonly string[];
  exclude_authrole?: readonly string[];
}

/**
 * Which subscribers may receive one publication. Every list present must admit the subscriber
 * (the conditions are ANDed); an absent list admits everyone. `null` from `from` means no list
 * was given, so the broker skips filtering entirely.
 */
export class PublishFilter {
  readonly #eligible: ReadonlySet<number> | undefined;
  readonly #exclude: ReadonlySet<number> | undefined;
  readonly #eligibleAuthid: ReadonlySet<string> | undefined;
  readonly #excludeAuthid: ReadonlySet<string> | undefined;
  readonly #eligibleAuthrole: ReadonlySet<string> | undefined;
  readonly #excludeAuthrole: ReadonlySet<string> | undefined;

  private constructor(options: Dict) {
    this.#eligible = idSet(options, 'eligible');
    this.#exclude = idSet(options, 'exclude');
    this.#eligibleAuthid = stringSet(options, 'eligible_authid');
    this.#excludeAuthid = stringSet(options, 'exclude_authid');
    this.#eligibleAuthrole = stringSet(options, 'eligible_authrole');
    this.#excludeAuthrole = stringSet(options, 'exclude_authrole');
  }

  /**
   * The filter described by PUBLISH.Options, or null when it has none of the six lists (null and
   * undefined count as absent). Throws `wamp.error.invalid_argument` for a list of the wrong type.
   */
  static from(options: Dict | PublishFilterOptions): PublishFilter | null {
    const o = options as Dict;
    if (
      o.eligible == null &&
      o.exclude == null &&
      o.eligible_authid == null &&
      o.exclude_authid == null &&
      o.eligible_authrole == null &&
      o.exclude_authrole == null
    ) {
      return null;
    }
    return new PublishFilter(o);
  }

  accepts(session: RouterSession): boolean {
    const { authid, authrole } = session.identity;
    if (this.#eligible !== undefined && !this.#eligible.has(session.id)) return false;
    if (this.#exclude !== undefined && this.#exclude.has(session.id)) return false;
    if (this.#eligibleAuthid !== undefined && !this.#eligibleAuthid.has(authid)) return false;
    if (this.#excludeAuthid !== undefined && this.#excludeAuthid.has(authid)) return false;
    if (this.#eligibleAuthrole !== undefined && !this.#eligibleAuthrole.has(authrole)) return false;
    if (this.#excludeAuthrole !== undefined && this.#excludeAuthrole.has(authrole)) return false;
    return true;
  }
}

function idSet(options: Dict, key: string): Set<number> | undefined {
  const value = options[key];
  if (value == null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'number' && Number.isInteger(v))) {
    throw invalid(key, 'a list of session ids');
  }
  return new Set(value as number[]);
}

function stringSet(options: Dict, key: string): Set<string> | undefined {
  const value = options[key];
  if (value == null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw invalid(key, 'a list of strings');
  return new Set(value as string[]);
}

function invalid(key: string, expected: string): ApplicationError {
  return new ApplicationError(ErrorUri.INVALID_ARGUMENT, [`PUBLISH.Options.${key} must be ${expected}`]);
}

import { MessageType } from '../../protocol/message-type.js';
import {
  withPayload,
  type Args,
  type Dict,
  type ErrorMessage,
  type PublishedMessage,
  type PublishMessage,
} from '../../protocol/messages.js';
import { errorFromWire, type SessionClosedError } from '../errors.js';
import type { PublishOptions } from '../types.js';
import { rejectAllPending, RESOLVED, takePending, type Pending, type Role, type RoleContext } from './role.js';

/** PublishOptions (camelCase) → PUBLISH.Options (wire snake_case), in one table. */
const OPTION_KEYS = [
  ['acknowledge', 'acknowledge'],
  ['excludeMe', 'exclude_me'],
  ['exclude', 'exclude'],
  ['eligible', 'eligible'],
  ['excludeAuthid', 'exclude_authid'],
  ['eligibleAuthid', 'eligible_authid'],
  ['excludeAuthrole', 'exclude_authrole'],
  ['eligibleAuthrole', 'eligible_authrole'],
  ['retain', 'retain'],
  ['discloseMe', 'disclose_me'],
] as const satisfies readonly (readonly [keyof PublishOptions, string])[];

/**
 * The publisher role (basic/publish_and_subscribe.md plus publisher_exclusion,
 * publisher_identification, subscriber_blackwhite_listing, event_retention). An acknowledged
 * publish resolves on PUBLISHED and rejects on ERROR; an unacknowledged one resolves once sent
 * (the router reports nothing back for it).
 */
export class Publisher implements Role {
  readonly #ctx: RoleContext;
  readonly #publishing = new Map<number, Pending<void>>();

  constructor(ctx: RoleContext) {
    this.#ctx = ctx;
  }

  publish(topic: string, args?: Args, kwargs?: Dict, options?: PublishOptions): Promise<void> {
    const ctx = this.#ctx;
    const closed = ctx.closedError();
    if (closed !== undefined) return Promise.reject(closed);
    const id = ctx.nextRequestId();
    const wireOptions = toWireOptions(options);
    try {
      ctx.sendRequest(withPayload<PublishMessage>([MessageType.PUBLISH, id, wireOptions, topic], args, kwargs));
    } catch (error) {
      return Promise.reject(error);
    }
    if (wireOptions['acknowledge'] !== true) return RESOLVED;
    return new Promise((resolve, reject) => this.#publishing.set(id, { resolve, reject }));
  }

  onPublished(message: PublishedMessage): void {
    takePending(this.#publishing, message[1], 'PUBLISHED').resolve();
  }

  onError(message: ErrorMessage): void {
    const [, , request, details, uri, args, kwargs] = message;
    const pending = this.#publishing.get(request);
    if (pending === undefined) {
      // Tolerated: some brokers report a failed unacknowledged publish too.
      this.#ctx.logger.warn('publish failed', { request, error: uri });
      return;
    }
    this.#publishing.delete(request);
    pending.reject(errorFromWire(uri, args, kwargs, details));
  }

  close(error: SessionClosedError): void {
    rejectAllPending(this.#publishing, error);
  }
}

function toWireOptions(options: PublishOptions | undefined): Dict {
  const wire: Dict = {};
  if (options === undefined) return wire;
  for (const [key, wireKey] of OPTION_KEYS) {
    const value = options[key];
    if (value !== undefined) wire[wireKey] = value;
  }
  return wire;
}

import type { Dict } from '../protocol/messages.js';

/**
 * What HELLO.Details.roles announces: exactly the features the roles in roles/ implement
 * (advanced/features.md). Keep in step with caller.ts, callee.ts, publisher.ts, subscriber.ts.
 */
export const CALLER_FEATURES = {
  /** CALL.Options.receive_progress; RESULT.Details.progress (CallOptions.onProgress, callProgressive). */
  progressive_call_results: true,
  /** CANCEL with skip/kill/killnowait (CallOptions.signal, timeout). */
  call_canceling: true,
  /** CALL.Options.timeout, sent only to dealers that announce call_timeout. */
  call_timeout: true,
  /** CALL.Options.disclose_me. */
  caller_identification: true,
} as const;

export const CALLEE_FEATURES = {
  /** YIELD.Options.progress (Invocation.progress, AsyncIterable results). */
  progressive_call_results: true,
  /** INTERRUPT aborts Invocation.signal. */
  call_canceling: true,
  /** REGISTER.Options.disclose_caller; INVOCATION.Details.caller*. */
  caller_identification: true,
  /** REGISTER.Options.match; INVOCATION.Details.procedure. */
  pattern_based_registration: true,
  /** REGISTER.Options.invoke. */
  shared_registration: true,
} as const;

export const PUBLISHER_FEATURES = {
  publisher_exclusion: true,
  publisher_identification: true,
  subscriber_blackwhite_listing: true,
  /** PUBLISH.Options.retain. */
  event_retention: true,
} as const;

export const SUBSCRIBER_FEATURES = {
  /** SUBSCRIBE.Options.match; EVENT.Details.topic. */
  pattern_based_subscription: true,
  /** EVENT.Details.publisher* reach the handler in Event.details. */
  publisher_identification: true,
  /** SUBSCRIBE.Options.get_retained; EVENT.Details.retained. */
  event_retention: true,
} as const;

/** A fresh HELLO.Details.roles dict (fresh, so no peer can alias our constants). */
export function clientRoles(): Dict {
  return {
    caller: { features: { ...CALLER_FEATURES } },
    callee: { features: { ...CALLEE_FEATURES } },
    publisher: { features: { ...PUBLISHER_FEATURES } },
    subscriber: { features: { ...SUBSCRIBER_FEATURES } },
  };
}

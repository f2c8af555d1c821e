import type { Dict } from '../protocol/messages.js';

/**
 * What WELCOME.Details.roles announces: exactly the features this router implements
 * (advanced/features.md). Keep in step with broker.ts, dealer.ts and realm-meta.ts.
 */
export const BROKER_FEATURES = {
  pattern_based_subscription: true,
  publisher_exclusion: true,
  publisher_identification: true,
  subscriber_blackwhite_listing: true,
  event_retention: true,
  session_meta_api: true,
  subscription_meta_api: true,
} as const;

export const DEALER_FEATURES = {
  call_canceling: true,
  call_timeout: true,
  caller_identification: true,
  pattern_based_registration: true,
  progressive_call_results: true,
  shared_registration: true,
  session_meta_api: true,
  registration_meta_api: true,
  testament_meta_api: true,
} as const;

export function routerRoles(): Dict {
  return {
    broker: { features: { ...BROKER_FEATURES } },
    dealer: { features: { ...DEALER_FEATURES } },
  };
}

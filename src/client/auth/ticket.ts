import type { ClientAuthenticator } from './authenticator.js';

/**
 * `ticket` (advanced/authentication_ticket.md): HELLO names the authid, the router sends
 * `[4, "ticket", {}]` and the answer is the ticket itself, in clear text (use TLS).
 */
export function ticketAuthenticator(authid: string, ticket: string): ClientAuthenticator {
  if (typeof ticket !== 'string' || ticket === '') throw new TypeError('ticket authentication needs a ticket');
  return {
    method: 'ticket',
    authid,
    authextra: {},
    answer: () => Promise.resolve(ticket),
  };
}

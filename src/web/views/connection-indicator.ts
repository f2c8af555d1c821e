import type { ConnectionView } from '../model/state.js';
import { html } from './html.js';

const TEXT: Record<ConnectionView['phase'], string> = {
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  closed: 'Disconnected',
};

export interface ConnectionIndicatorProps {
  connection: ConnectionView;
  /** The realm wants a sign-in (the session is closed meanwhile). */
  signInNeeded: boolean;
  /** Offered when the session closed for good (not when a sign-in is needed). */
  onRetry: (() => void) | undefined;
}

/** The link to the router: a coloured dot and a word, announced politely to screen readers. */
export function ConnectionIndicator({ connection, signInNeeded, onRetry }: ConnectionIndicatorProps) {
  const { phase, message } = connection;
  const signIn = signInNeeded && phase === 'closed';
  return html`
    <div class=${`connection connection-${signIn ? 'sign-in' : phase}`} role="status" aria-live="polite" title=${message ?? TEXT[phase]}>
      <span class="connection-dot" aria-hidden="true"></span>
      <span class="connection-text">${signIn ? 'Sign-in needed' : TEXT[phase]}</span>
      ${phase === 'closed' && !signIn && onRetry !== undefined
        ? html`<button type="button" class="button button-small" onClick=${onRetry}>Reconnect</button>`
        : null}
    </div>
  `;
}

import { useState } from 'preact/hooks';
import type { Credentials } from '../model/connection.js';
import type { AuthView, LoginMethod } from '../model/state.js';
import { html } from './html.js';

export interface LoginFormProps {
  realm: string;
  auth: AuthView;
  onLogin: (credentials: Credentials) => Promise<void>;
}

const METHODS: readonly { value: LoginMethod; label: string }[] = [
  { value: 'ticket', label: 'Ticket' },
  { value: 'wampcra', label: 'WAMP-CRA' },
];

/** Shown when the realm refuses anonymous sessions (or refused the last sign-in). */
export function LoginForm({ realm, auth, onLogin }: LoginFormProps) {
  const [method, setMethod] = useState<LoginMethod>('ticket');
  const [authid, setAuthid] = useState('');
  const [secret, setSecret] = useState('');
  const submit = (event: Event) => {
    event.preventDefault();
    void onLogin({ method, authid: authid.trim(), secret });
  };
  return html`
    <section class="card login" aria-labelledby="login-title">
      <h2 class="card-title" id="login-title">Sign in</h2>
      <p class="card-note">The realm <strong>${realm}</strong> needs a sign-in.</p>
      <form class="form" onSubmit=${submit}>
        <fieldset class="segmented">
          <legend>Method</legend>
          ${METHODS.map(
            (m) => html`
              <label class="segmented-option">
                <input type="radio" name="method" value=${m.value} checked=${method === m.value} onChange=${() => setMethod(m.value)} />
                <span>${m.label}</span>
              </label>
            `,
          )}
        </fieldset>
        <label class="field">
          <span class="field-label">User</span>
          <input name="authid" autocomplete="username" autocapitalize="none" spellcheck="false" required value=${authid}
            onInput=${(e: Event) => setAuthid((e.currentTarget as HTMLInputElement).value)} />
        </label>
        <label class="field">
          <span class="field-label">Password</span>
          <input name="secret" type="password" autocomplete="current-password" required value=${secret}
            onInput=${(e: Event) => setSecret((e.currentTarget as HTMLInputElement).value)} />
        </label>
        ${auth.error !== null ? html`<p class="message message-error" role="alert">${auth.error}</p>` : null}
        <button type="submit" class="button button-primary" disabled=${auth.busy}>${auth.busy ? 'Signing in…' : 'Sign in'}</button>
        <p class="form-hint">Kept in this tab only, until it is closed.</p>
      </form>
    </section>
  `;
}

import { html } from './html.js';

export interface SwitchProps {
  /** The id of the element that names the switch (aria-labelledby). */
  labelledBy: string;
  checked: boolean;
  pending: boolean;
  disabled: boolean;
  onToggle: () => void;
}

/** An on/off switch: a button with role="switch" (Space and Enter toggle it, as for any button). */
export function Switch({ labelledBy, checked, pending, disabled, onToggle }: SwitchProps) {
  return html`
    <button
      type="button"
      class=${`switch${pending ? ' is-pending' : ''}`}
      role="switch"
      aria-checked=${checked ? 'true' : 'false'}
      aria-labelledby=${labelledBy}
      aria-busy=${pending ? 'true' : 'false'}
      disabled=${disabled}
      onClick=${onToggle}
    >
      <span class="switch-thumb" aria-hidden="true"></span>
    </button>
  `;
}

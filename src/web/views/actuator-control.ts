import { displayName } from '../model/format.js';
import { shownValue, type ActuatorView } from '../model/devices.js';
import type { Actions } from './actions.js';
import { memo } from './hooks.js';
import { html } from './html.js';
import { Slider } from './slider.js';
import { Switch } from './switch.js';

export interface ActuatorControlProps {
  device: string;
  actuator: ActuatorView;
  /** The device is online and the page connected: changes can be made. */
  live: boolean;
  actions: Actions;
}

/**
 * One actuator: its label, a switch or a slider showing the device's state (or the value being
 * set, with a spinner), and the message of a failed change.
 */
export const ActuatorControl = memo(function ActuatorControl({ device, actuator, live, actions }: ActuatorControlProps) {
  const labelId = `label-${device}-${actuator.name}`;
  const shown = shownValue(actuator);
  const pending = actuator.pending !== undefined;
  const disabled = !live || !actuator.available || actuator.kind === undefined;
  let control;
  if (actuator.kind === 'dimmer') {
    control = html`<${Slider}
      labelledBy=${labelId}
      value=${typeof shown === 'number' ? shown : null}
      pending=${pending}
      disabled=${disabled}
      onChange=${(value: number) => actions.set(device, actuator.name, value)}
    />`;
  } else {
    control = html`<${Switch}
      labelledBy=${labelId}
      checked=${shown === true}
      pending=${pending}
      disabled=${disabled}
      onToggle=${() => actions.toggle(device, actuator.name)}
    />`;
  }
  const note = !actuator.available ? 'hardware unavailable' : pending ? 'saving…' : null;
  return html`
    <li class=${`control control-${actuator.kind ?? 'unknown'}`}>
      <div class="control-row">
        <span class="control-label" id=${labelId}>${displayName(actuator.name)}</span>
        ${note !== null ? html`<span class="control-note">${pending ? html`<span class="spinner" aria-hidden="true"></span>` : null}${note}</span>` : null}
        ${control}
      </div>
      ${actuator.error !== undefined
        ? html`<p class="message message-error" role="alert">
            <span>${displayName(actuator.name)}: ${actuator.error.message}</span>
            <button type="button" class="icon-button" aria-label="Dismiss" onClick=${() => actions.dismissError(device, actuator.name)}>×</button>
          </p>`
        : null}
    </li>
  `;
});

import type { DeviceView } from '../model/devices.js';
import type { ConnectionPhase } from '../model/state.js';
import type { Actions } from './actions.js';
import { DeviceCard } from './device-card.js';
import { html } from './html.js';

export interface DeviceListProps {
  devices: readonly DeviceView[];
  phase: ConnectionPhase;
  realm: string;
  problem: string | null;
  now: number;
  actions: Actions;
}

/** Every device of the realm, as cards in a responsive grid; a hint while there are none. */
export function DeviceList({ devices, phase, realm, problem, now, actions }: DeviceListProps) {
  if (problem !== null) return html`<p class="message message-error" role="alert">${problem}</p>`;
  if (devices.length === 0) {
    const text =
      phase === 'connected'
        ? html`No devices on realm <strong>${realm}</strong> yet. A device shows up here as soon as it joins.`
        : phase === 'closed'
          ? 'Not connected to the router.'
          : 'Connecting to the router…';
    return html`<p class="empty" role="status">${text}</p>`;
  }
  return html`
    <section class="devices" aria-label="Devices">
      ${devices.map((device) => html`<${DeviceCard} key=${device.name} device=${device} connected=${phase === 'connected'} now=${now} actions=${actions} />`)}
    </section>
  `;
}

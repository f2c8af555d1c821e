import { useEffect, useState } from 'preact/hooks';
import { displayName, formatAge } from '../model/format.js';
import type { DeviceView } from '../model/devices.js';
import type { Actions } from './actions.js';
import { ActuatorControl } from './actuator-control.js';
import { memo } from './hooks.js';
import { html } from './html.js';
import { Chart } from './chart.js';
import { SensorTile } from './sensor-tile.js';

/** A performance mark when the first device is on screen (scripts/bench/web-page.mjs reads it). */
export const FIRST_DEVICE_MARK = 'switchyard:first-device';

export interface DeviceCardProps {
  device: DeviceView;
  /** The page has a session (calls can be made). */
  connected: boolean;
  now: number;
  actions: Actions;
}

const STATUS_TEXT = { online: 'Online', offline: 'Offline', unknown: 'Unknown' } as const;

/** One device: its status, its actuators as controls, its sensors as tiles, and one sensor's chart on demand. */
export const DeviceCard = memo(function DeviceCard({ device, connected, now, actions }: DeviceCardProps) {
  const [chartOf, setChartOf] = useState<string | null>(null);
  const charted = device.sensors.find((s) => s.name === chartOf);
  const chartId = `chart-${device.name}`;
  useEffect(() => {
    if (performance.getEntriesByName(FIRST_DEVICE_MARK).length === 0) performance.mark(FIRST_DEVICE_MARK);
  }, []);
  const online = device.status === 'online';
  const titleId = `device-${device.name}`;
  const since = device.status === 'offline' && device.statusSince !== null ? ` · ${formatAge(now - device.statusSince)}` : '';
  return html`
    <article class=${`card device${online ? '' : ' is-offline'}`} aria-labelledby=${titleId} data-device=${device.name} data-status=${device.status}>
      <header class="card-head">
        <h2 class="card-title" id=${titleId}>${displayName(device.name)}</h2>
        <span class=${`status status-${device.status}`}>
          <span class="status-dot" aria-hidden="true"></span>${STATUS_TEXT[device.status]}<span class="status-since">${since}</span>
        </span>
      </header>
      ${device.status === 'offline' ? html`<p class="card-note">The device is offline: controls are disabled until it is back.</p>` : null}
      ${!device.described && device.status !== 'offline' ? html`<p class="card-note">Loading…</p>` : null}
      ${device.actuators.length > 0
        ? html`<ul class="controls" aria-label=${`${displayName(device.name)} controls`}>
            ${device.actuators.map(
              (actuator) => html`<${ActuatorControl} key=${actuator.name} device=${device.name} actuator=${actuator} live=${online && connected} actions=${actions} />`,
            )}
          </ul>`
        : null}
      ${device.sensors.length > 0
        ? html`<div class="tiles">
            ${device.sensors.map(
              (sensor) => html`<${SensorTile}
                key=${sensor.name}
                device=${device.name}
                sensor=${sensor}
                online=${online}
                now=${now}
                chartId=${chartId}
                chartOpen=${sensor === charted}
                onToggleChart=${() => setChartOf(sensor === charted ? null : sensor.name)}
              />`,
            )}
          </div>`
        : null}
      ${charted !== undefined
        ? html`<${Chart}
            key=${charted.name}
            id=${chartId}
            series=${charted.history}
            label=${displayName(charted.name)}
            unit=${charted.unit}
            steps=${typeof charted.value === 'boolean'}
          />`
        : null}
    </article>
  `;
});

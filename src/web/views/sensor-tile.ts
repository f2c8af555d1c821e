import { useMemo } from 'preact/hooks';
import { displayName, formatAge, formatValue } from '../model/format.js';
import { isStale, type SensorView } from '../model/devices.js';
import { last } from '../model/series.js';
import { html } from './html.js';
import { Sparkline } from './sparkline.js';

/** Points in a sparkline. */
const SPARK_POINTS = 60;

export interface SensorTileProps {
  device: string;
  sensor: SensorView;
  online: boolean;
  now: number;
  /** The id of the card's chart element, and whether it shows this sensor. */
  chartId: string;
  chartOpen: boolean;
  onToggleChart: () => void;
}

/** The id of a sensor's elements. */
function sensorId(device: string, sensor: string): string {
  return `sensor-${device}-${sensor}`;
}

/** One sensor: the latest value with its unit and age, a sparkline, and the button for the last-hour chart. */
export function SensorTile({ device, sensor, online, now, chartId, chartOpen, onToggleChart }: SensorTileProps) {
  const id = sensorId(device, sensor.name);
  const stale = online && isStale(sensor, now);
  const steps = typeof sensor.value === 'boolean';
  const name = displayName(sensor.name);
  const age = sensor.at === null ? 'no reading yet' : formatAge(now - sensor.at);
  // The tile re-renders every second (its age): the sparkline's points change only with a reading.
  const spark = useMemo(() => last(sensor.history, SPARK_POINTS), [sensor.history]);
  return html`
    <section class=${`tile${stale || !online ? ' is-stale' : ''}${chartOpen ? ' is-open' : ''}`} aria-labelledby=${`${id}-name`} data-sensor=${sensor.name}>
      <div class="tile-head">
        <h3 class="tile-name" id=${`${id}-name`}>${name}</h3>
        ${stale ? html`<span class="badge badge-warn">stale</span>` : null}
      </div>
      <p class="tile-value">
        <span class="tile-number">${formatValue(sensor.value)}</span>
        ${sensor.unit !== null && !steps ? html`<span class="tile-unit">${sensor.unit}</span>` : null}
      </p>
      <p class="tile-age">
        ${sensor.at === null ? age : html`<time datetime=${new Date(sensor.at).toISOString()} title=${new Date(sensor.at).toLocaleString()}>${age}</time>`}
        ${sensor.failing ? ' · reads failing' : ''}
      </p>
      <${Sparkline} series=${spark} steps=${steps} unit=${sensor.unit} />
      <button
        type="button"
        class="link-button"
        aria-label=${`${chartOpen ? 'Hide' : 'Show'} the chart of ${name}, last hour`}
        aria-expanded=${chartOpen ? 'true' : 'false'}
        aria-controls=${chartId}
        onClick=${onToggleChart}
      >
        ${chartOpen ? 'Hide chart' : 'Last hour'}
      </button>
    </section>
  `;
}

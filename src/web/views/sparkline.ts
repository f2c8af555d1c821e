import { useMemo } from 'preact/hooks';
import { formatRange } from '../model/format.js';
import type { Series } from '../model/series.js';
import { html } from './html.js';

const WIDTH = 120;
const HEIGHT = 32;
const PAD = 2;

export interface SparklineProps {
  series: Series;
  /** Draw as steps (digital inputs). */
  steps: boolean;
  unit: string | null;
}

/** The recent readings as a small line (SVG, no library): shape only, described for screen readers. */
export function Sparkline({ series, steps, unit }: SparklineProps) {
  const path = useMemo(() => pathOf(series, steps), [series, steps]);
  const label = useMemo(() => labelOf(series, steps, unit), [series, steps, unit]);
  if (path === undefined) return html`<div class="sparkline sparkline-empty" aria-hidden="true"></div>`;
  return html`
    <svg class="sparkline" viewBox=${`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" role="img" aria-label=${label}>
      <path class="sparkline-area" d=${`${path} L${WIDTH - PAD},${HEIGHT} L${PAD},${HEIGHT} Z`} />
      <path class="sparkline-line" d=${path} />
    </svg>
  `;
}

function labelOf(series: Series, steps: boolean, unit: string | null): string {
  if (steps) return `Last ${series.v.length} readings`;
  return `Last ${series.v.length} readings, ${formatRange(series.v, unit)}`;
}

/** The SVG path of the points scaled into the box; undefined with fewer than two. */
function pathOf(series: Series, steps: boolean): string | undefined {
  const { t, v } = series;
  if (t.length < 2) return undefined;
  const t0 = t[0]!;
  const span = t[t.length - 1]! - t0 || 1;
  // On/off readings keep a fixed 0..1 scale, so "off" is always at the bottom.
  let min = steps ? 0 : Math.min(...v);
  let max = steps ? 1 : Math.max(...v);
  if (max - min < 1e-9) {
    min -= 1;
    max += 1;
  }
  const x = (i: number) => (PAD + ((t[i]! - t0) / span) * (WIDTH - 2 * PAD)).toFixed(1);
  const y = (i: number) => (HEIGHT - PAD - ((v[i]! - min) / (max - min)) * (HEIGHT - 2 * PAD)).toFixed(1);
  let d = `M${x(0)},${y(0)}`;
  for (let i = 1; i < t.length; i++) d += steps ? ` H${x(i)} V${y(i)}` : ` L${x(i)},${y(i)}`;
  return d;
}

import type uPlot from 'uplot';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { formatRange, formatValue } from '../model/format.js';
import type { Series } from '../model/series.js';
import { html } from './html.js';

export interface ChartProps {
  id: string;
  series: Series;
  label: string;
  unit: string | null;
  steps: boolean;
}

type UPlotClass = typeof uPlot;

/** uPlot is fetched the first time a chart opens: the first load stays small. */
function loadUPlot(): Promise<UPlotClass> {
  return import('uplot').then((module) => module.default);
}

const HEIGHT = 200;

/** The readings this tab has seen in the last hour, as a uPlot chart that follows new readings. */
export function Chart({ id, series, label, unit, steps }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(series);
  latest.current = series;
  const [failed, setFailed] = useState(false);
  const dark = useDarkScheme();
  // Re-rendered every second with its card: the summary scans up to an hour of points only on a new reading.
  const description = useMemo(() => summary(series, label, unit), [series, label, unit]);

  useEffect(() => {
    let disposed = false;
    let resize: ResizeObserver | undefined;
    loadUPlot().then(
      (UPlot) => {
        const element = box.current;
        if (disposed || element === null) return;
        const made = new UPlot(options(UPlot, element, label, unit, steps), dataOf(latest.current), element);
        plot.current = made;
        resize = new ResizeObserver(() => made.setSize({ width: element.clientWidth, height: HEIGHT }));
        resize.observe(element);
      },
      () => setFailed(true),
    );
    return () => {
      disposed = true;
      resize?.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [label, unit, steps, dark]);

  useEffect(() => {
    plot.current?.setData(dataOf(series));
  }, [series]);

  return html`
    <figure class="chart" id=${id}>
      <figcaption class="chart-caption">
        <strong>${label}</strong>${unit !== null ? ` (${unit})` : ''} · last hour
        <span class="chart-note">readings since this page opened</span>
      </figcaption>
      ${failed ? html`<p class="message message-error" role="alert">The chart could not be loaded.</p>` : null}
      <div class="chart-box" ref=${box} role="img" aria-label=${description}></div>
    </figure>
  `;
}

function dataOf(series: Series): uPlot.AlignedData {
  return [series.t.map((t) => t / 1000), series.v.slice()];
}

function summary(series: Series, label: string, unit: string | null): string {
  if (series.v.length === 0) return `${label}: no readings yet`;
  return `${label}: ${series.v.length} readings, ${formatRange(series.v, unit)}`;
}

function options(UPlot: UPlotClass, element: HTMLElement, label: string, unit: string | null, steps: boolean): uPlot.Options {
  const style = getComputedStyle(element);
  const color = (name: string) => style.getPropertyValue(name).trim();
  const axis: uPlot.Axis = {
    stroke: color('--chart-text'),
    grid: { stroke: color('--chart-grid'), width: 1 },
    ticks: { stroke: color('--chart-grid'), width: 1 },
    font: '12px system-ui, sans-serif',
  };
  return {
    width: element.clientWidth,
    height: HEIGHT,
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true } },
    series: [
      {},
      {
        label,
        stroke: color('--chart-line'),
        fill: color('--chart-fill'),
        width: 2,
        points: { show: false },
        ...(steps ? { paths: UPlot.paths.stepped!({ align: 1 }) } : {}),
        value: (_u: uPlot, v: number | null) => (v === null ? '–' : `${formatValue(v)}${unit !== null ? ` ${unit}` : ''}`),
      },
    ],
    axes: [axis, { ...axis, size: 52, values: (_u: uPlot, ticks: number[]) => ticks.map((v) => formatValue(v)) }],
  };
}

/** Whether the system asks for dark colours; the chart is redrawn when that changes. */
function useDarkScheme(): boolean {
  const [query] = useState(() => (typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : undefined));
  const [dark, setDark] = useState(query?.matches ?? false);
  useEffect(() => {
    if (query === undefined) return;
    const onChange = () => setDark(query.matches);
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, [query]);
  return dark;
}

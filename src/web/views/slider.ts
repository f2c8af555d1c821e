import { formatPercent } from '../model/format.js';
import { html } from './html.js';

export interface SliderProps {
  labelledBy: string;
  /** 0..1; null while unknown. */
  value: number | null;
  pending: boolean;
  disabled: boolean;
  /** Every move while dragging (the caller throttles the calls). */
  onChange: (value: number) => void;
}

/** A dimmer: a native range input 0..100 % (arrow keys, Page Up/Down, Home/End work). */
export function Slider({ labelledBy, value, pending, disabled, onChange }: SliderProps) {
  const percent = Math.round((value ?? 0) * 100);
  const text = value === null ? 'unknown' : formatPercent(value);
  return html`
    <div class=${`slider${pending ? ' is-pending' : ''}`}>
      <input
        type="range"
        min="0"
        max="100"
        step="1"
        value=${percent}
        aria-labelledby=${labelledBy}
        aria-valuetext=${text}
        aria-busy=${pending ? 'true' : 'false'}
        disabled=${disabled}
        style=${{ '--fill': `${percent}%` }}
        onInput=${(event: Event) => onChange(Number((event.currentTarget as HTMLInputElement).value) / 100)}
      />
      <output class="slider-value" aria-hidden="true">${text}</output>
    </div>
  `;
}

// Sidebar form fields: a number with a slider (linear or log), a select, a checkbox — each with a
// label and a "?" that shows what the control does on hover or keyboard focus.

import { useId } from 'react';
import type { RunConfig } from '../../rl/config';
import { useStore } from '../store';
import type { NumberSpec } from './controlSpecs';

/** True when the shared link hides this control (`hide=` lists RunConfig field or section names). */
export const useHidden = (name: string) => useStore((s) => s.hiddenControls.includes(name));

export function Help({ text }: { text: string }) {
  return (
    <span className="help" tabIndex={0} aria-label={text} role="note">
      ?<span className="tip">{text}</span>
    </span>
  );
}

const SLIDER_STEPS = 1000; // resolution of a log slider

/** Slider position (0…SLIDER_STEPS) ⇄ value, in log space for log specs. */
function toSlider(s: NumberSpec, v: number): number {
  if (!s.log) return v;
  const t = (Math.log(v) - Math.log(s.min)) / (Math.log(s.max) - Math.log(s.min));
  return Math.round(Math.min(1, Math.max(0, t)) * SLIDER_STEPS);
}
function fromSlider(s: NumberSpec, pos: number): number {
  if (!s.log) return pos;
  const v = Math.exp(Math.log(s.min) + (pos / SLIDER_STEPS) * (Math.log(s.max) - Math.log(s.min)));
  return Number(v.toPrecision(2));
}

export function NumberField({ spec, value, onChange }: { spec: NumberSpec; value: number; onChange(v: number): void }) {
  const id = useId();
  const hidden = useHidden(spec.key);
  const commit = (v: number) => {
    if (!Number.isFinite(v)) return;
    const clamped = Math.min(spec.max, Math.max(spec.min, spec.integer ? Math.round(v) : v));
    onChange(clamped);
  };
  if (hidden) return null;
  return (
    <div className="field">
      <div className="field-label">
        <label htmlFor={id}>{spec.label}</label> <Help text={spec.help} />
      </div>
      <div className="field-row">
        <input
          type="range"
          aria-label={`${spec.label} slider`}
          min={spec.log ? 0 : spec.min}
          max={spec.log ? SLIDER_STEPS : spec.max}
          step={spec.log ? 1 : spec.step}
          value={toSlider(spec, value)}
          onChange={(e) => commit(fromSlider(spec, Number(e.target.value)))}
        />
        <input
          id={id}
          type="number"
          min={spec.min}
          max={spec.max}
          step={spec.log ? 'any' : spec.step}
          value={value}
          onChange={(e) => e.target.value !== '' && commit(Number(e.target.value))}
        />
      </div>
    </div>
  );
}

export function SelectField<T extends string>({
  name,
  label,
  value,
  options,
  help,
  optionHelp,
  onChange,
}: {
  name: keyof RunConfig;
  label: string;
  value: T;
  options: readonly T[];
  help: string;
  optionHelp?: Record<T, string>;
  onChange(v: T): void;
}) {
  const id = useId();
  if (useHidden(name)) return null;
  return (
    <div className="field">
      <div className="field-label">
        <label htmlFor={id}>{label}</label> <Help text={optionHelp ? `${help} ${optionHelp[value]}` : help} />
      </div>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value as T)}>
        {options.map((o) => (
          <option key={o} value={o} title={optionHelp?.[o]}>
            {o}
          </option>
        ))}
      </select>
    </div>
  );
}

export function CheckField({
  name,
  label,
  checked,
  help,
  onChange,
}: {
  name: keyof RunConfig;
  label: string;
  checked: boolean;
  help: string;
  onChange(v: boolean): void;
}) {
  if (useHidden(name)) return null;
  return (
    <div className="field field-check">
      <label>
        <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} /> {label}
      </label>
      <Help text={help} />
    </div>
  );
}

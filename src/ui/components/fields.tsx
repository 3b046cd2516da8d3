// Sidebar form fields: a number with a slider (linear or log), a select, a checkbox — each with a
// label and a "?" that shows what the control does on hover or keyboard focus (and that a screen
// reader reads as the control's description).

import { useEffect, useId, useLayoutEffect, useRef, useState } from 'react';
import type { RunConfig } from '../../rl/config';
import { useStore } from '../store';
import type { NumberSpec } from './controlSpecs';

/** True when the shared link hides this control (`hide=` lists RunConfig field or section names). */
export const useHidden = (name: string) => useStore((s) => s.hiddenControls.includes(name));

const TIP_MARGIN = 8; // px kept clear of the window's edges

/**
 * A "?" whose text shows beside it while the pointer is on it or the control it explains has
 * keyboard focus. It is not a tab stop: controls name it with aria-describedby={id}, so a screen
 * reader reads the help with the control. The tip is placed in window coordinates (position:
 * fixed), so a scrolling sidebar does not cut it off, and kept inside the window. Escape hides it.
 */
export function Help({ id, text }: { id: string; text: string }) {
  const mark = useRef<HTMLSpanElement>(null);
  const tip = useRef<HTMLSpanElement>(null);
  const [open, setOpen] = useState(false);
  const [pos, setPos] = useState<{ left: number; top: number } | null>(null);

  useEffect(() => {
    const scope = mark.current?.closest('[data-help-scope]');
    if (!scope) return;
    const onFocusIn = (e: Event) => setOpen((e.target as Element).matches(':focus-visible'));
    const onFocusOut = () => setOpen(false);
    const onKey = (e: Event) => (e as KeyboardEvent).key === 'Escape' && setOpen(false);
    // Placed in window coordinates, the tip would stay behind when its "?" scrolls away.
    const onScroll = () => setOpen(false);
    scope.addEventListener('focusin', onFocusIn);
    scope.addEventListener('focusout', onFocusOut);
    scope.addEventListener('keydown', onKey);
    window.addEventListener('scroll', onScroll, true);
    return () => {
      scope.removeEventListener('focusin', onFocusIn);
      scope.removeEventListener('focusout', onFocusOut);
      scope.removeEventListener('keydown', onKey);
      window.removeEventListener('scroll', onScroll, true);
    };
  }, []);

  useLayoutEffect(() => {
    if (!open || !mark.current || !tip.current) {
      setPos(null);
      return;
    }
    const a = mark.current.getBoundingClientRect();
    const t = tip.current.getBoundingClientRect();
    const vw = document.documentElement.clientWidth;
    // On a narrow screen the run controls are pinned over the bottom of the window: stay above them.
    const bar = document.querySelector('.controls-row');
    const barTop =
      bar && getComputedStyle(bar).position === 'fixed' ? bar.getBoundingClientRect().top : Number.POSITIVE_INFINITY;
    const vh = Math.min(document.documentElement.clientHeight, barTop);
    const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(v, hi));
    // Right of the "?" where it fits, else under it; never past an edge.
    const right = a.right + 6 + t.width <= vw - TIP_MARGIN;
    const left = clamp(right ? a.right + 6 : a.left - t.width / 2, TIP_MARGIN, vw - TIP_MARGIN - t.width);
    const below = right ? a.top - 4 : a.bottom + 6;
    const top = clamp(
      below + t.height > vh - TIP_MARGIN ? a.top - 6 - t.height : below,
      TIP_MARGIN,
      vh - TIP_MARGIN - t.height,
    );
    setPos({ left, top });
  }, [open]);

  return (
    <span
      className="help"
      ref={mark}
      aria-hidden
      onMouseEnter={() => setOpen(true)}
      onMouseLeave={() => setOpen(false)}
    >
      ?
      <span
        id={id}
        ref={tip}
        className={`tip${open ? ' open' : ''}`}
        style={pos ? { left: pos.left, top: pos.top } : undefined}
      >
        {text}
      </span>
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
  const helpId = useId();
  const hidden = useHidden(spec.key);
  const commit = (v: number) => {
    if (!Number.isFinite(v)) return;
    const clamped = Math.min(spec.max, Math.max(spec.min, spec.integer ? Math.round(v) : v));
    onChange(clamped);
  };
  if (hidden) return null;
  return (
    <div className="field" data-help-scope>
      <div className="field-label">
        <label htmlFor={id}>{spec.label}</label> <Help id={helpId} text={spec.help} />
      </div>
      <div className="field-row">
        <input
          type="range"
          aria-label={`${spec.label} slider`}
          aria-describedby={helpId}
          min={spec.log ? 0 : spec.min}
          max={spec.log ? SLIDER_STEPS : spec.max}
          step={spec.log ? 1 : spec.step}
          value={toSlider(spec, value)}
          onChange={(e) => commit(fromSlider(spec, Number(e.target.value)))}
        />
        <input
          id={id}
          aria-describedby={helpId}
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
  const helpId = useId();
  if (useHidden(name)) return null;
  return (
    <div className="field" data-help-scope>
      <div className="field-label">
        <label htmlFor={id}>{label}</label>{' '}
        <Help id={helpId} text={optionHelp ? `${help} ${optionHelp[value]}` : help} />
      </div>
      <select id={id} aria-describedby={helpId} value={value} onChange={(e) => onChange(e.target.value as T)}>
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
  const helpId = useId();
  if (useHidden(name)) return null;
  return (
    <div className="field field-check" data-help-scope>
      <label>
        <input
          type="checkbox"
          aria-describedby={helpId}
          checked={checked}
          onChange={(e) => onChange(e.target.checked)}
        />{' '}
        {label}
      </label>
      <Help id={helpId} text={help} />
    </div>
  );
}

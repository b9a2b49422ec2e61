import { useRef } from 'react';

export interface RadioOption<T extends string> {
  readonly value: T;
  readonly label: string;
}

const NEXT = new Set(['ArrowRight', 'ArrowDown']);
const PREVIOUS = new Set(['ArrowLeft', 'ArrowUp']);

/**
 * A radio group drawn as buttons (e.g. Buy | Sell), with the keyboard of a native one (WAI-ARIA
 * radio group): Tab reaches the checked option only, the arrow keys check and focus the next or
 * previous one (wrapping), Home and End the first and last.
 */
export function RadioButtons<T extends string>({
  label,
  options,
  value,
  onChange,
  className,
  optionClassName,
}: Readonly<{
  label: string;
  options: readonly RadioOption<T>[];
  value: T;
  onChange: (value: T) => void;
  className?: string;
  optionClassName?: (value: T, checked: boolean) => string;
}>): React.JSX.Element {
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const current = Math.max(
    0,
    options.findIndex((o) => o.value === value),
  );
  const move = (to: number): void => {
    const i = (to + options.length) % options.length;
    const option = options[i];
    if (option === undefined) return;
    onChange(option.value);
    refs.current[i]?.focus();
  };
  return (
    <div className={className} role="radiogroup" aria-label={label}>
      {options.map((o, i) => (
        <button
          key={o.value}
          ref={(el) => {
            refs.current[i] = el;
          }}
          type="button"
          role="radio"
          aria-checked={o.value === value}
          tabIndex={i === current ? 0 : -1}
          className={optionClassName?.(o.value, o.value === value)}
          onClick={() => onChange(o.value)}
          onKeyDown={(e) => {
            if (NEXT.has(e.key)) move(current + 1);
            else if (PREVIOUS.has(e.key)) move(current - 1);
            else if (e.key === 'Home') move(0);
            else if (e.key === 'End') move(options.length - 1);
            else return;
            e.preventDefault();
          }}
        >
          {o.label}
        </button>
      ))}
    </div>
  );
}

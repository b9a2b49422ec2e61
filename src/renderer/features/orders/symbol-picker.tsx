import { useEffect, useId, useRef, useState } from 'react';
import type { TradableSymbol } from '../../../shared/domain/orders';
import { useStore } from '../../app/store-context';
import { isSymbolCode, normaliseSymbol, symbolOnEnter, type SymbolSuggestions } from './order-form-model';

/**
 * The symbol box: a combobox (WAI-ARIA 1.2 pattern) over the exchange's symbols. Enter picks the
 * highlighted option or the exact match of what is typed, never a suggestion left over from an
 * older text (see symbolOnEnter).
 */
export function SymbolPicker({
  value,
  onChange,
  disabled,
}: Readonly<{ value: string; onChange: (s: string) => void; disabled: boolean }>): React.JSX.Element {
  const store = useStore();
  const listId = useId();
  const [text, setText] = useState(value);
  const [open, setOpen] = useState(false);
  const [list, setList] = useState<(SymbolSuggestions & { readonly items: readonly TradableSymbol[] }) | null>(null);
  const [active, setActive] = useState(-1);
  const textRef = useRef(text);
  // eslint-disable-next-line react-hooks/refs -- the latest text for the debounced lookup; written every render, read only in callbacks
  textRef.current = text;
  // eslint-disable-next-line react-hooks/set-state-in-effect -- the field follows a symbol chosen elsewhere (a row's Trade button); typing in between is kept until then
  useEffect(() => setText(value), [value]);
  const ask = (query: string): Promise<(SymbolSuggestions & { readonly items: readonly TradableSymbol[] }) | null> =>
    store
      .call('orders:symbols', { query, limit: 8 })
      .then((res) => (res.ok ? { query, symbols: res.value.map((m) => m.symbol), items: res.value } : null));
  useEffect(() => {
    if (!open) return;
    let live = true;
    const query = normaliseSymbol(text);
    const t = setTimeout(() => {
      void ask(query).then((l) => {
        if (live && l !== null) setList(l);
      });
    }, 150);
    return () => {
      live = false;
      clearTimeout(t);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `ask` is rebuilt every render from `store`, which is listed
  }, [text, open, store]);
  const choose = (s: string): void => {
    setText(s);
    setOpen(false);
    setActive(-1);
    onChange(s);
  };
  const current = list !== null && list.query === normaliseSymbol(text) ? list : null;
  const shown = open && current !== null && current.items.length > 0;
  const optionId = (i: number): string => `${listId}-opt-${i}`;
  const onEnter = (): void => {
    const typed = text;
    const r = symbolOnEnter(typed, list, active);
    if (r === 'ask') {
      // The list on screen answers an older text: look this one up before picking anything.
      void ask(normaliseSymbol(typed)).then((l) => {
        if (l === null || textRef.current !== typed) return;
        setList(l);
        const again = symbolOnEnter(typed, l, -1);
        if (again !== null && again !== 'ask') choose(again.pick);
      });
    } else if (r !== null) choose(r.pick);
  };
  return (
    <div className="symbol-picker">
      <input
        aria-label="Symbol"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={shown}
        aria-controls={listId}
        aria-activedescendant={shown && active >= 0 ? optionId(active) : undefined}
        className="symbol-input"
        value={text}
        disabled={disabled}
        spellCheck={false}
        autoComplete="off"
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onChange={(e) => {
          const s = normaliseSymbol(e.target.value);
          setText(s);
          setOpen(true);
          setActive(-1);
          if (isSymbolCode(s)) onChange(s);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            onEnter();
          } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
            e.preventDefault();
            setOpen(true);
            const n = current?.items.length ?? 0;
            if (n === 0) return;
            setActive((i) => (e.key === 'ArrowDown' ? (i + 1) % n : i <= 0 ? n - 1 : i - 1));
          } else if (e.key === 'Escape') {
            setOpen(false);
            setActive(-1);
          }
        }}
      />
      <ul className="symbol-list" id={listId} role="listbox" aria-label="Matching symbols" hidden={!shown}>
        {shown
          ? current.items.map((m, i) => (
              // eslint-disable-next-line jsx-a11y/click-events-have-key-events -- the options are chosen by keyboard through the combobox input (arrows + Enter); a click is the pointer's way
              <li
                key={m.symbol}
                id={optionId(i)}
                role="option"
                aria-selected={i === active}
                data-current={m.symbol === value ? 'true' : undefined}
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => choose(m.symbol)}
              >
                <strong>{m.baseAsset}</strong>/{m.quoteAsset}
              </li>
            ))
          : null}
      </ul>
    </div>
  );
}

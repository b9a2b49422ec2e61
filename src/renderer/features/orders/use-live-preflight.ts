import { useEffect, useRef, useState } from 'react';
import type { OrderDraftInput, OrderOutcomeView, PreflightResult } from '../../../shared/domain/orders';
import { useStore } from '../../app/store-context';
import { isSymbolCode, keyOf } from './order-form-model';

const DEBOUNCE_MS = 250;
const REFRESH_MS = 2_000;

export interface Checked {
  readonly key: string;
  readonly result: PreflightResult;
}

export interface LivePreflight {
  /** The draft's identity: a verdict applies to the draft whose key it carries. */
  readonly key: string;
  /** The latest verdict shown (maybe of an earlier draft while the new one is being checked). */
  readonly checked: Checked | null;
  /** Why the last check was refused, in the person's words. */
  readonly error: string | null;
  /** The draft whose check was refused (e.g. a field far too long): its button must not wait for an answer that will never come. */
  readonly refusedKey: string | null;
  /** Show a verdict obtained elsewhere (the review's own check). */
  show(key: string, result: PreflightResult): void;
  /** Show a refusal obtained elsewhere. */
  refuse(key: string, message: string): void;
}

/**
 * The live pre-flight of the order form: the draft is checked by main a moment after each change
 * (debounced), every 2 s while no confirmation is open (market, balances and open orders move),
 * and again when the open orders or an outcome change. An answer older than one already shown
 * is dropped.
 */
export function useLivePreflight(
  draft: OrderDraftInput,
  when: { readonly paused: boolean; readonly openAsOf: number; readonly lastOutcome: OrderOutcomeView | undefined },
): LivePreflight {
  const store = useStore();
  const { paused, openAsOf, lastOutcome } = when;
  const [checked, setChecked] = useState<Checked | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The draft whose check was refused (e.g. a field far too long): its button must not wait for
  // an answer that will never come.
  const [refusedKey, setRefusedKey] = useState<string | null>(null);
  const seq = useRef(0);
  const applied = useRef(0);
  const key = keyOf(draft);
  const draftRef = useRef(draft);
  // eslint-disable-next-line react-hooks/refs -- the latest draft for the timers; written every render, read only in callbacks
  draftRef.current = draft;

  const run = (d: typeof draft): void => {
    if (!isSymbolCode(d.symbol)) return;
    const mine = ++seq.current;
    const k = keyOf(d);
    void store.call('orders:preflight', { draft: d }).then((res) => {
      // An answer older than one already shown is dropped; one overtaken by a check still on its
      // way is shown (a slow check must not starve the form while the market data is stale).
      if (mine < applied.current) return;
      applied.current = mine;
      if (res.ok) {
        setChecked({ key: k, result: res.value });
        setError(null);
        setRefusedKey(null);
      } else {
        setError(res.error.message);
        setRefusedKey(k);
      }
    });
  };

  useEffect(() => {
    const t = setTimeout(() => run(draft), DEBOUNCE_MS);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `key` is the draft's identity; a new `run` every render must not restart the debounce
  }, [key]);

  // Market, balances and open orders move: the verdict on screen is kept current.
  useEffect(() => {
    const t = setInterval(() => {
      if (!paused) run(draftRef.current);
    }, REFRESH_MS);
    return () => clearInterval(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `run` reads refs and the store; only a pause (a confirmation open) or its end restarts the refresh
  }, [paused]);

  // An order placed, filled or canceled changes the free balance and the open-order counts.
  useEffect(() => {
    if (!paused) run(draftRef.current);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only a change of the open orders or an outcome re-checks here; the pause is read as of that moment
  }, [openAsOf, lastOutcome]);

  return {
    key,
    checked,
    error,
    refusedKey,
    show: (k, result) => setChecked({ key: k, result }),
    refuse: (k, message) => {
      setError(message);
      setRefusedKey(k);
    },
  };
}

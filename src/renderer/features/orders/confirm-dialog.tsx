import { useEffect, useRef, useState } from 'react';
import type { ConfirmationSummary, OrderOutcomeView, PreflightResult } from '../../../shared/domain/orders';
import { exchangeName } from '../../../shared/domain/exchange-name';
import { MASK } from '../../app/format';
import { Modal } from '../../app/modal';
import { usePrivacy, useStore, useView } from '../../app/store-context';
import { keyOf, outcomeLabel } from './order-form-model';
import { isAmountLine, maskFigures, quotesBalance } from './order-format';
import { useOrders, useOrdersView } from './orders-context';
import { classifySubmitError } from './submit-error';
import { isSettledStatus } from '../../../shared/domain/order-status';

const RECHECK_MS = 1_500;

type Check =
  | { readonly state: 'checking' }
  | { readonly state: 'valid'; readonly result: PreflightResult }
  | { readonly state: 'invalid'; readonly reason: string };

/** Why a fresh pre-flight no longer matches what the person is looking at; null when it does. */
export function revalidationProblem(confirmed: ConfirmationSummary, fresh: PreflightResult): string | null {
  if (fresh.disabledReason !== null) return fresh.disabledReason;
  const first = fresh.issues[0];
  if (first !== undefined) return `It no longer passes the checks: ${first.message}`;
  if (fresh.order === null || !fresh.ok) return 'It no longer passes the checks.';
  if (keyOf(fresh.order) !== keyOf(confirmed.order)) return 'The order that would be sent has changed. Close this and review it again.';
  return null;
}

export function OutcomeBadge({ outcome }: Readonly<{ outcome: OrderOutcomeView }>): React.JSX.Element {
  return (
    <span className={`outcome-badge outcome-${outcome.status}`} data-testid="outcome-status">
      {outcomeLabel(outcome.status)}
    </span>
  );
}

export function ConfirmDialog({
  confirmation,
  onClose,
}: Readonly<{ confirmation: ConfirmationSummary; onClose: () => void }>): React.JSX.Element {
  const store = useStore();
  const orders = useOrders();
  const privacy = usePrivacy();
  const environment = useView((s) => s.settings?.environment ?? 'production');
  const exchange = exchangeName(environment);
  const [reveal, setReveal] = useState(false);
  const [check, setCheck] = useState<Check>({ state: 'checking' });
  const [now, setNow] = useState(() => Date.now());
  // The lock is a ref so that a second click in the same frame sees it before React re-renders.
  const locked = useRef(false);
  const [sent, setSent] = useState(false);
  const [submitError, setSubmitError] = useState<string | null>(null);
  const [answer, setAnswer] = useState<OrderOutcomeView | null>(null);
  const [duplicateAck, setDuplicateAck] = useState(false);
  const live = useOrdersView((s) => s.outcomes.find((o) => o.clientOrderId === confirmation.token));
  const outcome = live ?? answer;

  // Re-validated live while open: the market, balances and rules of this moment.
  useEffect(() => {
    if (sent) return;
    let alive = true;
    const recheck = (): void => {
      void store.call('orders:preflight', { draft: confirmation.order }).then((res) => {
        if (!alive) return;
        if (!res.ok) setCheck({ state: 'invalid', reason: res.error.message });
        else {
          const problem = revalidationProblem(confirmation, res.value);
          setCheck(problem === null ? { state: 'valid', result: res.value } : { state: 'invalid', reason: problem });
        }
      });
      setNow(Date.now());
    };
    recheck();
    const t = setInterval(recheck, RECHECK_MS);
    return () => {
      alive = false;
      clearInterval(t);
    };
  }, [confirmation, sent, store]);

  const expired = now >= confirmation.expiresAt;
  const settled = outcome !== null && outcome !== undefined && isSettledStatus(outcome.status);
  let confirmBlocker: string | null = null;
  if (sent) confirmBlocker = settled ? 'Sent' : 'Sending…';
  else if (expired) confirmBlocker = 'This confirmation expired: close it and review the order again.';
  else if (check.state === 'checking') confirmBlocker = 'Checking the order again…';
  else if (check.state === 'invalid') confirmBlocker = check.reason;
  const possibleDuplicate = check.state === 'valid' && check.result.warnings.some((w) => w.code === 'possible-duplicate');
  if (confirmBlocker === null && possibleDuplicate && !duplicateAck) {
    confirmBlocker =
      'The same order was recently reported as probably not placed. Check Open orders, then tick the box to place it anyway.';
  }

  const confirm = (): void => {
    if (locked.current || confirmBlocker !== null) return;
    locked.current = true;
    setSent(true);
    void orders
      .submit(
        confirmation.token,
        confirmation.order,
        possibleDuplicate && duplicateAck ? { acknowledgePossibleDuplicate: true } : undefined,
      )
      .then((res) => {
        if (res.ok) setAnswer(res.value);
        // Only a refusal that provably happened before anything left Perch is "Not sent"; the
        // store shows any other error as an unknown outcome and keeps checking it.
        else if (classifySubmitError(res.error) === 'not-sent') setSubmitError(res.error.message);
      });
  };

  const canClose = !sent || settled || submitError !== null || outcome?.status === 'unknown';
  const side = confirmation.order.side;
  const hideAmounts = privacy && !reveal;
  const warnings = check.state === 'valid' ? check.result.warnings.filter((w) => w.code !== 'market-estimate') : [];

  return (
    <Modal
      className="confirm-dialog"
      titleClassName={`side-${side.toLowerCase()}`}
      title={`Confirm ${side === 'BUY' ? 'buy' : 'sell'} order`}
      onClose={onClose}
      canClose={canClose}
      testId="confirm-dialog"
      data={{ 'data-client-order-id': confirmation.token }}
    >
      <p className="muted small">This is exactly what Perch will send to {exchange}, once.</p>
      <table className="confirm-lines">
        <tbody>
          {confirmation.lines.map((l) => (
            <tr key={l.label}>
              <th scope="row">{l.label}</th>
              <td
                data-testid={`confirm-${l.label.toLowerCase().replace(/[^a-z]+/g, '-')}`}
                {...(isAmountLine(l.label) ? { 'data-money': '' } : {})}
              >
                {hideAmounts && isAmountLine(l.label) ? `${MASK} ${l.value.split(' ').slice(1).join(' ')}` : l.value}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {privacy ? (
        <button type="button" className="link small" onClick={() => setReveal((r) => !r)}>
          {reveal ? 'Hide amounts' : 'Show amounts to check them'}
        </button>
      ) : null}
      {warnings.length > 0 ? (
        <ul className="owarnings">
          {warnings.map((w) => (
            <li key={w.code} data-code={w.code}>
              {maskFigures(hideAmounts && (quotesBalance(w.code) || w.code === 'possible-duplicate'), w.message)}
            </li>
          ))}
        </ul>
      ) : null}
      {possibleDuplicate && !sent ? (
        <label className="duplicate-ack" data-testid="confirm-duplicate-ack">
          <input type="checkbox" checked={duplicateAck} onChange={(e) => setDuplicateAck(e.target.checked)} /> I checked Open orders and my
          history: place this order anyway.
        </label>
      ) : null}
      {!sent && confirmBlocker !== null && check.state !== 'checking' ? (
        <p className="error" role="alert" data-testid="confirm-blocked">
          {confirmBlocker}
        </p>
      ) : null}

      {sent ? (
        <div className="outcome-box" role="status" data-testid="confirm-outcome">
          {submitError !== null ? (
            <>
              <span className="outcome-badge outcome-rejected" data-testid="outcome-status">
                Not sent
              </span>
              <span>{submitError}</span>
            </>
          ) : outcome ? (
            <>
              <OutcomeBadge outcome={outcome} />
              <span>{outcome.message}</span>
            </>
          ) : (
            <span className="outcome-badge outcome-sending">Sending…</span>
          )}
        </div>
      ) : null}

      <div className="modal-actions">
        <button type="button" onClick={onClose} disabled={!canClose} data-testid="confirm-close" data-autofocus="">
          {sent ? 'Close' : 'Back'}
        </button>
        <button
          type="button"
          className={`primary confirm side-${side.toLowerCase()}`}
          data-testid="confirm-submit"
          disabled={confirmBlocker !== null}
          title={confirmBlocker ?? undefined}
          onClick={confirm}
        >
          {sent
            ? settled
              ? 'Sent'
              : outcome?.status === 'unknown'
                ? 'Checking…'
                : 'Sending…'
            : side === 'BUY'
              ? 'Confirm buy'
              : 'Confirm sell'}
        </button>
      </div>
    </Modal>
  );
}

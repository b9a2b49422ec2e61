import type { DraftField, PreflightIssue } from '../../../shared/domain/orders';
import { maskFigures, quotesBalance } from './order-format';

/** The form's words for each field, in labels, hints and messages. */
export const FIELD_LABELS: Record<DraftField, string> = {
  symbol: 'Symbol',
  side: 'Side',
  type: 'Type',
  quantity: 'Quantity',
  quoteOrderQty: 'Total',
  price: 'Price',
  stopPrice: 'Stop price',
  timeInForce: 'Time in force',
  stopLimitPrice: 'Stop-limit price',
  stopLimitTimeInForce: 'Stop-limit time in force',
};

/** A pre-flight's issues, each with its one-click correction when there is one that works. */
export function Issues({
  issues,
  onFix,
  privacy,
}: Readonly<{ issues: readonly PreflightIssue[]; onFix: (i: PreflightIssue) => void; privacy: boolean }>): React.JSX.Element | null {
  if (issues.length === 0) return null;
  return (
    <ul className="issues">
      {/* keyed by what the issue is, not its wording: a message quoting a live price changes on every
          check, and a remounted element would flicker (and lose a screen reader's place) */}
      {issues.map((i, n) => (
        <li key={`${i.code}-${i.field}-${n}`} className="issue" data-testid="preflight-issue" data-code={i.code}>
          <span>{maskFigures(privacy && quotesBalance(i.code), i.message)}</span>
          {i.correction ? (
            <button
              type="button"
              className="fix"
              onClick={() => onFix(i)}
              title={privacy ? undefined : `Set ${FIELD_LABELS[i.correction.field].toLowerCase()} to ${i.correction.value}`}
            >
              {maskFigures(privacy && quotesBalance(i.code), i.correction.label)}
            </button>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

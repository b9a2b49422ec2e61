/**
 * Turns the contract's validation failures into sentences a person can act on (issue 8, B10):
 * the field in the words the screen uses, what is wrong, and what to do. Never a channel name, a
 * schema path or the validator's own wording, and never the rejected value (it may be a secret).
 */

/** The parts of a zod issue this reads (zod 4 shapes; everything optional so others degrade). */
export interface InputIssue {
  readonly code: string;
  readonly path: ReadonlyArray<PropertyKey>;
  readonly message: string;
  readonly maximum?: unknown;
  readonly minimum?: unknown;
  readonly origin?: string;
}

interface FieldWords {
  /** As the form labels it. */
  readonly label: string;
  /** What a right value looks like, said after the label: "must be a number like 0.0012". */
  readonly format?: string;
  /** What to do, as its own sentence. */
  readonly hint?: string;
}

const NUMBER = 'must be a number like 0.0012';
const FROM_BINANCE = 'Copy it again from API Management on Binance.';

/**
 * Field words by schema path; a path is looked up whole, then without its leading parts
 * ("draft.quantity", then "quantity"), so a field keeps its words wherever it is nested.
 */
const FIELDS: Readonly<Record<string, FieldWords>> = {
  'material.apiKey': { label: 'API key', format: 'may contain only letters and digits', hint: FROM_BINANCE },
  'material.secret': { label: 'Secret key', hint: FROM_BINANCE },
  'material.privateKeyPem': {
    label: 'Private key',
    format: 'must be a PEM private key',
    hint: 'Paste the whole file, from the line -----BEGIN PRIVATE KEY----- to the END line.',
  },
  'material.kind': { label: 'Key type', hint: 'Choose one of the key types offered.' },
  material: { label: 'Key', hint: 'Choose a key type and fill in its fields.' },
  environment: { label: 'Environment', hint: 'Choose one of the environments offered.' },
  acceptWithdrawalRisk: { label: 'The withdrawal confirmation' },
  quantity: { label: 'Quantity', format: NUMBER },
  quoteOrderQty: { label: 'Total', format: NUMBER },
  price: { label: 'Price', format: NUMBER },
  stopPrice: { label: 'Stop price', format: NUMBER },
  stopLimitPrice: { label: 'Stop-limit price', format: NUMBER },
  timeInForce: { label: 'Time in force', hint: 'Choose GTC, IOC or FOK.' },
  stopLimitTimeInForce: { label: 'Stop-limit time in force', hint: 'Choose GTC, IOC or FOK.' },
  side: { label: 'Side', hint: 'Choose Buy or Sell.' },
  type: { label: 'Order type', hint: 'Choose one of the order types offered.' },
  symbol: { label: 'Symbol', format: 'must be a pair like BTCUSDT (letters and digits)', hint: 'Pick one from the list.' },
  symbols: { label: 'Symbols' },
  query: { label: 'Symbol search', hint: 'Type the first letters of a pair, like BTC.' },
  orderId: { label: 'Order number' },
  clientOrderId: { label: 'Order reference' },
  token: { label: 'Order confirmation', hint: 'Review the order again.' },
  confirmed: { label: 'Your confirmation', hint: 'Confirm again.' },
  smallBalanceThreshold: { label: 'Small-balance threshold', format: 'must be a number like 10 or 0.5 (digits and one decimal point)' },
  quoteCurrency: { label: 'Value currency', format: 'must be an asset code like USDT' },
  theme: { label: 'Theme', hint: 'Choose System, Light or Dark.' },
  url: { label: 'Link' },
  id: { label: 'Notice' },
  limit: { label: 'Number of rows' },
  beforeOrderId: { label: 'Order number' },
  acknowledgePossibleDuplicate: { label: 'Your acknowledgement of a possible duplicate', hint: 'Confirm again.' },
  hideSmallBalances: { label: 'Hide small balances' },
  privacyMode: { label: 'Hide amounts' },
  startAtLogin: { label: 'Start at login' },
  closeToTray: { label: 'Close to tray' },
  tradingEnabled: { label: 'Trading enabled' },
};

/** A field this list does not name yet (e.g. one added to the contract later) still gets a sentence. */
const SOME_VALUE: FieldWords = { label: 'One of the values entered' };

function wordsFor(path: ReadonlyArray<PropertyKey>): FieldWords | undefined {
  const parts = path.filter((p): p is string => typeof p === 'string');
  for (let i = 0; i < parts.length; i++) {
    const w = FIELDS[parts.slice(i).join('.')];
    if (w !== undefined) return w;
  }
  return undefined;
}

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let v: unknown = root;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

const num = (x: unknown): string => (typeof x === 'number' || typeof x === 'bigint' ? x.toLocaleString('en-US') : String(x));

function problem(issue: InputIssue, words: FieldWords | undefined, value: unknown): string {
  const empty = value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
  switch (issue.code) {
    case 'too_big':
      if (issue.origin === 'string') return `is too long (at most ${num(issue.maximum)} characters)`;
      if (issue.origin === 'array' || issue.origin === 'set') return `has too many entries (at most ${num(issue.maximum)})`;
      return `is too large (at most ${num(issue.maximum)})`;
    case 'too_small':
      if (empty) return 'is required';
      if (issue.origin === 'string')
        return Number(issue.minimum) <= 1 ? 'is required' : `is too short (at least ${num(issue.minimum)} characters)`;
      if (issue.origin === 'array' || issue.origin === 'set') return 'is required';
      return `is too small (at least ${num(issue.minimum)})`;
    case 'invalid_format':
      return empty ? 'is required' : (words?.format ?? 'is not in the right format');
    case 'invalid_type':
      if (value === undefined || value === null) return 'is required';
      return words?.format ?? 'is not in the right form';
    case 'invalid_value':
    case 'invalid_union':
      return empty ? 'is required' : 'is not one of the choices offered';
    default:
      return words?.format ?? 'is not valid';
  }
}

const GENERIC = 'Perch could not use this request (a fault in Perch, not in what you typed). Reload the window and try again.';

/**
 * One or two sentences for a person about why a command's input was refused. `rawInput` is read
 * only to tell an empty field from a wrong one; no value is ever put into the text.
 */
export function describeInvalidInput(issues: ReadonlyArray<InputIssue>, rawInput: unknown): string {
  const sentences: string[] = [];
  for (const issue of issues) {
    // A request with an unknown key or no field at all is the app's own fault, not the person's.
    if (issue.code === 'unrecognized_keys' || issue.path.length === 0) continue;
    const words = wordsFor(issue.path) ?? SOME_VALUE;
    const text = `${words.label} ${problem(issue, words, valueAt(rawInput, issue.path))}.${words.hint !== undefined ? ` ${words.hint}` : ''}`;
    if (!sentences.includes(text)) sentences.push(text);
    if (sentences.length === 2) break;
  }
  return sentences.length > 0 ? sentences.join(' ') : GENERIC;
}

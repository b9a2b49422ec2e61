/**
 * The one modal dialog of the app, on the native <dialog> element opened with showModal(): the
 * browser makes the rest of the page inert (focus stays inside, screen readers see only the
 * dialog), Escape asks to close, and the dialog is labelled by its title. On top of that: Tab
 * cycles inside the dialog (the browser would let it leave for its own controls), initial focus goes to the element marked `data-autofocus` (the safe choice, e.g. "Keep"),
 * and when the dialog goes away focus returns to whatever opened it.
 *
 * Mount it to open it, unmount it to close it. `canClose: false` (e.g. while an order is being
 * sent) makes Escape do nothing.
 */
import { useEffect, useId, useLayoutEffect, useRef, type ReactNode } from 'react';

const FOCUSABLE = 'a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])';

/** The last element outside a dialog that had focus (see trackOpeners). */
let lastFocused: HTMLElement | null = null;

/**
 * Remember which control had focus last, so a dialog knows its opener even when that control
 * lost focus before the dialog opened (a button disabled while it checks something is blurred).
 * Installed once by the app at start.
 */
export function trackOpeners(doc: Document): () => void {
  const onFocusIn = (e: FocusEvent): void => {
    if (e.target instanceof HTMLElement && e.target.closest('dialog') === null) lastFocused = e.target;
  };
  doc.addEventListener('focusin', onFocusIn, true);
  return () => doc.removeEventListener('focusin', onFocusIn, true);
}

/** Focus the opener again; if it is disabled for a moment (re-checking), try again for a short while. */
function returnFocus(opener: HTMLElement, framesLeft = 60): void {
  if (!opener.isConnected) return;
  opener.focus();
  if (document.activeElement !== opener && framesLeft > 0 && document.querySelector('dialog[open]') === null) {
    requestAnimationFrame(() => returnFocus(opener, framesLeft - 1));
  }
}

export interface ModalProps {
  readonly title: ReactNode;
  readonly onClose: () => void;
  readonly canClose?: boolean;
  readonly children: ReactNode;
  readonly className?: string;
  readonly titleClassName?: string;
  readonly testId?: string;
  /** Extra attributes for tests and styling (e.g. data-client-order-id). */
  readonly data?: Readonly<Record<`data-${string}`, string>>;
}

export function Modal({
  title,
  onClose,
  canClose = true,
  children,
  className,
  titleClassName,
  testId,
  data,
}: Readonly<ModalProps>): React.JSX.Element {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  // The latest callbacks, read by the native listeners without re-opening the dialog.
  const latest = useRef({ onClose, canClose });
  // eslint-disable-next-line react-hooks/refs -- the latest callbacks for the native dialog listeners; written every render, read only in events
  latest.current = { onClose, canClose };

  useLayoutEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return undefined;
    const active =
      document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null;
    const opener = active ?? lastFocused;
    if (!dialog.open) dialog.showModal();
    const initial = dialog.querySelector<HTMLElement>('[data-autofocus]:not(:disabled)');
    if (initial !== null) initial.focus();
    else dialog.focus();
    return () => {
      if (dialog.open) dialog.close();
      // Back to where the person was, if it is still there (a canceled row may be gone).
      if (opener !== null) returnFocus(opener);
    };
  }, []);

  useEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return undefined;
    const onCancel = (e: Event): void => {
      // Escape: this component decides, the browser must not close the element by itself.
      e.preventDefault();
      if (latest.current.canClose) latest.current.onClose();
    };
    const onNativeClose = (): void => {
      // Closed by the browser anyway (a repeated Escape can no longer be prevented): keep the
      // state and the screen in agreement.
      // Ignored when it is ours: the dialog is gone, or open again (React's development mode
      // closes and reopens it once on mount; the close event arrives after that).
      if (!dialog.isConnected || dialog.open) return;
      if (latest.current.canClose) latest.current.onClose();
      else dialog.showModal();
    };
    const onKeyDown = (e: KeyboardEvent): void => {
      // showModal() makes the page inert but lets Tab leave for the browser's own controls:
      // keep it cycling through the dialog.
      if (e.key !== 'Tab') return;
      const focusable = [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
        (el) => !el.matches(':disabled') && el.getClientRects().length > 0,
      );
      const first = focusable[0];
      const last = focusable.at(-1);
      if (first === undefined || last === undefined) {
        e.preventDefault();
        return;
      }
      const active = document.activeElement;
      if (e.shiftKey && (active === first || active === dialog)) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && active === last) {
        e.preventDefault();
        first.focus();
      }
    };
    dialog.addEventListener('cancel', onCancel);
    dialog.addEventListener('close', onNativeClose);
    dialog.addEventListener('keydown', onKeyDown);
    return () => {
      dialog.removeEventListener('cancel', onCancel);
      dialog.removeEventListener('close', onNativeClose);
      dialog.removeEventListener('keydown', onKeyDown);
    };
  }, []);

  return (
    <dialog
      ref={ref}
      className={`modal${className ? ` ${className}` : ''}`}
      aria-labelledby={titleId}
      tabIndex={-1}
      {...(testId !== undefined ? { 'data-testid': testId } : {})}
      {...data}
    >
      <h2 id={titleId} className={titleClassName}>
        {title}
      </h2>
      {children}
    </dialog>
  );
}

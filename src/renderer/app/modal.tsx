/**
 * The one modal dialog of the app, on the native <dialog> element opened with showModal(): the
 * browser makes the rest of the page inert (focus stays inside, screen readers see only the
 * dialog), Escape asks to close, and the dialog is labelled by its title. On top of that:
 * initial focus goes to the element marked `data-autofocus` (the safe choice, e.g. "Keep"),
 * and when the dialog goes away focus returns to whatever opened it.
 *
 * Mount it to open it, unmount it to close it. `canClose: false` (e.g. while an order is being
 * sent) makes Escape do nothing.
 */
import { useEffect, useId, useLayoutEffect, useRef, type ReactNode } from 'react';

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

export function Modal({ title, onClose, canClose = true, children, className, titleClassName, testId, data }: Readonly<ModalProps>): React.JSX.Element {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  // The latest callbacks, read by the native listeners without re-opening the dialog.
  const latest = useRef({ onClose, canClose });
  latest.current = { onClose, canClose };

  useLayoutEffect(() => {
    const dialog = ref.current;
    if (dialog === null) return undefined;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    const initial = dialog.querySelector<HTMLElement>('[data-autofocus]:not(:disabled)');
    if (initial !== null) initial.focus();
    else dialog.focus();
    return () => {
      if (dialog.open) dialog.close();
      // Back to where the person was, if it is still there (a canceled row may be gone).
      if (opener !== null && opener.isConnected) opener.focus();
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
      if (!dialog.isConnected) return;
      if (latest.current.canClose) latest.current.onClose();
      else dialog.showModal();
    };
    dialog.addEventListener('cancel', onCancel);
    dialog.addEventListener('close', onNativeClose);
    return () => {
      dialog.removeEventListener('cancel', onCancel);
      dialog.removeEventListener('close', onNativeClose);
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
      <h2 id={titleId} className={titleClassName}>{title}</h2>
      {children}
    </dialog>
  );
}

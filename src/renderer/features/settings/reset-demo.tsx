import { useState } from 'react';
import { Modal } from '../../app/modal';
import { useStore } from '../../app/store-context';

type Step =
  { readonly state: 'ask' } | { readonly state: 'busy' } | { readonly state: 'done'; readonly text: string; readonly ok: boolean };

/** What a reset did, in the person's words. */
export function resetDemoMessage(canceledOrders: number): string {
  const orders =
    canceledOrders === 0
      ? 'there were no open orders to cancel'
      : `${canceledOrders} open order${canceledOrders === 1 ? '' : 's'} canceled`;
  return `Demo account reset: opening balances restored, ${orders}.`;
}

/**
 * "Reset demo account": asks first (it cancels every open demo order), then says what happened
 * in the same dialog, so the answer is seen wherever the button was pressed.
 */
export function ResetDemoButton({ className }: Readonly<{ className?: string }>): React.JSX.Element {
  const store = useStore();
  const [step, setStep] = useState<Step | null>(null);

  const reset = (): void => {
    setStep({ state: 'busy' });
    void store.call('demo:reset').then((res) => {
      setStep(
        res.ok
          ? { state: 'done', ok: true, text: resetDemoMessage(res.value.canceledOrders) }
          : { state: 'done', ok: false, text: res.error.message },
      );
    });
  };

  return (
    <>
      <button type="button" className={className} onClick={() => setStep({ state: 'ask' })}>
        Reset demo account
      </button>
      {step !== null ? (
        <Modal
          title={step.state === 'done' ? (step.ok ? 'Demo account reset' : 'The demo account was not reset') : 'Reset the demo account?'}
          onClose={() => setStep(null)}
          canClose={step.state !== 'busy'}
          testId="reset-demo-dialog"
        >
          {step.state === 'done' ? (
            <>
              <p className={step.ok ? '' : 'error'} role="status" data-testid="reset-demo-result">
                {step.text}
              </p>
              <div className="modal-actions">
                <button type="button" className="primary" data-autofocus="" ref={(el) => el?.focus()} onClick={() => setStep(null)}>
                  Close
                </button>
              </div>
            </>
          ) : (
            <>
              <p>
                The demo account gets its opening balances back and every open demo order is canceled. Your real accounts are not touched.
              </p>
              <div className="modal-actions">
                <button type="button" data-autofocus="" disabled={step.state === 'busy'} onClick={() => setStep(null)}>
                  Keep
                </button>
                <button type="button" className="danger" data-testid="reset-demo-confirm" disabled={step.state === 'busy'} onClick={reset}>
                  {step.state === 'busy' ? 'Resetting…' : 'Reset demo account'}
                </button>
              </div>
            </>
          )}
        </Modal>
      ) : null}
    </>
  );
}

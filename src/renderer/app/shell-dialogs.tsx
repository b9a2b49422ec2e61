/**
 * The keyboard shortcut list (`?`, Help → Keyboard Shortcuts) and the About window (version and
 * the licences of everything a package ships), both in the app's one modal (modal.tsx).
 */
import { useEffect, useState } from 'react';
import { Modal } from './modal';
import { OTHER_SHORTCUTS, shortcutLabel, viewShortcuts } from '../../shared/shortcuts';

const IS_MAC = typeof navigator !== 'undefined' && /Mac/i.test(navigator.platform);

/** The app's one modal (modal.tsx) with a Close button that has the initial focus. */
function ShellDialog(props: {
  readonly title: string;
  readonly testId: string;
  readonly onClose: () => void;
  readonly children: React.ReactNode;
}): React.JSX.Element {
  return (
    <Modal title={props.title} testId={props.testId} onClose={props.onClose} className="shell-dialog">
      {props.children}
      <div className="modal-actions">
        <button type="button" data-autofocus="" onClick={props.onClose}>
          Close
        </button>
      </div>
    </Modal>
  );
}

export function ShortcutsDialog(props: { readonly onClose: () => void; readonly onAbout: () => void }): React.JSX.Element {
  const rows = [...viewShortcuts(), ...OTHER_SHORTCUTS];
  return (
    <ShellDialog title="Keyboard shortcuts" testId="shortcuts-dialog" onClose={props.onClose}>
      <table className="shortcut-table">
        <tbody>
          {rows.map((s) => (
            <tr key={`${s.accelerator}-${s.description}`}>
              <th scope="row">
                <kbd>{shortcutLabel(s.accelerator, IS_MAC)}</kbd>
              </th>
              <td>{s.description}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        <button type="button" className="link" onClick={props.onAbout} data-testid="about-button">
          About Perch and its licences
        </button>
      </p>
    </ShellDialog>
  );
}

interface LicenseEntry {
  readonly name: string;
  readonly version: string;
  readonly license: string;
}

function isLicenseList(value: unknown): value is LicenseEntry[] {
  return (
    Array.isArray(value) &&
    value.every(
      (e) =>
        typeof e === 'object' &&
        e !== null &&
        typeof (e as LicenseEntry).name === 'string' &&
        typeof (e as LicenseEntry).license === 'string',
    )
  );
}

export function AboutDialog(props: { readonly version: string; readonly onClose: () => void }): React.JSX.Element {
  const [licenses, setLicenses] = useState<LicenseEntry[] | 'failed' | null>(null);
  useEffect(() => {
    let live = true;
    // written into the build next to index.html (electron.vite.config.ts)
    fetch('./licenses.json')
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(String(r.status)))))
      .then((list: unknown) => {
        if (live) setLicenses(isLicenseList(list) ? list : 'failed');
      })
      .catch(() => {
        if (live) setLicenses('failed');
      });
    return () => {
      live = false;
    };
  }, []);
  return (
    <ShellDialog title="About Perch" testId="about-dialog" onClose={props.onClose}>
      <p>
        Perch <span data-testid="about-version">{props.version}</span> — a desktop portfolio monitor for Binance spot accounts.
      </p>
      <h3>Open-source software in Perch</h3>
      {licenses === null ? <p className="muted">Loading the list…</p> : null}
      {licenses === 'failed' ? <p className="muted">The list of licences could not be read from this build.</p> : null}
      {Array.isArray(licenses) ? (
        // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex -- a scrolling region must be reachable by keyboard to be scrolled
        <div className="license-list" tabIndex={0} aria-label="Licences of the software Perch includes">
          <table>
            <thead>
              <tr>
                <th scope="col">Package</th>
                <th scope="col">Version</th>
                <th scope="col">Licence</th>
              </tr>
            </thead>
            <tbody>
              {licenses.map((l) => (
                <tr key={`${l.name}@${l.version}`}>
                  <td>{l.name}</td>
                  <td>{l.version}</td>
                  <td>{l.license}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </ShellDialog>
  );
}

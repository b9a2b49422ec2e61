#!/usr/bin/env bash
# The whole test suite: types, lint, unit + integration (Vitest, Node 24, real sockets on
# loopback, real Secret Service for keychain tests), then browser end-to-end (Playwright).
set -euo pipefail
cd "$(dirname "$0")/.."
rm -f test-results/vitest.json test-results/playwright.json
source scripts/ensure-node.sh
echo "[perch] node $(node --version)"
echo "[perch] 1/6 typecheck"; npx tsc -p tsconfig.json --noEmit
echo "[perch] 2/6 format (Prettier; 'npm run format' fixes it)"; npx prettier --check --log-level=warn .
echo "[perch] 3/6 lint"; npx eslint --max-warnings=0 .
echo "[perch] 4/6 dead code (knip: unused files, exports, dependencies)"; npx knip
echo "[perch] 5/6 build (electron-vite; static build tests and the main-process smoke test read out/)"
npx electron-vite build >/dev/null
echo "[perch] 6/6 unit + integration + browser end-to-end"
# Keychain tests need a Secret Service: a private D-Bus session with an unlocked gnome-keyring.
# gnome-keyring keeps keyrings under $XDG_DATA_HOME/keyrings; a fresh folder per run means an
# old keyring with another password can never make every keychain test report "locked".
if command -v dbus-run-session >/dev/null 2>&1 && command -v gnome-keyring-daemon >/dev/null 2>&1; then
  keyring_home="$(mktemp -d)"; trap 'rm -rf "$keyring_home"' EXIT
  XDG_DATA_HOME="$keyring_home" dbus-run-session -- bash -c 'echo -n perch-test | gnome-keyring-daemon --daemonize --unlock --components=secrets >/dev/null; export PERCH_KEYCHAIN_TESTS=1; npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@"' _ "$@"
else
  echo "[perch] no dbus-run-session/gnome-keyring-daemon: keychain tests will be skipped" >&2
  npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@"
fi
if [ -f playwright.config.ts ] && [ "${PERCH_SKIP_E2E:-0}" != "1" ]; then
  echo "[perch] browser end-to-end (Playwright, Debian Chromium; Electron specs skip without a binary)"
  if command -v xvfb-run >/dev/null 2>&1; then xvfb-run -a npx playwright test; else npx playwright test; fi
fi
# One closing line over both runners (only reached when every step passed).
node scripts/test-summary.mjs test-results/vitest.json test-results/playwright.json

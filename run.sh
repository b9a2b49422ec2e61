#!/usr/bin/env bash
# Perch's entry point. On a fresh machine:
#   ./run.sh start   install what is missing, build, and open Perch (demo mode by default)
#   ./run.sh test    install what is missing and run the whole test suite
# Other verbs: sim (standalone simulator), web (renderer + core in a browser, dev only), bench.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/ensure-node.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[perch] installing npm packages (npm ci)..." >&2
  npm ci --no-audit --no-fund
fi
verb="${1:-start}"; shift || true
case "$verb" in
  start)
    if [ ! -f node_modules/electron/path.txt ]; then
      echo "[perch] fetching the Electron binary for this platform..." >&2
      node node_modules/electron/install.js || { echo "[perch] could not download Electron. On an offline machine use './run.sh web' to try the app in a browser." >&2; exit 1; }
    fi
    exec npm start -- "$@" ;;
  test)
    bash scripts/ensure-system.sh
    exec npm test -- "$@" ;;
  sim) exec npm run sim -- "$@" ;;
  web) exec npm run web -- "$@" ;;
  bench) exec npm run bench -- "$@" ;;
  *) echo "usage: ./run.sh start|test|sim|web|bench" >&2; exit 2 ;;
esac

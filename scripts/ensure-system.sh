#!/usr/bin/env bash
# Installs the Debian packages the test suite needs (Chromium for browser tests, a Secret Service
# for keychain tests, Xvfb for Electron tests) when they are missing. Needs root or sudo.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v gnome-keyring-daemon >/dev/null 2>&1 || need+=(gnome-keyring)
command -v dbus-run-session >/dev/null 2>&1 || need+=(dbus dbus-x11)
command -v xvfb-run >/dev/null 2>&1 || need+=(xvfb xauth)
[ -e /usr/lib/x86_64-linux-gnu/libsecret-1.so.0 ] || need+=(libsecret-1-0)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
echo "[perch] installing Debian packages: ${need[*]}" >&2
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null

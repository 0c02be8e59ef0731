#!/usr/bin/env bash
# Installs what the browser test needs: Debian's chromium (Playwright cannot download its own
# browser builds here) and the pinned Playwright Python package in the project venv.
# Idempotent: does nothing when both are already present.
set -eu
cd "$(dirname "$0")/.."
VENV_PY="${VENV_PY:-.venv/bin/python}"
CHROMIUM="${LIFT_CHROMIUM:-/usr/bin/chromium}"

if [ ! -x "$CHROMIUM" ]; then
  if [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null; then
    echo "error: $CHROMIUM is missing; install Debian's 'chromium' package as root" >&2
    exit 1
  fi
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi

PIN="$(grep -E '^playwright==' requirements/lock.txt || true)"
if [ -z "$PIN" ]; then
  echo "error: requirements/lock.txt has no playwright pin" >&2
  exit 1
fi
if ! "$VENV_PY" -c 'import playwright' 2>/dev/null; then
  # No `playwright install`: the browser is the system chromium, used via executable_path.
  "$VENV_PY" -m pip install -q "$PIN"
fi
"$CHROMIUM" --version

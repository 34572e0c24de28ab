#!/usr/bin/env bash
# Install Debian's headless-capable Chromium for the report's browser test, only when it is absent.
# Called by the fixture in tests/test_report_browser.py (and usable by hand or from CI).
# Needs root (or passwordless sudo) the first time; a no-op afterwards.
set -euo pipefail

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
    exit 0
fi

SUDO=""
if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo -n"
    else
        echo "ensure_chromium: $CHROMIUM is missing and we are not root; install 'chromium'" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends chromium
test -x "$CHROMIUM"

#!/usr/bin/env bash
# Install Debian's Chromium for the browser tests (tests/browser), quietly and idempotently.
# Called by .ci/run before `make test`; prints nothing on success. Never `playwright install`:
# the tests drive /usr/bin/chromium through the playwright Python package.
set -euo pipefail

if [ -x /usr/bin/chromium ] && /usr/bin/chromium --headless --no-sandbox --version >/dev/null 2>&1; then
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi

log="$(mktemp -t chromium-setup.XXXXXX)"
trap 'rm -f "$log"' EXIT
if ! {
    $SUDO apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium
} >"$log" 2>&1; then
    echo "browser_setup.sh: installing chromium with apt-get failed:" >&2
    tail -n 40 "$log" >&2
    exit 1
fi

if ! /usr/bin/chromium --headless --no-sandbox --version >/dev/null 2>&1; then
    echo "browser_setup.sh: /usr/bin/chromium is installed but does not start" >&2
    exit 1
fi

#!/usr/bin/env bash
# Set up the browser tests (tests/browser, marked `browser`): Debian's Chromium and the Playwright
# Python package.  Playwright's own browser download (`playwright install`) is never used: the
# tests launch /usr/bin/chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
fi
.venv/bin/python -m pip install -q "playwright==1.65.2"
echo "chromium: $(chromium --version 2>/dev/null || echo missing); playwright: $(.venv/bin/python -m pip show playwright | sed -n 's/^Version: //p')"

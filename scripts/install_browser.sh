#!/usr/bin/env bash
# Headless Chromium for the review browser test: Debian's `chromium` package
# (never `playwright install`, which downloads a browser build) plus a CJK
# font for readable screenshots, and the Python `playwright` driver from PyPI.
# Idempotent. Usage: scripts/install_browser.sh [PYTHON]
set -euo pipefail
PY="${1:-${PYTHON:-python3}}"
SUDO=""
if [[ "$(id -u)" -ne 0 ]]; then SUDO="sudo"; fi

missing=()
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
dpkg -s fonts-wqy-zenhei >/dev/null 2>&1 || missing+=(fonts-wqy-zenhei)
if (( ${#missing[@]} )); then
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi

"$PY" -c "import playwright" 2>/dev/null || "$PY" -m pip install --quiet --disable-pip-version-check "playwright>=1.45"
/usr/bin/chromium --version 2>/dev/null | head -n 1

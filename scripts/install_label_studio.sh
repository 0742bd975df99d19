#!/usr/bin/env bash
# Install Label Studio (pinned in review/requirements-labelstudio.txt) into its
# own virtual env at review/.ls-venv. Idempotent: quick when already installed.
# Usage: scripts/install_label_studio.sh [PYTHON]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${LABEL_STUDIO_VENV:-$ROOT/review/.ls-venv}"
REQ="$ROOT/review/requirements-labelstudio.txt"
PY="${1:-${PYTHON:-python3}}"
STAMP="$VENV/.installed-requirements"

if [[ -x "$VENV/bin/label-studio" && -f "$STAMP" ]] && cmp -s "$REQ" "$STAMP"; then
  echo "label-studio already installed in $VENV"
  exit 0
fi

if [[ ! -x "$VENV/bin/python" ]]; then
  "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQ"
cp "$REQ" "$STAMP"
"$VENV/bin/label-studio" --version 2>/dev/null | head -n 3 || true
echo "label-studio installed in $VENV"

#!/usr/bin/env bash
# Install Label Studio (pinned in review/requirements-labelstudio.txt) into its
# own virtual env, .venv-labelstudio (it pins its own label-studio-sdk, so it
# must not share the main environment). Idempotent: a no-op when the venv
# already holds the pinned version. Takes a few minutes the first time.
# Usage: scripts/install_label_studio.sh [PYTHON]   (env LABEL_STUDIO_VENV overrides the venv)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${LABEL_STUDIO_VENV:-$ROOT/.venv-labelstudio}"
REQ="$ROOT/review/requirements-labelstudio.txt"
PY="${1:-${PYTHON:-python3}}"
STAMP="$VENV/.installed-requirements"

if [[ -x "$VENV/bin/label-studio" && -f "$STAMP" ]] && cmp -s "$REQ" "$STAMP"; then
  echo "label-studio already installed in $VENV"
  exit 0
fi

rm -f "$STAMP"
if [[ ! -x "$VENV/bin/python" ]]; then
  "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --no-input --disable-pip-version-check -r "$REQ"
# Only a version check: running `label-studio` here would create a database in ~/.local.
"$VENV/bin/python" -c "import importlib.metadata as m; print('label-studio', m.version('label-studio'), 'installed in $VENV')"
cp "$REQ" "$STAMP"

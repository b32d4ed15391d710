#!/usr/bin/env bash
# `make run`: migrate, load the demo data, start the background-task worker and serve the
# demo site on http://127.0.0.1:8000. Ctrl-C stops both; the database keeps running.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="$ROOT/.venv/bin/python"

"$PY" manage.py migrate --no-input
"$PY" manage.py load_demo

worker=""
if "$PY" -c "import django_tasks" 2>/dev/null && "$PY" manage.py help db_worker >/dev/null 2>&1; then
    "$PY" manage.py db_worker >"$ROOT/var/worker.log" 2>&1 &
    worker=$!
    trap 'kill "$worker" 2>/dev/null || true' EXIT INT TERM
fi

"$PY" manage.py runserver 127.0.0.1:8000

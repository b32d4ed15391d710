#!/usr/bin/env bash
# `make serve`: the production server. Settings come from the environment (or .env), as for
# every command; DEBUG must be off. Runs the migrations, collects the static files when they
# changed (WhiteNoise serves them with far-future cache headers), then starts gunicorn and the
# background-task worker side by side. Both log to stdout, one line per request with its id.
# When either stops the other is stopped too, so the service manager sees one failure and
# restarts both. TERM or Ctrl-C stops both gracefully.
#
#   BIND=0.0.0.0:8000      where gunicorn listens (default 127.0.0.1:8000, behind the proxy)
#   WEB_CONCURRENCY=5      gunicorn worker processes (default 2 × cores + 1)
#   MIGRATE=false          skip `migrate` (several hosts: migrate once, from one of them)
#   WORKER=false           no db_worker beside this web server (workers run elsewhere)
#   WORKER_ID=…            the worker's fixed id (default <hostname>-worker; one process per id)
#   FORWARDED_ALLOW_IPS    proxies whose X-Forwarded-Proto gunicorn believes (127.0.0.1)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="$ROOT/.venv/bin/python"
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-logistics.settings}"

die() { printf 'serve: %s\n' "$*" >&2; exit 1; }

mapfile -t conf < <("$PY" -c 'from django.conf import settings as s; print(s.DEBUG); print(s.STATIC_ROOT)')
[[ ${#conf[@]} -eq 2 ]] || die "the settings did not load (see the error above)"
[[ "${conf[0]}" == False ]] \
    || die "DEBUG is on; the production server runs with DEBUG=false (make run serves the demo)"
static_root="${conf[1]}"

if [[ "${MIGRATE:-true}" != false ]]; then
    "$PY" manage.py migrate --no-input
fi

# collectstatic post-processes every file each time (hashing, compressing): only when a
# static source is newer than the last manifest.
manifest="$static_root/staticfiles.json"
if [[ ! -f "$manifest" ]] \
    || [[ -n "$(find static ./*/static -newer "$manifest" -print -quit 2>/dev/null)" ]]; then
    "$PY" manage.py collectstatic --no-input -v 1
fi

pids=()
signalled=false
stop() { kill -TERM "${pids[@]}" 2>/dev/null || true; }
trap 'signalled=true; stop' INT TERM

if [[ "${WORKER:-true}" != false ]]; then
    # A fixed id for this host's worker: what a killed predecessor left running is requeued.
    worker_id="${WORKER_ID:-$(hostname)-worker}"
    "$PY" manage.py requeue_orphaned_tasks --worker-id "$worker_id"
    "$PY" manage.py db_worker --worker-id "$worker_id" &
    pids+=($!)
fi

"$ROOT/.venv/bin/gunicorn" logistics.wsgi:application \
    --bind "${BIND:-127.0.0.1:8000}" \
    --workers "${WEB_CONCURRENCY:-$(($(nproc) * 2 + 1))}" \
    --timeout 120 --graceful-timeout 30 \
    --max-requests 2000 --max-requests-jitter 200 \
    --forwarded-allow-ips "${FORWARDED_ALLOW_IPS:-127.0.0.1}" \
    --access-logfile - --error-logfile - \
    --access-logformat '%(t)s ACCESS [%({x-request-id}o)s] %(h)s "%(r)s" %(s)s %(B)s %(M)sms' &
pids+=($!)

# Whichever stops first (or a signal), stop the rest and report the first exit status.
status=0
wait -n "${pids[@]}" || status=$?
stop
wait || true
if [[ $signalled == true ]]; then exit 0; fi
exit "$status"

#!/usr/bin/env bash
# Prepares a fresh machine for `make run` / `make test`: virtualenv with the pinned
# dependencies, the system packages the app needs, and (when DATABASE_URL is not set) a
# project-local PostgreSQL cluster whose socket lives inside var/ so it never collides with
# another server. Safe to run any number of times.
#
#   scripts/bootstrap.sh run    # what the demo site needs (CJK font, HarfBuzz subsetting)
#   scripts/bootstrap.sh test   # the same plus Chromium for the browser tests
set -euo pipefail

MODE="${1:-run}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VAR="$ROOT/var"
VENV="$ROOT/.venv"
PYTHON="${PYTHON:-python3}"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf '\033[1;31mbootstrap: %s\033[0m\n' "$*" >&2; exit 1; }

mkdir -p "$VAR"

# --- system packages -------------------------------------------------------------------
# WeasyPrint needs a CJK font and libharfbuzz-subset0 (without it a Chinese page takes
# 7-17 s instead of 0.5 s); the browser tests need Debian's Chromium.
packages=(fonts-wqy-microhei libharfbuzz-subset0)
[[ "$MODE" == test ]] && packages+=(chromium)

missing=()
for pkg in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
done

as_root() {
    if [[ $EUID -eq 0 ]]; then "$@"
    elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo "$@"
    else return 1
    fi
}

apt_install() {
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get install -y --no-install-recommends "$@" \
        || { as_root apt-get update -q && as_root apt-get install -y --no-install-recommends "$@"; }
}

if (( ${#missing[@]} )); then
    if ! command -v apt-get >/dev/null; then
        die "please install: ${missing[*]} (a CJK font, HarfBuzz subsetting, Chromium)"
    fi
    say "installing system packages: ${missing[*]}"
    apt_install "${missing[@]}" \
        || die "cannot install system packages; run:  sudo apt-get install ${missing[*]}"
fi

# --- virtualenv ------------------------------------------------------------------------
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || die "Python 3.11 or newer is needed (found: $("$PYTHON" --version 2>&1))"
# `run` installs the production lock; `test` the dev lock, which adds the test tools to it.
lock="$ROOT/requirements.lock"
[[ "$MODE" == test ]] && lock="$ROOT/requirements-dev.lock"
stamp="$VENV/.requirements.sha256"
want="$(cat "$ROOT/requirements.lock" "$lock" | sha256sum | cut -d' ' -f1)"
if [[ ! -x "$VENV/bin/python" || "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
    say "installing the pinned Python dependencies into .venv"
    [[ -x "$VENV/bin/python" ]] || "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check -r "$lock" \
        >"$VAR/pip.log" 2>&1 || { tail -n 30 "$VAR/pip.log" >&2; die "pip install failed"; }
    echo "$want" > "$stamp"
fi

# --- PostgreSQL ------------------------------------------------------------------------
if [[ -n "${DATABASE_URL:-}" ]]; then
    say "using DATABASE_URL; no local cluster"
    exit 0
fi

find_pg_bin() {
    local initdb
    initdb="$(command -v initdb || true)"
    if [[ -z "$initdb" ]]; then
        initdb="$(ls -1d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n1 || true)"
    fi
    # Resolve symlinks: psql and createdb live beside the real initdb, not always on PATH.
    [[ -n "$initdb" ]] && dirname "$(readlink -f "$initdb")"
}

PGBIN="$(find_pg_bin || true)"
if [[ -z "$PGBIN" ]]; then
    say "PostgreSQL server binaries not found; installing them"
    apt_install postgresql >/dev/null 2>&1 \
        || die "PostgreSQL is needed; run:  sudo apt-get install postgresql  (or set DATABASE_URL)"
    PGBIN="$(find_pg_bin)" || die "PostgreSQL installed but initdb not found"
fi

PGDATA="$VAR/pgdata"
PGSOCK="$VAR/run"
mkdir -p "$PGSOCK"

# PostgreSQL refuses to run as root: when we are root, the cluster belongs to `postgres`.
run_pg() { "$@"; }
if [[ $EUID -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir "$VAR" --shell /usr/sbin/nologin postgres
    run_pg() { runuser -u postgres -- "$@"; }
    # postgres must be able to reach var/ (traverse only, nothing is made readable).
    dir="$ROOT"
    while [[ "$dir" != "/" ]]; do
        runuser -u postgres -- test -x "$dir" || chmod o+x "$dir"
        dir="$(dirname "$dir")"
    done
    chown postgres: "$PGSOCK"
    [[ -d "$PGDATA" ]] && chown -R postgres: "$PGDATA"
fi

if [[ ! -f "$PGDATA/PG_VERSION" ]]; then
    say "creating the project-local PostgreSQL cluster in var/pgdata"
    mkdir -p "$PGDATA"
    [[ $EUID -eq 0 ]] && chown postgres: "$PGDATA"
    run_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
fi

if ! run_pg "$PGBIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
    # A machine that stopped without shutting the server down leaves a pid file behind.
    rm -f "$PGDATA/postmaster.pid"
    say "starting PostgreSQL (socket in var/run)"
    # A disposable development/test cluster: durability is traded for speed (fsync off).
    run_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -t 60 \
        -o "-c listen_addresses='' -k '$PGSOCK' -c fsync=off -c synchronous_commit=off" start >/dev/null \
        || { tail -n 20 "$PGDATA/server.log" >&2; die "PostgreSQL did not start"; }
fi

if ! "$PGBIN/psql" -h "$PGSOCK" -U postgres -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = 'logistics'" | grep -q 1; then
    "$PGBIN/createdb" -h "$PGSOCK" -U postgres logistics
fi

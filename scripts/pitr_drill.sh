#!/usr/bin/env bash
# `make pitr-drill`: point-in-time recovery rehearsed from end to end on a throwaway cluster
# (its own data directory and socket under var/, never the site's database): WAL archiving
# on, a base backup, a first write, a recovery target time, a second write; then the base
# backup is restored and the archived WAL replayed up to the target. It passes when the first
# write is there and the second is not: the procedure in docs/deployment.md works with these
# PostgreSQL binaries.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

initdb="$(command -v initdb || ls -1d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n1 || true)"
[[ -n "$initdb" ]] || { echo "pitr-drill: PostgreSQL server binaries not found" >&2; exit 1; }
PGBIN="$(dirname "$(readlink -f "$initdb")")"

mkdir -p "$ROOT/var"
WORK="$(mktemp -d "$ROOT/var/pitr-drill.XXXXXX")"
mkdir -p "$WORK/wal" "$WORK/run1" "$WORK/run2"
# PostgreSQL refuses to run as root: then the throwaway cluster belongs to `postgres`.
as_pg() { "$@"; }
if [[ $EUID -eq 0 ]]; then
    as_pg() { runuser -u postgres -- "$@"; }
    chown -R postgres: "$WORK"
fi

cleanup() {
    for d in primary restored; do
        [[ -f "$WORK/$d/postmaster.pid" ]] && as_pg "$PGBIN/pg_ctl" -D "$WORK/$d" -m immediate stop >/dev/null 2>&1
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

sql() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$1" -U postgres -d postgres -tA -c "$2"; }

as_pg "$PGBIN/initdb" -D "$WORK/primary" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
# The one setting that turns archiving on (plus where the WAL goes).
as_pg "$PGBIN/pg_ctl" -D "$WORK/primary" -l "$WORK/primary.log" -w -t 60 -o "-c listen_addresses='' -k $WORK/run1 \
    -c wal_level=replica -c archive_mode=on -c archive_command='cp %p $WORK/wal/%f'" start >/dev/null
sql "$WORK/run1" "CREATE TABLE drill (id serial PRIMARY KEY, note text, at timestamptz DEFAULT clock_timestamp())"
as_pg "$PGBIN/pg_basebackup" -h "$WORK/run1" -U postgres -D "$WORK/base" -X fetch

sql "$WORK/run1" "INSERT INTO drill (note) VALUES ('first write')"
sleep 1
target="$(sql "$WORK/run1" "SELECT clock_timestamp()")"
sleep 1
sql "$WORK/run1" "INSERT INTO drill (note) VALUES ('second write')"
# Close the WAL segment holding both writes and wait until it is archived.
segment="$(sql "$WORK/run1" "SELECT pg_walfile_name(pg_switch_wal())")"
for _ in $(seq 1 120); do
    [[ -f "$WORK/wal/$segment" ]] && break
    sleep 0.5
done
[[ -f "$WORK/wal/$segment" ]] || { echo "pitr-drill: WAL segment $segment was not archived" >&2; exit 1; }
as_pg "$PGBIN/pg_ctl" -D "$WORK/primary" -m fast stop >/dev/null
echo "two writes made; recovering to $target, between them"

# The recovery: the base backup, the archived WAL, a target time.
as_pg cp -a "$WORK/base" "$WORK/restored"
cat >> "$WORK/restored/postgresql.auto.conf" <<CONF
restore_command = 'cp $WORK/wal/%f %p'
recovery_target_time = '$target'
recovery_target_action = 'promote'
CONF
as_pg touch "$WORK/restored/recovery.signal"
as_pg "$PGBIN/pg_ctl" -D "$WORK/restored" -l "$WORK/restored.log" -w -t 120 \
    -o "-c listen_addresses='' -k $WORK/run2 -c archive_mode=off" start >/dev/null
for _ in $(seq 1 120); do
    [[ "$(sql "$WORK/run2" "SELECT pg_is_in_recovery()")" == f ]] && break
    sleep 0.5
done

notes="$(sql "$WORK/run2" "SELECT string_agg(note, ',' ORDER BY id) FROM drill")"
if [[ "$notes" == "first write" ]]; then
    echo "point-in-time recovery: first write present, second write absent"
else
    echo "point-in-time recovery FAILED: found [$notes], expected [first write]" >&2
    tail -n 20 "$WORK/restored.log" >&2
    exit 1
fi

#!/usr/bin/env bash
# Migration speed: builds the benchmark database on a throwaway source cluster (pgbench -i at the
# given scale, then bench/fixture.sql: about 2.7 GB at scale 100), then moves it into a throwaway
# target cluster with each reference method and with pgshuttle, one after the other in one run,
# and prints their wall times side by side. pgshuttle's time runs from `submit` to SUCCEEDED,
# VERIFY included, with the complete dump kept on the auxiliary disk until CLEANUP.
#
#   bench/migration.sh                  (scale 100, every method)
#   bench/migration.sh --scale 10       (a quick run of the harness itself)
#   bench/migration.sh --jobs 2 --keep  (keep the work directory and its logs)
#   bench/migration.sh --only pgshuttle (skip the reference methods)
#   bench/migration.sh --only pgshuttle --pgshuttle OTHER/deploy/target/pgshuttle/bin/pgshuttle
#                                       (another build, such as the commit before a change)
#
# Needs what scripts/demo.sh needs, plus pgbench (Debian: postgresql-contrib-15 or
# postgresql-client-15). pgcopydb is used when installed (apt-get install pgcopydb, done here
# when root); without it its row says so. Work goes under $TMPDIR (about 4x the database's size).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd -P)

scale=100
jobs=2
pgshuttle=
keep=false
only=
while [ $# -gt 0 ]; do
  case "$1" in
    --scale) scale=${2:?--scale needs a number}; shift 2 ;;
    --jobs) jobs=${2:?--jobs needs a number}; shift 2 ;;
    --only) only=${2:?--only needs a method: naive, directory, uncompressed, pgcopydb, pgshuttle}; shift 2 ;;
    --keep) keep=true; shift ;;
    --pgshuttle) pgshuttle=${2:?--pgshuttle needs the path of bin/pgshuttle}; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) printf 'error: unknown argument %s (see --help)\n' "$1" >&2; exit 2 ;;
  esac
done
for value in "$scale" "$jobs"; do
  [[ "$value" =~ ^[1-9][0-9]*$ ]] || { printf 'error: %s is not a positive number\n' "$value" >&2; exit 2; }
done
case "$only" in ''|naive|directory|uncompressed|pgcopydb|pgshuttle) ;;
  *) printf 'error: --only %s: use naive, directory, uncompressed, pgcopydb or pgshuttle\n' "$only" >&2
     exit 2 ;;
esac

PG_BINDIR=${PGSHUTTLE_PG_BINDIR:-/usr/lib/postgresql/15/bin}
# shellcheck source=scripts/lib/prerequisites.sh
. scripts/lib/prerequisites.sh

pgshuttle=${pgshuttle:-$repo/deploy/target/pgshuttle/bin/pgshuttle}
namespace=pgshuttle-bench-$$
instance=bench-vm
database=bench
work=$(mktemp -d "${TMPDIR:-/tmp}/pgshuttle-bench.XXXXXX")
chmod 755 "$work"
# shellcheck source=scripts/lib/installation.sh
. scripts/lib/installation.sh

on_failure=show_daemon_logs
stop_on_exit

require_java_and_maven
require_postgresql
pgbench=$PG_BINDIR/pgbench
[ -x "$pgbench" ] || pgbench=$(command -v pgbench || true)
if [ -z "$pgbench" ]; then
  apt_install postgresql-contrib-15 >/dev/null 2>&1 || true
  pgbench=$(command -v pgbench || true)
fi
[ -n "$pgbench" ] || die "pgbench not found: install postgresql-contrib-15 (Debian) and run again"
if ! command -v pgcopydb >/dev/null 2>&1; then
  apt_install pgcopydb >/dev/null 2>&1 || say "pgcopydb not installed: its row will be skipped"
fi
if [ -z "$only" ] || [ "$only" = pgshuttle ]; then
  require_distribution "$pgshuttle"
fi

# The same server settings for every method: a modest production-like configuration.
CLUSTER_SETTINGS="-c shared_buffers=1GB -c maintenance_work_mem=512MB -c max_wal_size=8GB"
CLUSTER_SETTINGS+=" -c checkpoint_timeout=30min -c max_parallel_maintenance_workers=2"
target_password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
take_free_port; source_port=$REPLY
take_free_port; target_port=$REPLY
(umask 077 && printf '127.0.0.1:%s:*:postgres:%s\n' "$target_port" "$target_password" >"$work/pgpass")
start_cluster source "$source_port"
start_cluster target "$target_port" "$target_password"
export PGPASSFILE=$work/pgpass
source_url="host=127.0.0.1 port=$source_port user=postgres dbname=$database"
target_admin="host=127.0.0.1 port=$target_port user=postgres dbname=postgres"

say "building the benchmark database: pgbench -i -s $scale, then bench/fixture.sql"
started=$(date +%s)
psql_on "$source_port" postgres <<<"CREATE DATABASE $database;"
"$pgbench" -i -q -s "$scale" -h 127.0.0.1 -p "$source_port" -U postgres "$database" \
  >"$work/pgbench.log" 2>&1 || { cat "$work/pgbench.log" >&2; die "pgbench -i failed"; }
psql_on "$source_port" "$database" <bench/fixture.sql >/dev/null
size=$(psql_on "$source_port" postgres -tA <<<"SELECT pg_size_pretty(pg_database_size('$database'));")
say "built $size in $(($(date +%s) - started)) s"

# Drops what a method left on the target and on the disk, and checkpoints both clusters, so that
# no method pays for the WAL of the one before.
reset_target() {
  psql_on "$target_port" postgres <<<"SET client_min_messages = warning;
    DROP DATABASE IF EXISTS $database WITH (FORCE);" >/dev/null
  rm -rf "$work/disk"
  mkdir -p "$work/disk"
  psql_on "$target_port" postgres <<<"CHECKPOINT;" >/dev/null
  psql_on "$source_port" postgres <<<"CHECKPOINT;" >/dev/null
  sync
}

declare -A seconds=()
methods=()

# measure NAME COMMAND...: runs COMMAND into a clean target and records its wall time.
measure() {
  local name=$1
  shift
  if [ -n "$only" ] && [ "$only" != "$name" ]; then
    return
  fi
  reset_target
  say "$name: $*"
  local begin end
  begin=$(date +%s.%N)
  if ! "$@" >"$work/$name.log" 2>&1; then
    cat "$work/$name.log" >&2
    die "$name failed"
  fi
  end=$(date +%s.%N)
  seconds[$name]=$(echo "$end - $begin" | bc)
  methods+=("$name")
  say "$name: ${seconds[$name]} s"
}

dump_restore() { # FORMAT_ARGUMENTS... -- RESTORE_ARGUMENTS...
  local dump_args=() restore_args=()
  while [ "$1" != -- ]; do dump_args+=("$1"); shift; done
  shift
  restore_args=("$@")
  "$PG_BINDIR/pg_dump" "${dump_args[@]}" -d "$source_url" &&
    "$PG_BINDIR/pg_restore" --create --exit-on-error "${restore_args[@]}" -d "$target_admin"
}

measure naive dump_restore -Fc -f "$work/disk/dump.fc" -- "$work/disk/dump.fc"
measure directory dump_restore -Fd -j "$jobs" -f "$work/disk/dump.d" -- -j "$jobs" "$work/disk/dump.d"
measure uncompressed dump_restore -Fd -Z0 -j "$jobs" -f "$work/disk/dump.d" -- -j "$jobs" "$work/disk/dump.d"
if command -v pgcopydb >/dev/null 2>&1; then
  measure pgcopydb pgcopydb clone --table-jobs "$jobs" --index-jobs "$jobs" --dir "$work/disk/pgcopydb" \
    --source "postgres://postgres@127.0.0.1:$source_port/$database" \
    --target "postgres://postgres@127.0.0.1:$target_port/postgres"
fi

if [ -z "$only" ] || [ "$only" = pgshuttle ]; then
  start_pgshuttle "$pgshuttle" "$namespace" "$instance" "$source_port"
  reset_target
  migrate() {
    PGSHUTTLE_TARGET_PASSWORD=$target_password "$pgshuttle" submit --instance "$instance" \
      --target "postgresql://postgres@127.0.0.1:$target_port" --database "$database" \
      --jobs "$jobs" --wait --json >"$work/pgshuttle-status.json"
  }
  measure pgshuttle migrate
fi

# ---- the table ----
printf '\n%-14s %10s %10s %12s\n' method 'wall (s)' '× naive' '× pgcopydb'
for name in "${methods[@]}"; do
  ratio_naive=-
  ratio_copydb=-
  [ -n "${seconds[naive]:-}" ] && ratio_naive=$(echo "scale=2; ${seconds[$name]} / ${seconds[naive]}" | bc)
  [ -n "${seconds[pgcopydb]:-}" ] && ratio_copydb=$(echo "scale=2; ${seconds[$name]} / ${seconds[pgcopydb]}" | bc)
  printf '%-14s %10.1f %10s %12s\n' "$name" "${seconds[$name]}" "$ratio_naive" "$ratio_copydb"
done
printf '\ndatabase %s (pgbench scale %s + fixture), jobs %s, %s cores\n' "$size" "$scale" "$jobs" "$(nproc)"
if [ -n "${seconds[pgshuttle]:-}" ] && command -v python3 >/dev/null 2>&1; then
  printf '\npgshuttle steps:\n'
  python3 - "$work/pgshuttle-status.json" <<'PY'
import json, sys
from datetime import datetime
status = json.load(open(sys.argv[1]))
for step in status["steps"]:
    begin, end = step.get("startedAt"), step.get("finishedAt")
    if begin and end:
        took = datetime.fromisoformat(end.replace("Z", "+00:00")) - datetime.fromisoformat(begin.replace("Z", "+00:00"))
        print(f"  {step['name']:<15} {took.total_seconds():8.1f} s")
    if step["name"] == "RESTORE" and step.get("summary"):
        # Where RESTORE's time went: loading, index builds beside it, the rest of the post-data.
        print(f"  {'':<15} {step['summary']}")
PY
fi
